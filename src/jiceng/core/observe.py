"""What a county's IT office watches: one JSON log line per request and per background job,
and a Prometheus endpoint.

Log lines name the actor (account id and username) and the ticket, never personal data: a
path that holds a tracking code or a rating secret is logged with it replaced, and no query
string, form field or phone number is written.

The counters here are served by `/metrics` (`jiceng.project.metrics`), with what it reads from
the database at each scrape.
"""

import logging
import re
import time

from prometheus_client import (
    Counter,
    Histogram,
)

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


# The subject of a request for the log (the ticket a staff route is about, by its number),
# given by the app that knows it: `tickets` sets it in its AppConfig.ready.
subject_of = None


def _ticket(request) -> str | None:
    return subject_of(request) if subject_of is not None else None


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
