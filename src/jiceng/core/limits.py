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


def client_ip(request) -> str:
    """The client's address, as both django-ratelimit and django-axes read it: the header the
    proxy sets (`RATELIMIT_IP_META_KEY`, e.g. HTTP_X_REAL_IP behind the documented nginx),
    else the socket's address. Behind a proxy without it, every visitor would be 127.0.0.1,
    and a lockout by address would lock everyone out."""
    key = getattr(settings, "RATELIMIT_IP_META_KEY", None)
    found = request.META.get(key, "") if key else ""
    return (found or request.META.get("REMOTE_ADDR", "")).split(",")[0].strip()
