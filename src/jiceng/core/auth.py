"""Sign-in lockout (django-axes) for every sign-in that comes over HTTP."""

from datetime import timedelta

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from .limits import client_ip


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, except for sign-ins that carry no HTTP request (Django's test
    client `login()`, a management command): no visitor can reach those, and axes refuses
    them outright. Every sign-in page passes its request and is checked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        super().authenticate(request, username=username, password=password, **kwargs)
        if address_throttled(client_ip(request)):
            request.axes_locked_out = True
            raise AxesBackendPermissionDenied("too many wrong passwords from this address")


def address_throttled(address: str) -> bool:
    """An address that tried many accounts: `LOGIN_ADDRESS_FAILURE_LIMIT` wrong passwords in
    all within the cool-off time. Its sign-ins are refused for that time, whoever signs in, but
    no account is locked: the same accounts sign in from any other address. (Accounts are
    locked per account and address together: `AXES_LOCKOUT_PARAMETERS`.)"""
    if not address:
        return False
    since = timezone.now() - (settings.AXES_COOLOFF_TIME or timedelta(minutes=30))
    failures = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return (failures or 0) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


class MinimumLengthValidator:
    """Django's length rule, said in Chinese (its own message is an untranslated plural)."""

    def __init__(self, min_length: int = 10):
        self.min_length = min_length

    def validate(self, password, user=None):
        from django.core.exceptions import ValidationError

        if len(password) < self.min_length:
            raise ValidationError(f"密码太短：至少 {self.min_length} 位", code="password_too_short")

    def get_help_text(self):
        return f"至少 {self.min_length} 位"
