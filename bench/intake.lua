-- wrk script for the HTTP intake benchmark: POST /api/v1/tickets with a fresh Idempotency-Key
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  token = args[1]
  codes = {}
  for code in string.gmatch(args[2], "[^,]+") do table.insert(codes, code) end
end

function request()
  counter = counter + 1
  local code = codes[(counter % #codes) + 1]
  local body = string.format('{"title":"基准测试：楼道灯不亮","content":"基准测试诉求 %d-%d：3号楼楼道灯不亮。","region_code":"%s","requester_phone":"13800138000"}', id, counter, code)
  local headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("wrk-%d-%d-%d", id, counter, os.time()),
  }
  return wrk.format("POST", "/api/v1/tickets", headers, body)
end

function done(summary, latency, requests)
  io.write(string.format('{"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "non_2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
