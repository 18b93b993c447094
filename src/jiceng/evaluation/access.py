"""Where evaluation records sit in the tree, for `orgs.access`."""

from django.db.models import Q

from jiceng.orgs import access
from jiceng.orgs.access import Scope

from .models import (
    AssessmentPeriod,
    Campaign,
    Diagnosis,
    OrgMeeting,
    Scheme,
    Selection,
    TrainingRecord,
)


def _campaign_rule(scope: Scope) -> Q:
    if scope.unit_id:
        return Q(pk__in=[])
    return Q(region__path__startswith=scope.path)


access.register(Campaign, _campaign_rule)


def _period_rule(scope: Scope) -> Q:
    if scope.unit_id:
        return Q(pk__in=[])
    # a period is visible to scopes inside its scheme's region, and to scopes above it
    return Q(scheme__region__path__startswith=scope.path) | Q(
        scheme__region__path__in=_ancestors_of(scope.path)
    )


def _ancestors_of(path: str) -> list[str]:
    codes = [c for c in path.strip("/").split("/") if c]
    return ["/" + "/".join(codes[:i]) + "/" for i in range(1, len(codes) + 1)]


access.register(AssessmentPeriod, _period_rule)


def _scheme_rule(scope: Scope) -> Q:
    if scope.unit_id:
        return Q(pk__in=[])
    return Q(region__path__startswith=scope.path)


access.register(Scheme, _scheme_rule)


def _diagnosis_rule(scope: Scope) -> Q:
    if scope.unit_id:
        return Q(party_org__unit_id=scope.unit_id)
    return Q(party_org__region__path__startswith=scope.path) | Q(
        party_org__unit__region__path__startswith=scope.path
    )


access.register(Diagnosis, _diagnosis_rule)
access.register(OrgMeeting, _diagnosis_rule)  # the same place as its organization


def _selection_rule(scope: Scope) -> Q:
    """A selection is seen inside its region and by everyone below it (who may vote in it)."""
    return Q(region__path__startswith=scope.path) | Q(region__path__in=_ancestors_of(scope.path))


access.register(Selection, _selection_rule)


def _training_rule(scope: Scope) -> Q:
    """A training record sits with its person."""
    from jiceng.orgs.models import Person

    return Q(person__in=Person.objects.filter(access.scope_q(scope, Person)).values("pk"))


access.register(TrainingRecord, _training_rule)
