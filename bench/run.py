"""`make bench`: intake speed and the monthly 三率 ranking over 1,000,000 tickets, on PostgreSQL.

Writes bench/results.json and the table in docs/benchmarks.md. Uses its own database
(BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/jiceng_bench), which it
creates, migrates and seeds with the demo prefecture. The 1M tickets are generated in SQL
once and kept for later runs.

    python bench/run.py [--tickets 1000000] [--http-seconds 20] [--skip-http] [--skip-ranking]
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import load  # noqa: E402  (bench/load.py, beside this file)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/jiceng_bench"
PERIOD = "2026-06"


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def say(*args) -> None:
    print(*args, flush=True)


# --- preparing ------------------------------------------------------------------------------


def prepare() -> dict:
    from django.core.management import call_command

    from jiceng import factories
    from jiceng.orgs.models import Unit, User
    from jiceng.regions.models import Region

    call_command("migrate", verbosity=0)
    if not Unit.objects.exists():
        say("seeding the demo prefecture …")
        call_command("seed_demo", verbosity=0)
    # The shipped dispatch settings (auto-dispatch on at the default threshold), whatever an
    # earlier experiment left in this database.
    from jiceng.dispatch.models import DispatchSettings

    DispatchSettings.objects.filter(pk=1).delete()
    DispatchSettings.current()
    user = User.objects.filter(username="bench-intake").first()
    if user is None:
        user = factories.account(
            "bench-intake", ["intake"], scope_region=Region.objects.get(code="652300000000")
        )
    return {"user": user, "units": Unit.objects.count()}


# --- intake ---------------------------------------------------------------------------------


def bench_service_intake(user, n: int) -> dict:
    from jiceng.regions.models import Region
    from jiceng.tickets import services

    villages = list(Region.objects.filter(level="village").order_by("code")[:200])
    times = []
    started = time.perf_counter()
    for i in range(n):
        intake = services.Intake(
            title="基准测试：楼道灯不亮",
            content=f"基准测试诉求 {i}：3号楼楼道灯不亮，请尽快维修。",
            region=villages[i % len(villages)],
            requester_phone="13800138000",
        )
        t0 = time.perf_counter()
        services.receive(user, intake, client="bench", idempotency_key=uuid.uuid4().hex)
        times.append((time.perf_counter() - t0) * 1000)
    total = time.perf_counter() - started
    return {
        "tickets": n,
        "per_second": round(n / total, 1),
        "p50_ms": round(percentile(times, 50), 2),
        "p95_ms": round(percentile(times, 95), 2),
    }


def bench_follow_up(user, n: int) -> dict:
    """What the worker does per ticket, in this process (`followup.run`): the model's advice,
    the themes and the receipt; and with the threshold lowered to 0.5 so that the model also
    dispatches (a second state change). The share it dispatched is reported."""
    from jiceng.dispatch.models import DispatchSettings, Suggestion
    from jiceng.regions.models import Region
    from jiceng.tickets import followup, services

    villages = list(Region.objects.filter(level="village").order_by("code")[:200])
    config = DispatchSettings.current()
    saved = (config.auto_dispatch, config.threshold)
    out = {}
    try:
        for mode, auto in (("advice", False), ("auto_dispatch", True)):
            config.auto_dispatch, config.threshold = auto, Decimal("0.5")
            config.save()
            made = [
                services.receive(
                    user,
                    services.Intake(
                        title="小区门口路灯坏了",
                        content=f"基准测试 {mode} {i}：小区门口路灯坏了一个月没人修",
                        region=villages[i % len(villages)],
                        requester_phone="13800138000",
                    ),
                )[0].pk
                for i in range(n)
            ]
            followup.run(made[0])  # the model is read once per process
            cpu, wall = [], []
            for pk in made[1:]:
                c0, w0 = time.process_time(), time.perf_counter()
                followup.run(pk)
                cpu.append((time.process_time() - c0) * 1000)
                wall.append((time.perf_counter() - w0) * 1000)
            out[mode] = {
                "tickets": len(cpu),
                "cpu_ms_p50": round(percentile(cpu, 50), 2),
                "cpu_ms_p95": round(percentile(cpu, 95), 2),
                "wall_ms_p50": round(percentile(wall, 50), 2),
                "wall_ms_p95": round(percentile(wall, 95), 2),
            }
            if auto:
                done = Suggestion.objects.filter(ticket_id__in=made, auto_dispatched=True)
                out[mode]["dispatched_share"] = round(done.count() / len(made), 3)
    finally:
        config.auto_dispatch, config.threshold = saved
        config.save()
    return out


def bench_dispatch_cpu(n: int) -> dict:
    """A dispatcher's dispatch through the service (scope check and lock, deadlines from the
    calendar and rules, update, event, derived columns, notification): CPU of this process per
    dispatch (the database's own time is not in it), after 10 to warm up."""
    from jiceng import factories
    from jiceng.orgs.models import Unit, User
    from jiceng.regions.models import Region
    from jiceng.tickets import services

    prefecture = Region.objects.get(code="652300000000")
    dispatcher = User.objects.filter(username="bench-dispatcher").first() or factories.account(
        "bench-dispatcher", ["dispatcher"], scope_region=prefecture
    )
    intake = User.objects.get(username="bench-intake")
    pairs = [
        (v, u)
        for v in Region.objects.filter(level="village").order_by("code")[:60]
        if (u := Unit.objects.filter(region=v, is_active=True).first())
    ]
    tickets = [
        (
            services.receive(
                intake,
                services.Intake(
                    title="楼道灯不亮",
                    content=f"基准测试派单 {i}",
                    region=pairs[i % len(pairs)][0],
                    requester_phone="13800138000",
                ),
            )[0],
            pairs[i % len(pairs)][1],
        )
        for i in range(n + 10)
    ]
    cpu, wall = [], []
    for ticket, unit in tickets:
        c0, w0 = time.process_time(), time.perf_counter()
        services.dispatch(dispatcher, ticket, unit)
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    cpu, wall = cpu[10:], wall[10:]
    return {
        "dispatches": len(cpu),
        "cpu_ms_p50": round(percentile(cpu, 50), 2),
        "cpu_ms_p95": round(percentile(cpu, 95), 2),
        "cpu_ms_mean": round(statistics.mean(cpu), 2),
        "wall_ms_p50": round(percentile(wall, 50), 2),
    }


def forget_bench_tickets() -> int:
    """Delete the tickets the intake, follow-up and dispatch benches took in today, so that
    the pages are measured on the million of the data set (they would otherwise fill the live
    month and the last 30 days' hot spots with one repeated sentence)."""
    from jiceng.tickets.models import Ticket

    mine = Ticket.objects.filter(created_by__username="bench-intake")
    total = 0
    while ids := list(mine.values_list("pk", flat=True)[:5000]):
        total += len(ids)
        Ticket.objects.filter(pk__in=ids).delete()
    return total


def clear_queue() -> None:
    """Forget the follow-ups the bench's own tickets queued (they are not the measure)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("DELETE FROM django_tasks_database_dbtaskresult")
        cur.execute("UPDATE tickets_ticket SET follow_up_pending = false WHERE follow_up_pending")


def _median_round(rounds: list[dict]) -> dict:
    """The round with the median rate, and the range over all rounds (this VM varies)."""
    ordered = sorted(rounds, key=lambda r: r["per_second"])
    return {
        **ordered[len(ordered) // 2],
        "rounds": len(ordered),
        "per_second_range": [ordered[0]["per_second"], ordered[-1]["per_second"]],
    }


# --- 1,000,000 tickets ----------------------------------------------------------------------

GENERATE = """
SELECT setseed(0.20261125);
CREATE TEMP TABLE bench_units AS
  SELECT row_number() OVER (ORDER BY id) AS rn, id, region_id FROM orgs_unit WHERE is_active;
CREATE TEMP TABLE bench_rows AS
  SELECT g,
         1 + floor(random() * (SELECT count(*) FROM bench_units))::int AS k,
         timestamptz '2025-12-01 00:00+08' + random() * interval '365 days' AS r,
         random() AS p_accept, random() * 40 AS accept_hours, random() AS p_reply,
         random() AS p_callback, random() AS p_solved, random() AS p_happy
  FROM generate_series(1, %(n)s) AS g;
INSERT INTO tickets_ticket (
  number, tracking_code, channel, requester_name, requester_phone, title, content, urgency,
  region_id, address, status, main_unit_id, received_at, accept_by, reply_by, accepted_at,
  replied_at, closed_at, reply, solved, satisfaction, is_supervised, updated_at,
  deadlines_provisional, public_description, requester_phone_index,
  follow_up_pending, language, text_language, summary, reply_local, placed_by, place_certain)
SELECT 'B' || lpad(g::text, 9, '0'), 'B' || lpad(to_hex(g), 9, '0'), 'hotline', '', '',
       '基准测试工单', '基准测试工单内容', 'normal', u.region_id, '',
       CASE WHEN p_accept > 0.9 THEN 'dispatched'
            WHEN p_reply > 0.85 THEN 'in_progress'
            WHEN p_callback > 0.8 THEN 'replied'
            WHEN p_solved > 0.8 OR p_happy > 0.9 THEN 'review'
            ELSE 'closed' END,
       u.id, r, r + interval '1 hour' + interval '1 day', r + interval '1 hour' + interval '5 days',
       CASE WHEN p_accept <= 0.9 THEN r + interval '1 hour' + accept_hours * interval '1 hour' END,
       CASE WHEN p_accept <= 0.9 AND p_reply <= 0.85 THEN r + interval '3 days' END,
       CASE WHEN p_accept <= 0.9 AND p_reply <= 0.85 AND p_callback <= 0.8 THEN r + interval '4 days' END,
       '', CASE WHEN p_accept <= 0.9 AND p_reply <= 0.85 AND p_callback <= 0.8 THEN p_solved <= 0.8 END,
       CASE WHEN p_accept > 0.9 OR p_reply > 0.85 OR p_callback > 0.8 THEN ''
            WHEN p_happy <= 0.6 THEN '满意' WHEN p_happy <= 0.9 THEN '基本满意' ELSE '不满意' END,
       false, r, false, '', '',
       false, 'zh-hans', 'zh', '', '', 'chosen', true
FROM bench_rows JOIN bench_units u ON u.rn = k;
"""

EVENTS = [
    ("receive", "received_at", "NULL", "NULL", "''", "'received'", "'{}'::jsonb", "TRUE"),
    (
        "dispatch",
        "received_at + interval '1 hour'",
        "main_unit_id",
        "accept_by",
        "'received'",
        "'dispatched'",
        "'{}'::jsonb",
        "TRUE",
    ),
    (
        "accept",
        "accepted_at",
        "main_unit_id",
        "NULL",
        "'dispatched'",
        "'in_progress'",
        "'{}'::jsonb",
        "accepted_at IS NOT NULL",
    ),
    (
        "reply",
        "replied_at",
        "main_unit_id",
        "reply_by",
        "'in_progress'",
        "'replied'",
        "'{}'::jsonb",
        "replied_at IS NOT NULL",
    ),
    (
        "callback",
        "closed_at",
        "main_unit_id",
        "NULL",
        "'replied'",
        "status",
        "jsonb_build_object('solved', solved, 'satisfaction', satisfaction)",
        "closed_at IS NOT NULL",
    ),
]


def ensure_million(n: int) -> dict:
    from django.db import connection, transaction

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM tickets_ticket WHERE number LIKE 'B%%'")
        have = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM tickets_ticketevent WHERE actor_label = '基准测试'")
        if have >= n and cur.fetchone()[0] >= have:  # tickets with their events
            cur.execute("SELECT count(*) FROM tickets_ticketevent")
            return {"tickets": have, "events": cur.fetchone()[0], "generated_seconds": None}
        say(f"generating {n:,} tickets and their events in SQL …")
        t0 = time.perf_counter()
        # one transaction: a generation that fails leaves no half-made data set behind
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "DELETE FROM tickets_ticketevent WHERE ticket_id IN "
                "(SELECT id FROM tickets_ticket WHERE number LIKE 'B%%')"
            )
            cur.execute("DELETE FROM tickets_ticket WHERE number LIKE 'B%%'")
            # events written here bypass the services: no month kept before may be read again
            cur.execute("DELETE FROM tickets_ratecell")
            cur.execute("DELETE FROM tickets_ratemonth")
            cur.execute(GENERATE, {"n": n})
            for action, at, unit, due, old, new, data, where in EVENTS:
                # a callback's answer, derived as the services keep it (TicketEvent.solved, …)
                answer = "solved, satisfaction" if action == "callback" else "NULL, ''"
                cur.execute(f"""
                    INSERT INTO tickets_ticketevent
                      (ticket_id, action, actor_label, at, from_status, to_status, unit_id, due_at,
                       reason, data, solved, satisfaction, counted, by_resident)
                    SELECT id, '{action}', '基准测试', {at}, {old}, {new}, {unit}, {due}, '', {data},
                           {answer}, true, false
                    FROM tickets_ticket WHERE number LIKE 'B%%' AND {where}
                    ORDER BY id
                """)
            # the derived columns the services keep (TicketEvent.superseded_at, .accepted_at): each
            # generated ticket has one dispatch, at most one accept and at most one callback, so
            # nothing is superseded and an assignment's acceptance is its ticket's accept
            cur.execute("""
                UPDATE tickets_ticketevent d SET accepted_at = a.at
                FROM tickets_ticketevent a
                WHERE d.action = 'dispatch' AND a.action = 'accept' AND a.ticket_id = d.ticket_id
                  AND a.unit_id = d.unit_id AND a.id > d.id
                  AND d.ticket_id IN (SELECT id FROM tickets_ticket WHERE number LIKE 'B%%')
            """)
    with connection.cursor() as cur:
        # as autovacuum would soon: statistics, and the visibility map for index-only scans
        cur.execute("VACUUM ANALYZE tickets_ticket")
        cur.execute("VACUUM ANALYZE tickets_ticketevent")
        cur.execute("SELECT count(*) FROM tickets_ticketevent")
        events = cur.fetchone()[0]
        return {
            "tickets": n,
            "events": events,
            "generated_seconds": round(time.perf_counter() - t0, 1),
        }


RAW_RANKING = """
WITH bounds AS (SELECT %(start)s::timestamptz AS s, %(end)s::timestamptz AS e),
assigned AS (
  SELECT ev.unit_id,
         count(*) AS dispatched,
         count(*) FILTER (WHERE EXISTS (
           SELECT 1 FROM tickets_ticketevent a
           WHERE a.ticket_id = ev.ticket_id AND a.action = 'accept' AND a.unit_id = ev.unit_id
             AND a.id > ev.id AND a.at <= ev.due_at)) AS on_time
  FROM tickets_ticketevent ev, bounds
  WHERE ev.action IN ('dispatch', 'redispatch', 'uphold_return') AND ev.at >= bounds.s AND ev.at < bounds.e
    AND NOT EXISTS (
      SELECT 1 FROM tickets_ticketevent l
      WHERE l.ticket_id = ev.ticket_id AND l.action IN ('dispatch', 'redispatch', 'uphold_return')
        AND l.id > ev.id)
  GROUP BY ev.unit_id),
answered AS (
  SELECT ev.unit_id, count(*) AS callbacks,
         count(*) FILTER (WHERE (ev.data -> 'solved') = 'true'::jsonb) AS solved,
         count(*) FILTER (WHERE ev.data ->> 'satisfaction' = '满意') AS s1,
         count(*) FILTER (WHERE ev.data ->> 'satisfaction' = '基本满意') AS s2,
         count(*) FILTER (WHERE ev.data ->> 'satisfaction' = '不满意') AS s3
  FROM tickets_ticketevent ev, bounds
  WHERE ev.action = 'callback' AND ev.at >= bounds.s AND ev.at < bounds.e
    AND NOT EXISTS (
      SELECT 1 FROM tickets_ticketevent l
      WHERE l.ticket_id = ev.ticket_id AND l.action = 'callback' AND l.id > ev.id AND l.at < bounds.e)
  GROUP BY ev.unit_id),
rates AS (
  SELECT coalesce(a.unit_id, c.unit_id) AS unit_id,
         coalesce(a.dispatched, 0) AS dispatched, coalesce(a.on_time, 0) AS on_time,
         coalesce(c.callbacks, 0) AS callbacks, coalesce(c.solved, 0) AS solved,
         100.0 * a.on_time / nullif(a.dispatched, 0) AS response_rate,
         100.0 * c.solved / nullif(c.callbacks, 0) AS solved_rate,
         100.0 * (%(c1)s * c.s1 + %(c2)s * c.s2 + %(c3)s * c.s3) / nullif(c.callbacks, 0) AS satisfied_rate
  FROM assigned a FULL OUTER JOIN answered c ON a.unit_id = c.unit_id),
scored AS (
  SELECT *,
    (coalesce(%(w1)s * response_rate, 0) + coalesce(%(w2)s * solved_rate, 0) + coalesce(%(w3)s * satisfied_rate, 0))
    / nullif((CASE WHEN response_rate IS NULL THEN 0 ELSE %(w1)s END)
           + (CASE WHEN solved_rate IS NULL THEN 0 ELSE %(w2)s END)
           + (CASE WHEN satisfied_rate IS NULL THEN 0 ELSE %(w3)s END), 0) AS score
  FROM rates)
SELECT u.code, u.name, s.dispatched, s.on_time, s.callbacks, s.solved,
       round(s.response_rate, 2), round(s.solved_rate, 2), round(s.satisfied_rate, 2),
       round(s.score, 2), rank() OVER (ORDER BY round(s.score, 2) DESC NULLS LAST) AS rank
FROM scored s JOIN orgs_unit u ON u.id = s.unit_id
ORDER BY rank, u.code
"""


def bench_ranking(runs: int) -> dict:
    from django.db import connection

    from jiceng.tickets import metrics, rates

    start, end = metrics.period_bounds(PERIOD)
    w = rates.weights()
    params = {
        "start": start,
        "end": end,
        "w1": w.response,
        "w2": w.solved,
        "w3": w.satisfied,
        "c1": w.credit["满意"],
        "c2": w.credit["基本满意"],
        "c3": w.credit["不满意"],
    }

    def orm():
        return rates.ranking(PERIOD)

    def raw():
        with connection.cursor() as cur:
            cur.execute(RAW_RANKING, params)
            return cur.fetchall()

    def timed(fn):
        fn()  # warm the cache once
        samples = []
        for _ in range(runs):
            t0 = time.perf_counter()
            result = fn()
            samples.append(time.perf_counter() - t0)
        return result, samples

    orm_rows, orm_times = timed(orm)
    raw_rows, raw_times = timed(raw)
    ours = {r.key: (r.dispatched, r.on_time, r.callbacks, r.solved, r.score) for r in orm_rows}
    theirs = {
        code: (d, o, c, s, None if score is None else float(score))
        for code, _, d, o, c, s, _, _, _, score, _ in raw_rows
    }
    same = ours.keys() == theirs.keys() and all(
        ours[k][:4] == theirs[k][:4]
        and (ours[k][4] is None) == (theirs[k][4] is None)
        and (ours[k][4] is None or abs(ours[k][4] - theirs[k][4]) <= 0.011)
        for k in ours
    )
    orm_median, raw_median = statistics.median(orm_times), statistics.median(raw_times)
    return {
        "period": PERIOD,
        "units_ranked": len(orm_rows),
        "tickets_in_period": sum(r.dispatched for r in orm_rows),
        "orm_seconds_median": round(orm_median, 3),
        "orm_seconds_max": round(max(orm_times), 3),
        "raw_sql_seconds_median": round(raw_median, 3),
        "ratio_orm_to_raw": round(orm_median / raw_median, 2),
        "same_numbers": same,
        "runs": runs,
    }


def bench_pages(runs: int) -> dict:
    """The leaders' pages at 1M tickets, rendered in-process through Django's test client
    (DEBUG off, no network) as a leader of the whole prefecture: the dashboard and a busy
    unit's own page, for a month and for a year; and the year's ranking alone."""
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import override_settings

    from jiceng import factories
    from jiceng.orgs.models import Unit, User
    from jiceng.regions.models import Region
    from jiceng.tickets import rates
    from jiceng.tickets.rates import rollup

    year = PERIOD[:4]
    leader = User.objects.filter(username="bench-leader").first() or factories.account(
        "bench-leader", ["leader"], scope_region=Region.objects.get(code="652300000000")
    )
    busy = (
        Unit.objects.filter(main_tickets__number__startswith="B")
        .annotate(n=Count("main_tickets"))
        .order_by("-n")
        .first()
    )
    client = Client()
    client.force_login(leader)

    def timed(fn) -> dict:
        fn()  # warm
        samples = []
        for _ in range(runs):
            t0 = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - t0)
        return {"median": round(statistics.median(samples), 3), "max": round(max(samples), 3)}

    def page(url):
        def get():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return get

    out = {"runs": runs, "unit": busy.name if busy else None}
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        out["ranking_year"] = timed(lambda: rates.ranking(year))
        out["dashboard_month"] = timed(page(f"/dashboard/?period={PERIOD}"))
        out["dashboard_year"] = timed(page(f"/dashboard/?period={year}"))
        if busy:
            out["unit_month"] = timed(page(f"/dashboard/units/{busy.pk}/?period={PERIOD}"))
            out["unit_year"] = timed(page(f"/dashboard/units/{busy.pk}/?period={year}"))
        out["hotspots"] = timed(page("/dashboard/hotspots/"))  # kept (the first read counts)
        from jiceng.dispatch import selectors as dispatch_selectors

        out["hotspots_recount"] = timed(lambda: dispatch_selectors.hot_spots(leader, days=30))
        out["report_export"] = timed(page(f"/dashboard/export.xlsx?period={PERIOD}"))
        # a county's export is made by the worker (the page answers at once with its progress):
        # what is timed is the worker's building of the file
        from jiceng.tickets import exports, records

        def county_export():
            found = exports.searched(leader, "region=652301000000")
            records.workbook(found.tickets, title="bench")

        out["tickets_export"] = timed(county_export)
        # the worst hour for the live month: its last, when a whole month of tickets (here
        # November, about 82,000) is still counted from the events on every page
        import time_machine

        with time_machine.travel(datetime(2026, 11, 30, 23, tzinfo=ZoneInfo("Asia/Shanghai"))):
            client.force_login(leader)  # a session from the future would be refused
            out["dashboard_year_full_live_month"] = timed(page(f"/dashboard/?period={year}"))
        client.force_login(leader)
        # the first read after every month of the year changed: each month recounted from the
        # events and kept again (what a reader meets after, say, a ledger re-import)
        from jiceng.tickets import metrics, rates
        from jiceng.tickets.rates import rollup

        rollup.invalidate([m.start for m in metrics.parse_period(year).months()])
        t0 = time.perf_counter()
        page(f"/dashboard/?period={year}")()
        out["dashboard_year_cold"] = round(time.perf_counter() - t0, 3)
    return out


# --- report ---------------------------------------------------------------------------------


def args_seconds(h: dict) -> str:
    return f"{h.get('seconds', 20)} s"


def write_report(results: dict | None) -> None:
    """docs/benchmarks.md from the database part (results, None when it has not run here)
    and the dispatch part (bench/dispatch_results.json, when present)."""
    (ROOT / "bench").mkdir(exist_ok=True)
    lines = [
        "# Benchmarks",
        "",
        "Measured by `make bench`: `bench/run.py` (intake and the 三率 ranking, on PostgreSQL;",
        "raw numbers in `bench/results.json`) and `bench/dispatch.py` (the dispatch model and",
        "hot spots, in-process; raw numbers in `bench/dispatch_results.json`). Re-run after a",
        "change that touches what they measure.",
        "",
    ]
    if results:
        (ROOT / "bench" / "results.json").write_text(
            json.dumps(results, ensure_ascii=False, indent=2) + "\n"
        )
        lines += _database_lines(results)
    dispatch = ROOT / "bench" / "dispatch_results.json"
    if dispatch.exists():
        lines += _dispatch_lines(json.loads(dispatch.read_text()))
    notes = ROOT / "bench" / "NOTES.md"
    if notes.exists():
        lines += [notes.read_text().strip(), ""]
    (ROOT / "docs" / "benchmarks.md").write_text("\n".join(lines))


def _database_lines(results: dict) -> list[str]:
    s, h, r, m = (
        results["service_intake"],
        results.get("http_intake"),
        results["ranking"],
        results["dataset"],
    )
    lines = [
        "## Intake and the 三率 ranking",
        "",
        f"- Run: {results['ran_at']} on {results['machine']['cpus']} CPUs, Python "
        f"{results['machine']['python']}, {results['machine']['postgres']}",
        f"- Data: {m['tickets']:,} tickets with {m['events']:,} events over 12 months, "
        f"{results['units']:,} units (the demo prefecture)",
        f"- Dispatch model: {results.get('model', 'not recorded')}",
        "",
        "| measure | target | result |",
        "|---|---|---|",
    ]
    if "per_second_range" in s:
        low, high = s["per_second_range"]
        lines.append(
            f"| intake through the service layer (the ticket, its event, its key and a task; no "
            f"model) | – | {s['per_second']} tickets/s (median of {s['rounds']} rounds, range "
            f"{low}–{high}; p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms) |"
        )
    if h and "bare" in h:
        b, j = h["bare"], h["jiceng"]
        lines += [
            f"| bare endpoint over HTTP (`bench/bare`: token, 4 fields, ticket + event in one "
            f"transaction; gunicorn {h['gunicorn_workers']} workers, wrk {h['connections']} "
            f"connections, {h['rounds']} rounds of {h['seconds']} s) | – | {b['per_second']} "
            f"requests/s (range {b['per_second_range'][0]}–{b['per_second_range'][1]}; p50 "
            f"{b['p50_ms']} ms, p99 {b['p99_ms']} ms) |",
            f"| jiceng's `POST /api/v1/tickets`, same settings, rounds alternating with the bare "
            f"one (worker stopped) | – | {j['per_second']} tickets/s (range "
            f"{j['per_second_range'][0]}–{j['per_second_range'][1]}; p50 {j['p50_ms']} ms, "
            f"p95 {j['p95_ms']} ms; {j['failures']} failures) |",
            f"| CPU per request, gunicorn (master and workers) / PostgreSQL, median round | – | "
            f"bare {b['app_cpu_ms_per_request']} / {b['db_cpu_ms_per_request']} ms; jiceng "
            f"{j['app_cpu_ms_per_request']} / {j['db_cpu_ms_per_request']} ms |",
            f"| jiceng ÷ bare, per pair of rounds | ≥ 0.6× | **{h['ratio_median']}×** median "
            f"(pairs: {', '.join(map(str, h['ratios']))}) |",
            f"| jiceng's HTTP intake p99 | ≤ 100 ms | **{j['p99_ms']} ms** median round "
            f"(worst round {j['p99_ms_max']} ms) |",
        ]
    f = results.get("follow_up")
    if f:
        for key, label in [
            ("advice", "the model's advice, themes and receipt"),
            ("auto_dispatch", "the same and an auto-dispatch (threshold 0.5)"),
        ]:
            if key in f:
                x = f[key]
                share = x.get("dispatched_share")
                extra = f"; {round(100 * share)} % dispatched" if share is not None else ""
                lines.append(
                    f"| the worker's follow-up of one ticket, in-process: {label} | – | CPU p50 "
                    f"{x['cpu_ms_p50']} ms, p95 {x['cpu_ms_p95']} ms (wall p50 {x['wall_ms_p50']} "
                    f"ms){extra} |"
                )
    wk = results.get("worker")
    if wk and "per_second" in wk:
        lines.append(
            f"| one `jiceng worker` on a queue of {wk['queued']:,} follow-ups | – | "
            f"{wk['per_second']} tickets/s ({wk['ms_each']} ms each, claim included) |"
        )
    ad = results.get("auto_dispatch")
    if ad and "p95_s" in ad:
        lines.append(
            f"| auto-dispatch after intake: {ad['rate_per_second']} sure requests/s over HTTP for "
            f"{ad['seconds']} s, one worker running | p95 ≤ 5 s | p95 **{ad['p95_s']} s** (p50 "
            f"{ad['p50_s']} s, max {ad['max_s']} s; {ad['dispatched']} of {ad['requests']} "
            f"dispatched) |"
        )
    d = results.get("dispatch_cpu")
    if d:
        lines.append(
            f"| a dispatcher's dispatch through the service, CPU of the app process | ≤ 3 ms | "
            f"p50 **{d['cpu_ms_p50']} ms**, p95 {d['cpu_ms_p95']} ms ({d['dispatches']} "
            f"dispatches; wall p50 {d['wall_ms_p50']} ms) |"
        )
    profile = results.get("profile")
    carried = [
        f"{name} from the run of {part['from_run']}"
        for name, part in (
            ("service intake", s),
            ("HTTP intake", h or {}),
            ("the ranking", r),
        )
        if part.get("from_run")
    ]
    lines += [
        f"| monthly 三率 ranking ({r['period']}, {r['units_ranked']} units, "
        f"{r['tickets_in_period']:,} tickets dispatched in the month) | ≤ 1 s | "
        f"{r['orm_seconds_median']} s median of {r['runs']} (max {r['orm_seconds_max']} s) |",
        f"| the same numbers in one raw SQL statement | – | {r['raw_sql_seconds_median']} s median |",
        f"| ranking ÷ the definition over raw events, in one SQL statement | ≤ 1.5× | {r['ratio_orm_to_raw']}× (same numbers: {'yes' if r['same_numbers'] else 'NO'}) |",
    ]
    pages = results.get("pages")
    if pages:
        for key, label, target in [
            ("ranking_year", f"yearly 三率 ranking ({r['period'][:4]})", "≤ 0.5 s"),
            ("dashboard_month", f"`/dashboard/` for a month ({r['period']})", "≤ 1 s"),
            ("dashboard_year", f"`/dashboard/` for a year ({r['period'][:4]})", "≤ 1 s"),
            ("unit_month", f"a unit's page for a month ({pages['unit']})", "≤ 1 s"),
            ("unit_year", f"a unit's page for a year ({pages['unit']})", "≤ 1 s"),
        ]:
            if key in pages:
                x = pages[key]
                lines.append(
                    f"| {label}, in-process, DEBUG off | {target} | {x['median']} s median of "
                    f"{pages['runs']} (max {x['max']} s) |"
                )
        if "dashboard_year_full_live_month" in pages:
            x = pages["dashboard_year_full_live_month"]
            lines.append(
                f"| `/dashboard/` for the year at 23:00 on 30 November, a whole live month "
                f"counted from the events, in-process, DEBUG off | ≤ 1 s | {x['median']} s median "
                f"of {pages['runs']} (max {x['max']} s) |"
            )
        for key, label, target in [
            (
                "hotspots",
                "`/dashboard/hotspots/` (30 days, the prefecture), clusters kept",
                "≤ 1 s",
            ),
            (
                "hotspots_recount",
                "the worker's recount of those hot spots (up to 5,000 texts)",
                "–",
            ),
            ("report_export", f"the 通报 export `/dashboard/export.xlsx` ({r['period']})", "≤ 1 s"),
            (
                "tickets_export",
                "the worker's building of a county's ticket export (5,000 tickets and events; "
                "the page answers at once and shows its progress)",
                "–",
            ),
        ]:
            if key in pages:
                x = pages[key]
                lines.append(
                    f"| {label}, in-process, DEBUG off | {target} | {x['median']} s median of "
                    f"{pages['runs']} (max {x['max']} s) |"
                )
        if "dashboard_year_cold" in pages:
            lines.append(
                f"| `/dashboard/` for the year, first read after all its months changed "
                f"(each recounted from the events and kept again) | – | "
                f"{pages['dashboard_year_cold']} s, once |"
            )
    lines += [""]
    if carried:
        lines += [f"Carried over unchanged: {'; '.join(carried)}.", ""]
    if profile and "parts" in profile:
        lines += [
            f"Where one HTTP intake's time goes: cProfile of {profile['requests']:,} requests "
            f"through the WSGI application in one process (`bench/profile_intake.py`), "
            f"{profile['cpu_ms_per_request']} ms of CPU per request without the profiler "
            f"({profile['wall_ms_per_request']} ms wall); under it, each part's ms per request "
            "(the profiler roughly doubles them; the shares are what matter):",
            "",
            "| part | ms per request, profiled |",
            "|---|---|",
            *[f"| {p['part'].strip()} | {p['ms']} |" for p in profile["parts"]],
            "",
        ]
    return lines


def _dispatch_lines(d: dict) -> list[str]:
    cv, tr, lat, dup, hot = d["cv"], d["train"], d["latency"], d["duplicates"], d["hotspots"]
    lines = [
        "## Dispatch model and hot spots",
        "",
        f"- Run: {d['ran_at']} on {d['machine']['cpus']} CPUs, Python {d['machine']['python']}",
        f"- Accuracy is measured by {cv['folds']}-fold cross-validation over the {cv['n']:,} shipped",
        f"  raw messages and, in step, the {cv['word_split']['n']:,} word-split ones: each fold trains on",
        "  the other folds of both and is scored on each form apart; the owners' held-out 20 % is",
        "  never seen here.",
        "",
        "| measure | target | result |",
        "|---|---|---|",
        f"| accuracy on unseen raw messages | ≥ 0.92 (aim 0.95) | **{cv['accuracy']}** "
        f"(folds {', '.join(str(a) for a in cv['accuracy_by_fold'])}) |",
        f"| accuracy on unseen word-split messages | ≥ 0.92 (aim 0.95) | **{cv['word_split']['accuracy']}** "
        f"(folds {', '.join(str(a) for a in cv['word_split']['accuracy_by_fold'])}) |",
        f"| accuracy on all unseen messages, both forms | – | {cv['accuracy_all']} |",
        f"| macro-F1 (raw; word-split) | – | {cv['macro_f1']}; {cv['word_split']['macro_f1']} |",
        f"| top-3 accuracy (raw; word-split) | ≥ 0.98 | {cv['top3_accuracy']}; {cv['word_split']['top3_accuracy']} |",
        f"| per message, one at a time, in-process ({lat['n']:,} messages) | p95 ≤ 5 ms | "
        f"p95 **{lat['p95_ms']} ms** (p50 {lat['p50_ms']} ms, max {lat['max_ms']} ms; "
        f"median of {lat.get('passes', 1)} passes, p95 range {lat.get('p95_ms_range', '–')}) |",
        f"| training on all {tr['examples']:,} shipped examples | ≤ 2 min | {tr['seconds']} s |",
        f"| duplicate look-up against {dup['candidates']} open tickets | – | p50 {dup['p50_ms']} ms, p95 {dup['p95_ms']} ms |",
        f"| duplicates: a re-post (same title) found among {dup.get('pool', '–')} others | – | "
        f"{dup.get('recall_of_reposts', '–')} of {dup.get('reposts_checked', '–')} |",
        f"| duplicates: a message with a unique title flagged anyway (some are real duplicates in other words) | – | "
        f"{dup.get('unique_flagged', '–')} of {dup.get('unique_checked', '–')} |",
        f"| hot-spot clustering of all {hot['messages']:,} messages of hotspot_messages.csv | – | "
        f"{hot['seconds']} s: {hot['clusters']} clusters of 2 or more, holding "
        f"{hot['clustered_messages']:,} messages; largest {', '.join(map(str, hot['largest']))} |",
        "",
        "Auto-dispatch, from the same out-of-fold predictions (precision: the share the model",
        "gets right among the messages it would dispatch on its own; coverage: the share of all",
        "messages it would dispatch):",
        "",
        "| threshold | coverage | precision |",
        "|---|---|---|",
    ]
    for row in cv["auto_dispatch"]:
        lines.append(f"| {row['threshold']} | {row['coverage']} | {row['precision']} |")
    lines.append("")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--service-tickets", type=int, default=2000)
    parser.add_argument("--http-seconds", type=int, default=20)
    parser.add_argument("--http-rounds", type=int, default=3, help="report the median round")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--connections", type=int, default=6)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--skip-http",
        action="store_true",
        help="keep the last run's HTTP, worker, auto-dispatch and profile numbers",
    )
    parser.add_argument(
        "--skip-ranking", action="store_true", help="keep the last run's ranking numbers"
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="CI's check that the bench still runs: 10,000 tickets, one short round of each "
        "part, on its own database (BENCH_SMOKE_DATABASE_URL); writes no report",
    )
    parser.add_argument(
        "--skip-intake",
        action="store_true",
        help="keep the last run's service-intake, follow-up and dispatch numbers",
    )
    args = parser.parse_args()
    if args.smoke:
        args.tickets, args.service_tickets, args.runs = 10_000, 100, 1
        args.http_seconds, args.http_rounds, args.skip_ranking = 3, 1, False
    previous_file = ROOT / "bench" / "results.json"
    previous = json.loads(previous_file.read_text()) if previous_file.exists() else {}

    url = (
        os.environ.get("BENCH_SMOKE_DATABASE_URL", DEFAULT_URL + "_smoke")
        if args.smoke
        else os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    )
    ensure_database(url)
    setup_django(url)
    from django.db import connection

    ready = prepare()
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = "PostgreSQL " + cur.fetchone()[0]
    results = {
        "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "postgres": pg},
        "units": ready["units"],
    }
    if args.skip_intake and "service_intake" in previous:
        for part in ("service_intake", "follow_up", "dispatch_cpu"):
            if part in previous:
                results[part] = {"from_run": previous["ran_at"], **previous[part]}
    else:
        say("intake through the services …")
        rounds = [bench_service_intake(ready["user"], args.service_tickets) for _ in range(3)]
        results["service_intake"] = _median_round(rounds)
        say(results["service_intake"])
        say("the follow-up the worker does, per ticket …")
        results["follow_up"] = bench_follow_up(ready["user"], 300)
        say(results["follow_up"])
        say("a dispatcher's dispatch …")
        results["dispatch_cpu"] = bench_dispatch_cpu(300)
        say(results["dispatch_cpu"])
        clear_queue()
    if args.skip_http and "http_intake" in previous:
        for part in ("http_intake", "worker", "auto_dispatch", "profile"):
            if part in previous:
                results[part] = {"from_run": previous["ran_at"], **previous[part]}
    if not args.skip_http:
        from jiceng.orgs.tokens import create_token
        from jiceng.regions.models import Region

        token = create_token(ready["user"], "bench")
        codes = list(
            Region.objects.filter(level="village")
            .order_by("code")
            .values_list("code", flat=True)[:200]
        )
        say("intake over HTTP, against the bare endpoint …")
        results["http_intake"] = load.intake_against_bare(
            url,
            token,
            codes,
            seconds=args.http_seconds,
            rounds=args.http_rounds,
            workers=args.workers,
            connections=args.connections,
        )
        say({k: v for k, v in results["http_intake"].items() if k != "rounds_detail"})
        say("the worker on the queue the HTTP rounds left …")
        results["worker"] = load.worker_drain(url)
        say(results["worker"])
        say("auto-dispatch: sure requests at a steady rate, the worker running …")
        results["auto_dispatch"] = load.auto_dispatch_latency(
            url, token, codes, rate=2, seconds=5 if args.smoke else 60, workers=args.workers
        )
        say(results["auto_dispatch"])
        clear_queue()
        say("a profile of the intake path …")
        import profile_intake

        results["profile"] = profile_intake.summary(profile_intake.profile(1000, 40, "cumulative"))
        say({k: v for k, v in results["profile"].items() if k != "top"})
        clear_queue()
    say(f"forgot {forget_bench_tickets():,} tickets the benches took in")
    results["dataset"] = ensure_million(args.tickets)
    say(results["dataset"])
    if args.skip_ranking and "ranking" in previous:
        results["ranking"] = {"from_run": previous["ran_at"], **previous["ranking"]}
    else:
        say("the monthly ranking …")
        results["ranking"] = bench_ranking(args.runs)
    say(results["ranking"])
    say("the leaders' pages …")
    results["pages"] = bench_pages(max(3, args.runs // 2 + 1))
    say(results["pages"])
    from jiceng.dispatch.models import DispatchSettings, ModelVersion

    active = ModelVersion.objects.filter(is_active=True).first()
    config = DispatchSettings.current()
    results["model"] = (
        f"v{active.version} (advice for every new ticket, in the worker; auto-dispatch "
        f"{'on' if config.auto_dispatch else 'off'} at {config.threshold}, the defaults)"
        if active
        else "none (intake without suggestions)"
    )
    if args.smoke:  # a check that every part runs, at a size whose numbers mean nothing
        say("smoke run: every part ran; no report written")
        return
    write_report(results)
    say("wrote bench/results.json and docs/benchmarks.md")


if __name__ == "__main__":
    main()
