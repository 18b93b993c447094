"""Where the milliseconds of one HTTP intake go: cProfile of `POST /api/v1/tickets` through the
WSGI application in one process (DEBUG off, the bench database), without a server or a load
generator in the way.

    python bench/profile_intake.py [--requests 1000] [--top 30] [--sort tottime]

Prints the CPU time per request and the functions that took it; `make bench` keeps the summary
in bench/results.json.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))


def environ(token: str, body: bytes) -> dict:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/tickets",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex,
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "SERVER_PROTOCOL": "HTTP/1.1",
    }


def profile(requests: int, top: int, sort: str) -> dict:
    """Run `requests` intakes (after 50 to warm up) under cProfile; return the CPU time per
    request and the top functions."""
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    from jiceng.orgs.models import User
    from jiceng.orgs.tokens import create_token
    from jiceng.regions.models import Region

    user = User.objects.get(username="bench-intake")
    token = create_token(user, "profile")
    codes = list(
        Region.objects.filter(level="village").order_by("code").values_list("code", flat=True)[:200]
    )
    statuses: list[str] = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    def one(i: int) -> None:
        body = json.dumps(
            {
                "title": "基准测试：楼道灯不亮",
                "content": f"基准测试诉求 profile-{i}：3号楼楼道灯不亮。",
                "region_code": codes[i % len(codes)],
                "requester_phone": "13800138000",
            },
            ensure_ascii=False,
        ).encode()
        b"".join(application(environ(token, body), start_response))

    for i in range(50):
        one(i)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for i in range(requests):
        one(10_000 + i)
    plain_cpu, plain_wall = time.process_time() - cpu0, time.perf_counter() - wall0
    profiler = cProfile.Profile()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    profiler.enable()
    for i in range(requests):
        one(50 + i)
    profiler.disable()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    failed = [s for s in statuses if not s.startswith("201")]
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats(sort).print_stats(top)
    return {
        "stats": stats,
        "requests": requests,
        "failed": len(failed),
        "cpu_ms_per_request": round(plain_cpu / requests * 1000, 2),
        "wall_ms_per_request": round(plain_wall / requests * 1000, 2),
        "cpu_ms_per_request_profiled": round(cpu / requests * 1000, 2),
        "wall_ms_per_request_profiled": round(wall / requests * 1000, 2),
        "text": out.getvalue(),
    }


# where a request's time goes: these functions' cumulative time per request, under the profiler
PARTS = [
    ("the whole request (WSGI)", "django/core/handlers/wsgi.py", "__call__"),
    ("token check (Ninja auth)", "ninja/operation.py", "_run_authentication"),
    ("request body → schema", "ninja/operation.py", "_get_values"),
    ("the view", "jiceng/tickets/api.py", "create_ticket"),
    ("  services.receive", "jiceng/tickets/services/intake.py", "receive"),
    ("    its event", "jiceng/tickets/services/base.py", "_event"),
    ("    the follow-up task", "jiceng/tickets/followup.py", "enqueue"),
    ("    validation", "jiceng/tickets/services/intake.py", "_validate_intake"),
    ("response → JSON", "ninja/operation.py", "_result_to_response"),
    ("SQL sent and answered (all statements)", "django/db/backends/utils.py", "_execute"),
]


def summary(result: dict) -> dict:
    """The profile as numbers for bench/results.json and docs/benchmarks.md: ms per request
    (under the profiler, which roughly doubles them) of each part."""
    requests = result["requests"]
    found = {}
    for (filename, _line, name), (_cc, _nc, _tt, cumulative, _callers) in result[
        "stats"
    ].stats.items():
        for label, where, function in PARTS:
            if name == function and filename.endswith(where):
                found[label] = found.get(label, 0.0) + cumulative
    return {
        "requests": requests,
        "failed": result["failed"],
        "cpu_ms_per_request": result["cpu_ms_per_request"],
        "wall_ms_per_request": result["wall_ms_per_request"],
        "profiled_ms_per_request": result["wall_ms_per_request_profiled"],
        "parts": [
            {"part": label, "ms": round(1000 * found[label] / requests, 2)}
            for label, _, _ in PARTS
            if label in found
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative")
    args = parser.parse_args()
    import run

    run.setup_django(os.environ.get("BENCH_DATABASE_URL", run.DEFAULT_URL))
    result = profile(args.requests, args.top, args.sort)
    print(result["text"])
    print(json.dumps(summary(result), indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
