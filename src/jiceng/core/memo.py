"""Small, hot, rarely changed rows kept in this process for a few seconds.

Every API intake reads its token, the account's roles and scope, and the place it names; each
is one ORM query of about a millisecond of CPU here, more than the insert of the ticket. A
`Memo` keeps such values for `ttl` seconds. A save or delete of a watched model in this
process clears it at once (signals); another process sees the change within `ttl` seconds.
Callers get their own (shallow) copy of a kept model instance: an attribute a request sets on it
is not seen by the next request.
"""

import copy
import time
from collections.abc import Callable, Hashable

from django.db.models.signals import m2m_changed, post_delete, post_save


class Memo:
    def __init__(self, name: str, ttl: float):
        self.name, self.ttl = name, ttl
        self._values: dict[Hashable, tuple[float, object]] = {}

    def get(self, key: Hashable, load: Callable[[], object]):
        now = time.monotonic()
        found = self._values.get(key)
        if found is None or now - found[0] >= self.ttl:
            found = (now, load())
            if len(self._values) > 10_000:  # a bound, however many keys are asked for
                self._values.clear()
            self._values[key] = found
        return copy.copy(found[1])

    def clear(self, *_args, **_kwargs) -> None:
        self._values.clear()

    def watch(self, *models, through=()) -> None:
        """Clear on every save or delete of these models (and m2m change of `through`)."""
        for model in models:
            uid = f"memo-{self.name}-{model._meta.label}"
            post_save.connect(self.clear, sender=model, dispatch_uid=uid)
            post_delete.connect(self.clear, sender=model, dispatch_uid=f"{uid}-d")
        for model in through:
            m2m_changed.connect(
                self.clear, sender=model, dispatch_uid=f"memo-{self.name}-{model._meta.label}-m"
            )
