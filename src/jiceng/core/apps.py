from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jiceng.core"
    verbose_name = "基础"
    default = True

    def ready(self):
        from django.db.models.signals import post_migrate

        # jiceng.core has no models, so Django sends it no post_migrate of its own: listen to
        # every app's (createcachetable does nothing once the table exists)
        post_migrate.connect(_create_cache_table, dispatch_uid="jiceng.core.cache_table")
        from django.db.backends.signals import connection_created

        connection_created.connect(_private_sqlite, dispatch_uid="jiceng.core.private_sqlite")


def _create_cache_table(app_config=None, using="default", **kwargs):
    """`jiceng migrate` also makes the database cache's table (rate limits live there), so a
    deployment needs no extra step. It does nothing when the table exists or Redis is used."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


def _private_sqlite(sender, connection, **kwargs):
    """The SQLite file holds residents' data: owner-only, whatever the umask said."""
    import os

    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    for path in (name, f"{name}-wal", f"{name}-shm"):
        try:
            if os.stat(path).st_mode & 0o077:
                os.chmod(path, 0o600)
        except FileNotFoundError:
            continue
