"""Rate limits of the public pages, shared by every worker and machine through the cache.

Each limit is named; its rate ("10/h") comes from the setting `RATE_LIMITS`, which the
environment may override per name (`RATE_LIMIT_TRACK_CODE=5/h`). An answer over the limit is
429 with a Chinese message (`project.views.rate_limited`).
"""

from django.conf import settings
from django_ratelimit.decorators import ratelimit


def _rate(name: str):
    def rate(group, request) -> str:
        return settings.RATE_LIMITS[name]

    return rate


def limit(name: str, key: str = "ip", method: str = "POST"):
    """Refuse the request (429) once `name`'s rate is used up for `key`."""
    return ratelimit(group=f"jiceng.{name}", key=key, rate=_rate(name), method=method, block=True)
