"""A place by its 12-digit code, as intake reads it on every request.

The 1,041 places of the prefecture change a few times a year; each request naming a village
would otherwise cost a query. Kept per process for `SECONDS` and cleared on any save or delete
of a region in this process (RegionsConfig.ready); callers get their own copy.
"""

from jiceng.core.memo import Memo

from .models import Region

SECONDS = 10
by_code = Memo("regions", SECONDS)


def region(code: str) -> Region | None:
    code = code.strip()
    return by_code.get(code, lambda: Region.objects.filter(code=code).first())
