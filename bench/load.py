"""HTTP intake against the bare endpoint, and the background worker's auto-dispatch latency.

- `intake_against_bare`: `POST /api/v1/tickets` of jiceng and of `bench/bare` under the same
  gunicorn settings and the same wrk script, in alternating rounds (bare, jiceng, bare, …), so
  that both see the same machine load; each pair gives a ratio.
- `worker_drain`: how many queued follow-ups one `jiceng worker` does per second.
- `auto_dispatch_latency`: requests the model is sure of, at a steady rate over HTTP with the
  worker running; from each ticket's receive event to its dispatch event.
"""

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import uuid
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BARE_TOKEN = "bare-bench-token-0123456789"
SURE_TEXT = "小区门口路灯坏了一个月没人修"  # the shipped model: 城乡建设 at ≈ 0.96


def say(*args) -> None:
    print(*args, flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _log():
    (ROOT / "var").mkdir(exist_ok=True)
    return (ROOT / "var" / "bench-gunicorn.log").open("ab")


def start_gunicorn(url: str, workers: int, app: str = "jiceng.wsgi", settings: str = ""):
    port = _free_port()
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    if settings:
        env["DJANGO_SETTINGS_MODULE"] = settings
    server = subprocess.Popen(
        [
            gunicorn,
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=_log(),
    )
    for _ in range(150):
        try:
            conn = HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/")
            conn.getresponse().read()
            return server, port
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"gunicorn ({app}) did not start")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def start_worker(url: str, interval: float = 0.5) -> subprocess.Popen:
    """`jiceng worker` as deploy/systemd/jiceng-worker.service starts it."""
    jiceng = shutil.which("jiceng", path=str(Path(sys.executable).parent)) or "jiceng"
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "LOG_LEVEL": "WARNING"}
    return subprocess.Popen(
        [jiceng, "worker", "--interval", str(interval), "--no-startup-delay"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=_log(),
    )


def cpu_seconds(names: set[str], under: int | None = None) -> float:
    """User + system CPU seconds of the live processes called one of `names` (Linux /proc),
    only the descendants of `under` when given (a gunicorn master and its workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    parents, total, found = {}, {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        found[pid] = comm
        total[pid] = (int(fields[11]) + int(fields[12])) / tick

    def inside(pid: int) -> bool:
        while pid > 1:
            if pid == under:
                return True
            pid = parents.get(pid, 1)
        return False

    return sum(
        seconds
        for pid, seconds in total.items()
        if found[pid] in names and (under is None or inside(pid))
    )


def prepare_bare(url: str) -> None:
    """The bare endpoint's three tables and its token, in the bench database."""
    code = (
        "import django; django.setup();"
        "from django.core.management import call_command;"
        "call_command('migrate', run_syncdb=True, verbosity=0);"
        "from bench.bare.models import Token;"
        f"Token.objects.get_or_create(key={BARE_TOKEN!r}, defaults={{'name': 'bench'}})"
    )
    subprocess.run(
        [sys.executable, "-c", code],
        env={
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "bench.bare.settings",
            "PYTHONPATH": str(ROOT),
        },
        cwd=ROOT,
        check=True,
    )


def wrk(port: int, token: str, codes: list[str], seconds: int, connections: int) -> dict:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(ROOT / "bench" / "intake.lua"),
            f"http://127.0.0.1:{port}",
            "--",
            token,
            ",".join(codes),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    data = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
    return {
        "requests": data["requests"],
        "per_second": round(data["requests"] / data["seconds"], 1),
        "p50_ms": round(data["p50_ms"], 2),
        "p95_ms": round(data["p95_ms"], 2),
        "p99_ms": round(data["p99_ms"], 2),
        "failures": data["non_2xx"] + data["socket_errors"],
    }


def intake_against_bare(
    url: str,
    token: str,
    codes: list[str],
    *,
    seconds: int,
    rounds: int,
    workers: int,
    connections: int,
) -> dict:
    """Alternating rounds of the bare endpoint and jiceng's intake, each under its own fresh
    gunicorn with the same settings. The worker is not running: what is measured is the
    request path alone (the worker's own rate is `worker_drain`)."""
    if not shutil.which("wrk"):
        return {"skipped": "wrk is not installed (Debian: apt-get install wrk)"}
    prepare_bare(url)
    bare, product, ratios = [], [], []
    for n in range(rounds):
        for name, runs, app, settings, key in (
            ("bare", bare, "bench.bare.wsgi", "bench.bare.settings", BARE_TOKEN),
            ("jiceng", product, "jiceng.wsgi", "", token),
        ):
            server, port = start_gunicorn(url, workers, app, settings)
            try:
                app0, db0 = cpu_seconds({"gunicorn"}, server.pid), cpu_seconds({"postgres"})
                result = wrk(port, key, codes, seconds, connections)
                app1, db1 = cpu_seconds({"gunicorn"}, server.pid), cpu_seconds({"postgres"})
            finally:
                stop(server)
            if result["requests"]:
                result["app_cpu_ms_per_request"] = round(
                    1000 * (app1 - app0) / result["requests"], 2
                )
                result["db_cpu_ms_per_request"] = round(1000 * (db1 - db0) / result["requests"], 2)
            runs.append(result)
            say(f"  round {n + 1}, {name}: {result}")
        ratios.append(round(product[-1]["per_second"] / bare[-1]["per_second"], 3))

    def summary(runs: list[dict]) -> dict:
        ordered = sorted(runs, key=lambda r: r["per_second"])
        return {
            **ordered[len(ordered) // 2],
            "per_second_range": [ordered[0]["per_second"], ordered[-1]["per_second"]],
            "p99_ms_max": max(r["p99_ms"] for r in runs),
            "app_cpu_ms_per_request": statistics.median(
                r.get("app_cpu_ms_per_request", 0) for r in runs
            ),
            "db_cpu_ms_per_request": statistics.median(
                r.get("db_cpu_ms_per_request", 0) for r in runs
            ),
        }

    return {
        "seconds": seconds,
        "rounds": rounds,
        "gunicorn_workers": workers,
        "connections": connections,
        "bare": summary(bare),
        "jiceng": summary(product),
        "ratios": ratios,
        "ratio_median": statistics.median(ratios),
    }


def worker_drain(url: str, seconds: int = 20) -> dict:
    """One worker on the follow-ups the HTTP rounds queued (their text is below the auto-
    dispatch threshold: advice, themes and the receipt). The rate counts from the first task it
    started to the last it finished (not the worker's start-up: Django and the model, ≈ 7 s).
    Then the queue is emptied, so later runs start from nothing."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'READY'"
        )
        queued = cur.fetchone()[0]
    if not queued:
        return {"skipped": "nothing queued"}
    worker = start_worker(url, interval=0.1)
    time.sleep(seconds)
    stop(worker)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*), EXTRACT(EPOCH FROM max(finished_at) - min(started_at)) "
            "FROM django_tasks_database_dbtaskresult WHERE status = 'SUCCESSFUL'"
        )
        done, span = cur.fetchone()
        cur.execute("DELETE FROM django_tasks_database_dbtaskresult")
        cur.execute("UPDATE tickets_ticket SET follow_up_pending = false WHERE follow_up_pending")
    return {
        "queued": queued,
        "done": done,
        "per_second": round(done / float(span), 1) if done and span else 0.0,
        "ms_each": round(1000 * float(span) / done, 1) if done and span else None,
    }


def wait_until_working(timeout: float = 60) -> None:
    """A long-running worker has read Django and the model long before a request comes: queue
    one empty follow-up and wait for the new worker to finish it."""
    from django_tasks_db.models import DBTaskResult

    from jiceng.tickets import followup

    probe = followup.follow_up.enqueue(0, False, False, False)
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if DBTaskResult.objects.filter(pk=probe.id, status="SUCCESSFUL").exists():
            return
        time.sleep(0.2)
    raise RuntimeError("the worker did not start")


def auto_dispatch_latency(
    url: str, token: str, codes: list[str], *, rate: float, seconds: int, workers: int
) -> dict:
    """`rate` requests per second the model is sure of, for `seconds`, over HTTP with one
    worker running; then the time from each ticket's receive event to its dispatch event."""
    from django.db import connection

    marker = f"auto-{uuid.uuid4().hex[:8]}"
    server, port = start_gunicorn(url, workers)
    worker = start_worker(url)
    wait_until_working()
    sent, failed = [], []
    try:
        conn = HTTPConnection("127.0.0.1", port, timeout=30)
        started = time.perf_counter()
        i = 0
        while time.perf_counter() - started < seconds:
            due = started + i / rate
            time.sleep(max(0.0, due - time.perf_counter()))
            body = json.dumps(
                {
                    "title": SURE_TEXT,
                    "content": f"{SURE_TEXT}（{marker}-{i}）",
                    "region_code": codes[i % len(codes)],
                    "requester_phone": "13800138000",
                },
                ensure_ascii=False,
            ).encode()
            conn.request(
                "POST",
                "/api/v1/tickets",
                body,
                {
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/json",
                    "Idempotency-Key": f"{marker}-{i}",
                },
            )
            answer = conn.getresponse()
            answer.read()
            (sent if answer.status == 201 else failed).append(i)
            i += 1
        deadline = time.perf_counter() + 60
        while time.perf_counter() < deadline:
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT count(*) FROM tickets_ticket WHERE follow_up_pending AND content LIKE %s",
                    [f"%{marker}%"],
                )
                if not cur.fetchone()[0]:
                    break
            time.sleep(0.5)
    finally:
        stop(worker)
        stop(server)
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT EXTRACT(EPOCH FROM d.at - r.at) FROM tickets_ticket t
            JOIN tickets_ticketevent r ON r.ticket_id = t.id AND r.action = 'receive'
            LEFT JOIN tickets_ticketevent d ON d.ticket_id = t.id AND d.action = 'dispatch'
            WHERE t.content LIKE %s
            """,
            [f"%{marker}%"],
        )
        rows = [row[0] for row in cur.fetchall()]
    delays = [float(d) for d in rows if d is not None]
    if not delays:
        return {"requests": len(sent), "failures": len(failed), "dispatched": 0}
    return {
        "rate_per_second": rate,
        "seconds": seconds,
        "requests": len(sent),
        "failures": len(failed),
        "dispatched": len(delays),
        "p50_s": round(percentile(delays, 50), 3),
        "p95_s": round(percentile(delays, 95), 3),
        "max_s": round(max(delays), 3),
    }
