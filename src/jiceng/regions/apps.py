from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "jiceng.regions"
    verbose_name = "行政区划"

    def ready(self):
        from . import lookup
        from .models import PlaceAlias, Region

        lookup.by_code.watch(Region)
        lookup.gazetteers.watch(Region)
        lookup.gazetteers.watch(PlaceAlias)
