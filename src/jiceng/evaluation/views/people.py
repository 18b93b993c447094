"""A secretary's or 两委 member's record."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from jiceng.orgs.access import get_for_user
from jiceng.orgs.models import Person

from .. import (
    secretaries,
    surveys,
)
from ..models import (
    Nomination,
)


@login_required
def person_record(request, pk: int):
    """A secretary's or 两委 member's record: posts and sources, training, ratings over time."""
    person = get_for_user(request.user, Person.objects.select_related("region"), pk=pk)
    ratings = []
    for ratee in person.ratings.select_related("campaign").order_by("-campaign__created_at"):
        result = next(  # None while the campaign is open: its tallies are hidden
            (p for p in surveys.results(ratee.campaign)["people"] if p.ratee.pk == ratee.pk), None
        )
        ratings.append((ratee.campaign, ratee.post, result))
    trainings = person.trainings.all()
    return render(
        request,
        "evaluation/person.html",
        {
            "person": person,
            "posts": person.posts.select_related("party_org", "unit", "grid"),
            "trainings": trainings,
            "training_hours": sum(t.hours for t in trainings),
            "ratings": ratings,
            "nominations": Nomination.objects.filter(person=person).select_related("selection"),
            "years": secretaries.yearly_record(person),
        },
    )
