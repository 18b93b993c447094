"""The default cache: Django's database cache with an atomic, expiry-keeping `incr`.

Rate limits (django-ratelimit) and the like count with `cache.add` then `cache.incr`. Django's
database cache implements `incr` as a read and a write, so two workers counting at once lose
a hit, and the write resets the key's timeout to the default (an hourly limit would forget
its count five minutes after the last try). Here `incr` reads and writes under a row lock
(PostgreSQL: `SELECT … FOR UPDATE`; SQLite: the write lock the IMMEDIATE transaction takes at
its start) and keeps the key's expiry. Every process and machine on the same database shares
the counts. With `CACHE_URL=redis://…` Django's own RedisCache is used instead; its `incr` is
atomic in Redis.
"""

from datetime import UTC, datetime

from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction


class AtomicDatabaseCache(DatabaseCache):
    def incr(self, key, delta=1, version=None):
        made = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db):
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {quote('expires')} FROM {quote(self._table)} "
                    f"WHERE {quote('cache_key')} = %s{lock}",
                    [made],
                )
                row = cursor.fetchone()
            value = self.get(key, version=version)
            if row is None or value is None:
                raise ValueError(f"Key '{key}' not found")
            expires = _aware(row[0])  # SQLite gives text, PostgreSQL a datetime; both UTC
            remaining = max((expires - datetime.now(UTC)).total_seconds(), 1)
            new = value + delta
            self.set(key, new, timeout=remaining, version=version)
        return new


def _aware(moment) -> datetime:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment
