"""四个一批: the village secretaries of each county by source (内选, 回引, 跨任, 下派), the
posts whose term ends soon (换届), and the 后备力量 reserve pool with training hours."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from jiceng.core.text import clean_text
from jiceng.orgs import access as org_access
from jiceng.orgs.models import Post, PostKind, SecretarySource
from jiceng.regions.models import Region

from . import transitions
from .models import ReservePerson, TrainingRecord

SOON = timedelta(days=183)  # "within six months"
# the posts of a village's 两委 (not its handlers, staff or grid workers)
COMMITTEE = [
    PostKind.SECRETARY,
    PostKind.DEPUTY_SECRETARY,
    PostKind.DIRECTOR,
    PostKind.COMMITTEE_MEMBER,
]


def _village_posts(user, kinds):
    village = Q(party_org__region__level="village", party_org__unit__isnull=True) | Q(
        unit__region__level="village", unit__type__category__in=["community", "village"]
    )
    return (
        org_access.visible(user, Post.objects.all())
        .filter(village, kind__in=kinds, ended_on__isnull=True)
        .select_related("person", "party_org__region", "unit__region")
    )


def _place(post) -> Region | None:
    return (
        post.party_org.region if post.party_org_id else (post.unit.region if post.unit_id else None)
    )


def by_source(user) -> dict:
    """Each county's serving village secretaries by source, with counts and shares."""
    sources = [*SecretarySource.values, ""]
    counties = dict(Region.objects.filter(level="county").values_list("code", "name"))
    rows: dict[str, dict] = {}
    for post in _village_posts(user, [PostKind.SECRETARY]).filter(party_org__isnull=False):
        region = _place(post)
        code = region.code[:6] if region else ""
        row = rows.setdefault(
            code,
            {"code": code, "name": counties.get(code.ljust(12, "0"), "—"), "total": 0}
            | {s or "未登记": 0 for s in sources},
        )
        row["total"] += 1
        row[post.source or "未登记"] += 1
    ordered = sorted(rows.values(), key=lambda r: r["code"])
    total = {"name": "合计", "total": sum(r["total"] for r in ordered)} | {
        s or "未登记": sum(r[s or "未登记"] for r in ordered) for s in sources
    }
    labels = [s or "未登记" for s in sources]
    for row in [*ordered, total]:
        row["cells"] = [
            (label, row[label], round(100 * row[label] / row["total"], 1) if row["total"] else None)
            for label in labels
        ]
    return {"rows": ordered, "total": total, "sources": [s or "未登记" for s in sources]}


def terms_ending(user, today: date) -> list:
    """Serving 两委 posts whose term ends within six months (or has ended without a new
    term entered), soonest first."""
    return list(
        _village_posts(user, COMMITTEE)
        .filter(term_ends_on__isnull=False, term_ends_on__lte=today + SOON)
        .order_by("term_ends_on", "person__name")
    )


def reserve(user, today: date) -> list[dict]:
    """The reserve pool in scope, with each person's training hours (all, and this year)."""
    entries = list(
        org_access.visible(user, ReservePerson.objects.filter(state=ReservePerson.State.ACTIVE))
        .select_related("person", "region")
        .order_by("region__code", "added_on")
    )
    people = [e.person_id for e in entries]
    hours = dict(
        TrainingRecord.objects.filter(person_id__in=people)
        .values("person_id")
        .annotate(h=Sum("hours"))
        .values_list("person_id", "h")
    )
    this_year = dict(
        TrainingRecord.objects.filter(person_id__in=people, held_on__year=today.year)
        .values("person_id")
        .annotate(h=Sum("hours"))
        .values_list("person_id", "h")
    )
    return [
        {
            "entry": e,
            "hours": hours.get(e.person_id) or 0,
            "hours_year": this_year.get(e.person_id) or 0,
        }
        for e in entries
    ]


@transaction.atomic
def add_reserve(actor, person, region, note: str = "") -> ReservePerson:
    """Keep a person in a village's reserve pool (one active entry per person)."""

    def build():
        if region.level != "village":
            raise ValidationError({"region": ["后备力量须储备到一个村（社区）"]})
        if person is None or not org_access.is_visible(actor, person):
            raise ValidationError({"person": ["请选择管辖范围内的人员"]})
        try:
            with transaction.atomic():
                entry = ReservePerson.objects.create(
                    person=person, region=region, note=clean_text(note).strip()[:200]
                )
        except IntegrityError:
            raise ValidationError({"person": [f"{person.name} 已在后备力量库中"]}) from None
        return entry, f"{person.name} 纳入{region.name}后备力量", None

    return transitions.create(actor, "reserve", ReservePerson(region=region), build)


def remove_reserve(actor, entry: ReservePerson, reason: str) -> ReservePerson:
    reason = clean_text(reason or "").strip()

    def change(entry):
        if len(reason) < 2:
            raise ValidationError({"reason": ["请写明移出原因"]})
        entry.removed_on = timezone.localdate()
        entry.note = reason[:200]
        entry.save(update_fields=["removed_on", "note"])
        return {"note": f"{entry.person.name} 移出：{reason}"}

    return transitions.apply(actor, "reserve", entry, "remove", change=change)


def yearly_record(person) -> list[dict]:
    """A person's years: the 361 grade of the villages where they were secretary (each
    published period's), their closed surveys' rates, training hours, and 担当我先行."""
    from . import surveys
    from .models import AssessmentPeriod, Nomination
    from .selection import winners

    years: dict[int, dict] = {}

    def year(y: int) -> dict:
        return years.setdefault(
            y, {"year": y, "grades": [], "surveys": [], "hours": 0, "selections": []}
        )

    villages = {}
    for post in person.posts.filter(kind=PostKind.SECRETARY).select_related("party_org__region"):
        if post.party_org_id and post.party_org.region_id:
            villages[post.party_org.region.code] = post
    if villages:
        for period in AssessmentPeriod.objects.filter(
            state=AssessmentPeriod.State.PUBLISHED
        ).order_by("ends_on"):
            for row in period.results.get("rows", []):
                post = villages.get(row["region"])
                if post is None:
                    continue
                if post.started_on and period.ends_on < post.started_on:
                    continue  # before their time
                year(period.ends_on.year)["grades"].append(
                    {"period": period.label, "grade": row.get("grade"), "score": row.get("score")}
                )
    for ratee in person.ratings.select_related("campaign"):
        campaign = ratee.campaign
        result = surveys.results(campaign)
        if result["hidden"]:
            continue
        mine = next((p for p in result["people"] if p.ratee.pk == ratee.pk), None)
        if mine is not None:
            year(campaign.created_at.year)["surveys"].append(
                {"name": campaign.name, "rate": mine.satisfied_rate, "flagged": mine.flagged}
            )
    for t in person.trainings.all():
        year(t.held_on.year)["hours"] += t.hours
    for n in Nomination.objects.filter(person=person).select_related("selection"):
        s = n.selection
        elected = s.state in ("publicity", "done") and any(w.pk == n.pk for w in winners(s))
        y = s.publicity_starts.year if s.publicity_starts else timezone.localdate().year
        year(y)["selections"].append(
            {"name": s.name, "state": s.get_state_display(), "elected": elected}
        )
    return sorted(years.values(), key=lambda r: -r["year"])
