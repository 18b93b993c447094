from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    name = "jiceng.core"
    verbose_name = "基础"
    default = True

    def ready(self):
        from django.db.models.signals import post_migrate

        # jiceng.core has no models, so Django sends it no post_migrate of its own: listen to
        # every app's (createcachetable does nothing once the table exists)
        post_migrate.connect(_create_cache_table, dispatch_uid="jiceng.core.cache_table")


def _create_cache_table(app_config=None, using="default", **kwargs):
    """`jiceng migrate` also makes the database cache's table (rate limits live there), so a
    deployment needs no extra step. It does nothing when the table exists or Redis is used."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class JicengAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "jiceng.core.admin_site.JicengAdminSite"
