"""`/metrics` (Prometheus text format) answers only with `Authorization: Bearer <METRICS_TOKEN>`;
without a token configured it answers 404. It reports the requests this process served
(`core.observe`) and, read from the database at each scrape (so every worker agrees), the open
and overdue tickets, the notification backlog, the last sweep, the calendar and the last
backup. Under gunicorn with several workers set PROMETHEUS_MULTIPROC_DIR (prometheus_client's
multiprocess mode)."""

import hmac
import os
from datetime import datetime

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily


class StateCollector:
    """What the database says now, read at each scrape."""

    def collect(self):
        from jiceng.tickets.models import EngineSettings, Notification, Ticket
        from jiceng.tickets.states import Status

        from .views import _backup_health, _calendar_health

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
        from jiceng.tickets.services import awaiting_summary

        bilingual = awaiting_summary(Ticket.objects.all())
        first = bilingual.order_by("received_at").values_list("received_at", flat=True).first()
        yield GaugeMetricFamily(
            "jiceng_tickets_awaiting_summary",
            "Requests in Uyghur or Kazakh waiting for a Chinese summary (双语受理)",
            value=bilingual.count(),
        )
        yield GaugeMetricFamily(
            "jiceng_awaiting_summary_oldest_seconds",
            "Age of the oldest request waiting for a Chinese summary",
            value=(now - first).total_seconds() if first else 0,
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
