from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "jiceng.dispatch"
    verbose_name = "智能派单"

    def ready(self):
        from django.db.models import Q

        from jiceng.orgs import access

        from .models import Example, RoutingRule, Suggestion

        # A place's rules belong to that place's scope; the general rules (no place) are the
        # prefecture's and are handled in the admin.
        access.register(RoutingRule, lambda scope: Q(region__path__startswith=scope.path))
        by_ticket = lambda scope: Q(ticket__region__path__startswith=scope.path)  # noqa: E731
        access.register(Example, by_ticket)
        access.register(Suggestion, by_ticket)

        # the model's part in a ticket's life, through the hooks `tickets` calls
        from jiceng.tickets import hooks

        from . import selectors, services

        hooks.register("advise", services.advise)
        hooks.register("received", services.record)
        hooks.register(
            "after_received",
            lambda ticket, suggestion, advice: (
                services.auto_dispatch(ticket, suggestion, advice)
                if suggestion.model_version_id
                else False
            ),
        )
        hooks.register("assigned", services.learn)
        hooks.register("advice", selectors.advice)
        hooks.register("similar_open", selectors.similar_open)

        from django.db.models.signals import post_delete, post_save

        from jiceng.orgs.models import Unit, UnitType
        from jiceng.regions.models import Region
        from jiceng.tickets.models import Category

        from . import cache
        from .models import DispatchSettings, ModelVersion

        for model in (
            DispatchSettings,
            ModelVersion,
            RoutingRule,
            Category,
            Unit,
            UnitType,
            Region,
        ):
            post_save.connect(cache.clear, sender=model, dispatch_uid=f"dispatch-cache-{model}")
            post_delete.connect(cache.clear, sender=model, dispatch_uid=f"dispatch-del-{model}")
