"""Links a resident receives: a signed key that opens their ticket's page without a login."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "jiceng.tickets.track"


def resident_key(tracking_code: str) -> str:
    return signing.dumps(tracking_code, salt=SALT, compress=True)


def key_opens(key: str, tracking_code: str) -> bool:
    try:
        return signing.loads(key, salt=SALT) == tracking_code
    except signing.BadSignature:
        return False


def resident_link(tracking_code: str) -> str:
    path = reverse("track-ticket", args=[tracking_code])
    return f"{settings.SITE_URL.rstrip('/')}{path}?k={resident_key(tracking_code)}"
