"""Where Open311 keys sit in the tree, for `orgs.access`."""

from django.db.models import Q

from jiceng.orgs import access
from jiceng.orgs.access import Scope

from .models import Open311Key


def _key_rule(scope: Scope) -> Q:
    """A key sits in the region its requests land in; unit scopes hold no keys."""
    if scope.unit_id:
        return Q(pk__in=[])
    return Q(region__path__startswith=scope.path)


access.register(Open311Key, _key_rule)
