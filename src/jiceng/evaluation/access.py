"""Where evaluation records sit in the tree, for `orgs.access`."""

from django.db.models import Q

from jiceng.orgs import access
from jiceng.orgs.access import Scope

from .models import Campaign


def _campaign_rule(scope: Scope) -> Q:
    if scope.unit_id:
        return Q(pk__in=[])
    return Q(region__path__startswith=scope.path)


access.register(Campaign, _campaign_rule)
