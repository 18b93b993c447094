"""Small tables read on every intake (the active model version, the dispatch settings, the
first-level categories, the routing table), kept in this process for a few seconds.

Intake classifies each new ticket, and these reads would otherwise cost a query each. A save or
delete in this process clears them at once (signals); other processes see a change within
`TTL` seconds.
"""

import time
from collections.abc import Callable

TTL = 10.0
_values: dict[str, tuple[float, object]] = {}


def get(key: str, load: Callable[[], object]):
    now = time.monotonic()
    found = _values.get(key)
    if found is not None and now - found[0] < TTL:
        return found[1]
    value = load()
    _values[key] = (now, value)
    return value


def clear(*_args, **_kwargs) -> None:
    _values.clear()
