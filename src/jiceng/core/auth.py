"""Sign-in lockout (django-axes) for every sign-in that comes over HTTP."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, except for sign-ins that carry no HTTP request (Django's test
    client `login()`, a management command): no visitor can reach those, and axes refuses
    them outright. Every sign-in page passes its request and is checked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
