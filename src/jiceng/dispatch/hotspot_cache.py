"""Hot spots kept per scope for a few minutes, and recounted by the background worker.

Clustering a month of a prefecture's requests (up to 5,000 texts) takes seconds (2.6 s on the
bench database, 6 s for 4,292 varied messages): too long for a page. The clusters of each scope
and window are kept in Django's cache with the moment they were counted. A page shows what is
kept; once it is older than `FRESH`, the page still shows it and queues one recount in the
worker (a second reader within five minutes queues none). Only the first look of a scope at a
window, or one after a day unread, counts while the reader waits. The page says when its
clusters were counted.
"""

import logging
from datetime import datetime, timedelta

from django.core.cache import cache
from django.utils import timezone
from django_tasks import task

from jiceng.orgs.access import scope_of

from . import selectors

log = logging.getLogger("jiceng.dispatch")
FRESH = timedelta(minutes=10)
KEEP_SECONDS = 24 * 3600
RECOUNT_SECONDS = 300  # one recount queued per scope and window at a time


def _key(user, days: int) -> str:
    scope = scope_of(user)
    return f"hotspots:v2:{int(scope.everything)}:{scope.path}:{scope.unit_id}:{days}"


def _count(user, days: int) -> tuple[datetime, list, int]:
    clusters, looked_at = selectors.hot_spots(user, days=days)
    for spot in clusters:  # the cache is a plain table: no resident's name or phone goes in
        for ticket in [*spot.representatives, *spot.tickets]:
            ticket.requester_name = ticket.requester_phone = ticket.requester_phone_index = ""
    counted = (timezone.now(), clusters, looked_at)
    cache.set(_key(user, days), counted, KEEP_SECONDS)
    return counted


@task()
def recount(user_id: int, days: int) -> int:
    from jiceng.orgs.models import User

    user = User.objects.select_related("scope_region", "scope_unit__region").get(pk=user_id)
    _, clusters, _ = _count(user, days)
    cache.delete(_key(user, days) + ":recounting")
    return len(clusters)


def read(user, days: int) -> tuple[list, int, datetime]:
    """(clusters, tickets looked at, when they were counted) for the user's scope."""
    key = _key(user, days)
    kept = cache.get(key)
    if kept is None:
        at, clusters, looked_at = _count(user, days)
        return clusters, looked_at, at
    at, clusters, looked_at = kept
    if timezone.now() - at > FRESH and cache.add(key + ":recounting", 1, RECOUNT_SECONDS):
        try:
            recount.enqueue(user.pk, days)
        except Exception:  # the queue is down: the kept clusters stay, a later look retries
            log.exception("hot spots recount not queued")
    return clusters, looked_at, at
