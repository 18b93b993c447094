"""What a county's IT office watches: one JSON log line per request and per background job,
and a Prometheus endpoint.

Log lines name the actor (account id and username) and the ticket, never personal data: a
path that holds a tracking code or a rating secret is logged with it replaced, and no query
string, form field or phone number is written.

`/metrics` (Prometheus text format) answers only with `Authorization: Bearer <METRICS_TOKEN>`;
without a token configured it answers 404. It reports the requests this process served and,
read from the database at each scrape (so every worker agrees), the open and overdue tickets,
the notification backlog, the last sweep, the calendar and the last backup. Under gunicorn
with several workers set PROMETHEUS_MULTIPROC_DIR (prometheus_client's multiprocess mode).
"""

import hmac
import logging
import os
import re
import time
from datetime import datetime

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

log = logging.getLogger("jiceng.request")
jobs_log = logging.getLogger("jiceng.job")

REQUESTS = Counter(
    "jiceng_http_requests_total", "HTTP requests served", ["method", "route", "status"]
)
LATENCY = Histogram(
    "jiceng_http_request_seconds",
    "Time to answer an HTTP request",
    ["route"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
JOBS = Counter("jiceng_job_runs_total", "Background job runs", ["job", "outcome"])

# Paths that carry a secret or a resident's tracking code keep only their shape.
_SECRET_PATHS = [
    (re.compile(r"^/track/[^/]+"), "/track/<code>"),
    (re.compile(r"^/submitted/[^/]+"), "/submitted/<code>"),
    (re.compile(r"^/r/[^/]+"), "/r/<secret>"),
    (re.compile(r"^/open311/v2/tokens/[^/.]+"), "/open311/v2/tokens/<token>"),
]
_TICKET_KWARGS = ("pk", "ticket_id")


def safe_path(path: str) -> str:
    for pattern, shape in _SECRET_PATHS:
        if pattern.match(path):
            return pattern.sub(shape, path, count=1)
    return path


def _route(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or match.route or "unmatched"


def _ticket(request) -> str | None:
    """The ticket a staff route is about, by its number (one indexed look-up)."""
    match = getattr(request, "resolver_match", None)
    route = match.route if match is not None else ""
    if not (route.startswith("work/tickets/<") or route.startswith("api/v1/tickets/<")):
        return None
    value = next((match.kwargs[k] for k in _TICKET_KWARGS if k in match.kwargs), None)
    if value is None:
        return None
    from jiceng.tickets.models import Ticket

    try:
        return Ticket.objects.filter(pk=int(value)).values_list("number", flat=True).first()
    except (TypeError, ValueError):
        return None


class RequestLogMiddleware:
    """One log line per request (JSON with LOG_FORMAT=json) and the request metrics."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        route = _route(request)
        REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        LATENCY.labels(route).observe(seconds)
        if route != "healthz" and route != "metrics":
            user = getattr(request, "user", None)
            signed_in = bool(user is not None and user.is_authenticated)
            log.info(
                "%s %s %s",
                request.method,
                safe_path(request.path),
                response.status_code,
                extra={
                    "method": request.method,
                    "path": safe_path(request.path),
                    "route": route,
                    "status": response.status_code,
                    "ms": round(seconds * 1000, 1),
                    "actor_id": user.pk if signed_in else None,
                    "actor": user.get_username() if signed_in else None,
                    "ticket": _ticket(request) if signed_in else None,
                },
            )
        return response


class Job:
    """`with Job("sweep") as job: … job.result.update(counts)`: one log line and a counter."""

    def __init__(self, name: str):
        self.name = name
        self.result: dict = {}

    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, kind, error, traceback):
        outcome = "error" if error else "ok"
        JOBS.labels(self.name, outcome).inc()
        jobs_log.log(
            logging.ERROR if error else logging.INFO,
            "job %s %s",
            self.name,
            outcome,
            extra={
                "job": self.name,
                "outcome": outcome,
                "ms": round((time.perf_counter() - self.started) * 1000, 1),
                "error": error.__class__.__name__ if error else None,
                **{k: v for k, v in self.result.items() if isinstance(v, int | float | str)},
            },
        )
        return False


class StateCollector:
    """What the database says now, read at each scrape."""

    def collect(self):
        from jiceng.core.views import _backup_health, _calendar_health
        from jiceng.tickets.models import EngineSettings, Notification, Ticket
        from jiceng.tickets.states import Status

        now = timezone.now()
        closed = [Status.CLOSED, Status.MERGED]
        open_tickets = Ticket.objects.exclude(status__in=closed)
        gauge = GaugeMetricFamily(
            "jiceng_tickets_open", "Open tickets by status", labels=["status"]
        )
        for status, count in _count_by(open_tickets, "status"):
            gauge.add_metric([status], count)
        yield gauge
        yield GaugeMetricFamily(
            "jiceng_tickets_overdue",
            "Open tickets marked overdue",
            value=open_tickets.filter(overdue_at__isnull=False).count(),
        )
        pending = Notification.objects.filter(state=Notification.State.PENDING)
        oldest = pending.order_by("created_at").values_list("created_at", flat=True).first()
        yield GaugeMetricFamily(
            "jiceng_notifications_pending", "Messages waiting", value=pending.count()
        )
        yield GaugeMetricFamily(
            "jiceng_notifications_failed",
            "Messages parked after their last try",
            value=Notification.objects.filter(state=Notification.State.FAILED).count(),
        )
        yield GaugeMetricFamily(
            "jiceng_notifications_oldest_seconds",
            "Age of the oldest waiting message",
            value=(now - oldest).total_seconds() if oldest else 0,
        )
        last = EngineSettings.objects.filter(pk=1).values_list("last_sweep_at", flat=True).first()
        yield GaugeMetricFamily(
            "jiceng_sweep_age_seconds",
            "Seconds since jiceng sweep last ran (-1: never)",
            value=(now - last).total_seconds() if last else -1,
        )
        calendar = _calendar_health()
        yield GaugeMetricFamily(
            "jiceng_calendar_provisional_days",
            "Days of the next 60 whose working-day status is provisional",
            value=calendar.get("provisional_days", 0),
        )
        backup = _backup_health()
        yield GaugeMetricFamily(
            "jiceng_backup_age_seconds",
            "Seconds since the newest backup archive (-1: none)",
            value=(
                (now - datetime.fromisoformat(backup["last"])).total_seconds()
                if backup.get("last")
                else -1
            ),
        )


def _count_by(queryset, field):
    from django.db.models import Count

    return queryset.order_by().values_list(field).annotate(n=Count("pk"))


_state = StateCollector()


def _registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(_state)
        return registry
    if _state not in getattr(REGISTRY, "_collector_to_names", {}):
        REGISTRY.register(_state)
    return REGISTRY


def metrics(request):
    token = getattr(settings, "METRICS_TOKEN", "")
    given = request.headers.get("Authorization", "")
    if not token or not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        raise Http404  # nothing says the endpoint exists
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
