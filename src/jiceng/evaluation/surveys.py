"""满意度测评: every change to a campaign, one function each, and its results.

A ballot leaves two traces and no more: its code is marked used, and the tallies grow. Both
happen in one transaction, and that transaction rewrites *every* tally row of the campaign
(adding 0 where the ballot said nothing), so even PostgreSQL's row versions cannot tell which
tallies a given ballot moved. Codes are stored only as salted hashes.
"""

import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, IntegerField, Q, Sum, Value, When
from django.utils.translation import gettext as _

from jiceng.core.errors import ServiceError
from jiceng.orgs.models import Person

from . import flows, transitions
from .models import ANSWERS, Campaign, Ratee, Tally, VoterCode, VoterGroup

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
MAX_CODES = 5000


FLOW = "campaign"


@transaction.atomic
def create_campaign(
    actor,
    *,
    name: str,
    region,
    people: list[tuple[Person, str]],
    flag_below: float = 60,
    weights: dict[str, float] | None = None,
) -> Campaign:
    """`weights` ({group: weight}) combine the groups' rates; the defaults are the model's
    (党员 0.3, 村（居）民代表 0.3, 群众 0.4)."""
    # a missing region is refused in words by build(); the scope check needs one
    draft = Campaign(region=region)

    def build():
        errors = {}
        if not (name or "").strip():
            errors["name"] = ["请填写测评名称"]
        if region is None or region.level != "village":
            errors["region"] = ["测评须针对一个村（社区）"]
        if not people:
            errors["people"] = ["请选择被测评人"]
        if not 0 <= float(flag_below) <= 100:
            errors["flag_below"] = ["预警线应在 0 到 100 之间"]
        given = {}
        for group in VoterGroup.values:
            raw = (weights or {}).get(group)
            if raw in (None, ""):
                continue
            try:
                given[group] = Decimal(str(raw))
            except InvalidOperation:
                errors[f"weight_{group}"] = ["权重应为 0 到 1 之间的数"]
                continue
            if not 0 <= given[group] <= 1:
                errors[f"weight_{group}"] = ["权重应为 0 到 1 之间的数"]
        if not errors and given and sum(given.values()) <= 0:
            errors["weight_public"] = ["各类投票人的权重不能都为 0"]
        if errors:
            raise ValidationError(errors)
        campaign = Campaign.objects.create(
            name=name.strip(),
            region=region,
            flag_below=flag_below,
            salt=secrets.token_hex(16),
            created_by=actor,
            **{f"weight_{group}": value for group, value in given.items()},
        )
        for sort, (person, post) in enumerate(people):
            ratee = Ratee.objects.create(campaign=campaign, person=person, post=post, sort=sort)
            Tally.objects.bulk_create(
                [Tally(ratee=ratee, answer=a, group=g) for g in VoterGroup.values for a in ANSWERS]
            )
        return campaign, f"建立测评，{len(people)} 名被测评人", None

    if region is None:
        return build()  # refused in words, before any row
    return transitions.create(actor, FLOW, draft, build)


def issue_codes(actor, campaign: Campaign, count: int, group: str = VoterGroup.PUBLIC) -> list[str]:
    """New one-time codes for one voter group, returned once for printing; only their
    hashes (and their group) are kept."""
    codes: set[str] = set()

    def change(campaign):
        if not 1 <= count <= MAX_CODES:
            raise ValidationError({"count": [f"一次可发放 1 到 {MAX_CODES} 个投票码"]})
        if group not in VoterGroup.values:
            raise ValidationError({"group": ["请选择投票人类别"]})
        existing = set(VoterCode.objects.filter(campaign=campaign).values_list("digest", flat=True))
        while len(codes) < count:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
            if campaign.digest(code) not in existing:
                codes.add(code)
        # codes belong before the vote: any issued after it opened are counted and shown apart
        late = campaign.state == Campaign.State.OPEN
        VoterCode.objects.bulk_create(
            [
                VoterCode(campaign=campaign, digest=campaign.digest(c), group=group, late=late)
                for c in codes
            ]
        )
        if late:
            Tally.objects.bulk_create(
                [
                    Tally(ratee=ratee, answer=a, group=group, late=True)
                    for ratee in campaign.ratees.all()
                    for a in ANSWERS
                ],
                ignore_conflicts=True,
            )
        label = VoterGroup(group).label
        note = f"向{label}发放 {count} 个投票码"
        if late:
            note += "（开始投票后补发，另行计票、单独列示）"
        return {"count": count, "group": group, "late": late, "note": note}

    transitions.apply(actor, FLOW, campaign, "issue_codes", change=change)
    return sorted(codes)


# the step that leads to each state, for `set_state`
STEP_TO = {Campaign.State.OPEN: "open", Campaign.State.CLOSED: "close"}


def set_state(actor, campaign: Campaign, state: str) -> Campaign:
    step = STEP_TO.get(state)
    if step is None:
        raise transitions.refuse(flows.CAMPAIGN, "open", campaign.state)
    return transitions.apply(actor, FLOW, campaign, step)


def slip_qr(vote_url: str, code: str) -> str:
    """The slip's QR code as inline SVG: `vote_url#CODE`, which opens the ballot with the
    code filled in. The code rides in the fragment, which the browser never sends."""
    import segno

    return segno.make(f"{vote_url}#{code}", error="m").svg_inline(scale=3, dark="#000")


def find_open_campaign(code: str) -> Campaign | None:
    """The open campaign a code belongs to, if the code is still unused (one query)."""
    campaigns = list(Campaign.objects.filter(state=Campaign.State.OPEN))
    if not campaigns:
        return None
    match = Q(pk__in=[])
    for campaign in campaigns:
        match |= Q(campaign=campaign, digest=campaign.digest(code))
    found = (
        VoterCode.objects.filter(match, used=False).values_list("campaign_id", flat=True).first()
    )
    return next((c for c in campaigns if c.pk == found), None)


def cast_ballot(campaign: Campaign, code: str, answers: dict[int, str]) -> None:
    """One code, one ballot: the code is spent and every ratee's tally moves, or nothing. No
    event row is written (`flows.CAMPAIGN`: a ballot is not recorded)."""

    def change(campaign):
        ratees = list(campaign.ratees.values_list("pk", flat=True))
        missing = [pk for pk in ratees if answers.get(pk) not in ANSWERS]
        if missing or set(answers) - set(ratees):
            raise ValidationError({"answers": [_("请对每一位被测评人作出评价")]})
        unused = VoterCode.objects.filter(
            campaign=campaign, digest=campaign.digest(code), used=False
        )
        group, late = unused.values_list("group", "late").first() or (None, False)
        spent = unused.update(used=True)
        if spent != 1:
            raise ServiceError("code_invalid", _("投票码无效或已经使用"), status=409)
        chosen = Q(pk__in=[])
        for ratee_id, answer in answers.items():
            chosen |= Q(ratee_id=ratee_id, answer=answer, group=group, late=late)
        # Every tally row of the campaign is rewritten, the chosen ones by one.
        Tally.objects.filter(ratee__campaign=campaign).update(
            count=F("count")
            + Case(When(chosen, then=Value(1)), default=Value(0), output_field=IntegerField())
        )

    try:
        transitions.apply(None, FLOW, campaign, "ballot", change=change)
    except ServiceError as exc:
        if exc.code == "invalid_transition":
            raise ServiceError("campaign_not_open", _("测评未开始或已结束"), status=409) from None
        raise


@dataclass
class PersonResult:
    ratee: Ratee
    counts: dict  # answer -> ballots, all groups together
    ballots: int
    satisfied_rate: float | None  # the groups' rates combined by the campaign's weights
    flagged: bool
    groups: dict  # group -> {"counts", "ballots", "rate"}


# a group's own figures are shown only from this many ballots: a group of one or two voters
# would show how they voted (their ballots still count in the combined rate)
GROUP_MINIMUM = 5


def _rate(counts: dict) -> float | None:
    ballots = sum(counts.values())
    return round(100 * (counts["满意"] + counts["基本满意"]) / ballots, 2) if ballots else None


def _shown(counts: dict) -> dict:
    """A group's figures for the page: withheld (None) below GROUP_MINIMUM ballots."""
    ballots = sum(counts.values())
    if ballots < GROUP_MINIMUM:
        return {"counts": None, "ballots": ballots, "rate": None, "too_few": ballots > 0}
    return {"counts": counts, "ballots": ballots, "rate": _rate(counts), "too_few": False}


def combine(rates: dict[str, float | None], weights: dict[str, float]) -> float | None:
    """The weighted satisfied rate: Σ weight × group rate over the groups that voted, divided
    by the sum of those groups' weights (a group without ballots neither counts as 0 nor
    pulls the rate)."""
    voted = {g: r for g, r in rates.items() if r is not None and weights.get(g, 0) > 0}
    total = sum(weights[g] for g in voted)
    if not voted or total <= 0:
        return None
    return round(sum(weights[g] * r for g, r in voted.items()) / total, 2)


def results(campaign: Campaign) -> dict:
    """Turnout always; the tallies, rates and flags only once the campaign is closed (while
    the vote is open, a running count would sway the voters still to come and tell who is
    ahead). `hidden` says which. Each voter group is counted apart; a person's and the
    village's rate combine the groups' rates by the campaign's weights (`combine`)."""
    everything = VoterCode.objects.filter(campaign=campaign)
    codes = everything.filter(late=False)  # the late ones are counted apart (`late` below)
    issued = codes.count()
    used = codes.filter(used=True).count()
    by_group = {
        g: {
            "issued": codes.filter(group=g).count(),
            "voted": codes.filter(group=g, used=True).count(),
        }
        for g in VoterGroup.values
    }
    weights = campaign.weights()
    out = {
        "issued": issued,
        "voted": used,
        "turnout": round(100 * used / issued, 2) if issued else None,
        "hidden": campaign.state != Campaign.State.CLOSED,
        "groups": [
            {"group": g, "label": VoterGroup(g).label, "weight": weights[g], **by_group[g]}
            for g in VoterGroup.values
        ],
        "people": [],
        "totals": None,
        "satisfied_rate": None,
    }
    out["late"] = _late(campaign, everything.filter(late=True), out["hidden"])
    if out["hidden"]:
        return out
    people = []
    village = {g: {a: 0 for a in ANSWERS} for g in VoterGroup.values}
    for ratee in campaign.ratees.select_related("person"):
        groups = {g: {a: 0 for a in ANSWERS} for g in VoterGroup.values}
        for group, answer, count in ratee.tallies.filter(late=False).values_list(
            "group", "answer", "count"
        ):
            groups[group][answer] += count
            village[group][answer] += count
        counts = {a: sum(groups[g][a] for g in groups) for a in ANSWERS}
        rate = combine({g: _rate(c) for g, c in groups.items()}, weights)
        people.append(
            PersonResult(
                ratee,
                counts,
                sum(counts.values()),
                rate,
                rate is not None and rate < float(campaign.flag_below),
                {g: _shown(c) for g, c in groups.items()},
            )
        )
    # one small group would be read off the others' figures and the totals: then no group is
    # shown apart, only the combined rates
    withhold = any(0 < sum(c.values()) < GROUP_MINIMUM for c in village.values())
    for row in out["groups"]:
        shown = _shown(village[row["group"]])
        row["rate"] = None if withhold else shown["rate"]
        row["too_few"] = withhold and row["voted"] > 0
    if withhold:
        for person in people:
            person.groups = {
                g: {
                    "counts": None,
                    "ballots": v["ballots"],
                    "rate": None,
                    "too_few": v["ballots"] > 0,
                }
                for g, v in person.groups.items()
            }
    out["groups_withheld"] = withhold
    out.update(
        people=people,
        totals={a: sum(village[g][a] for g in village) for a in ANSWERS},
        satisfied_rate=combine({g: _rate(c) for g, c in village.items()}, weights),
    )
    return out


def _late(campaign: Campaign, codes, hidden: bool) -> dict | None:
    """Codes issued after voting opened, and their ballots: never mixed into the result, shown
    apart (their answers only once the vote is closed, and only from GROUP_MINIMUM ballots, so
    a handful of late voters are not read off the page)."""
    issued = codes.count()
    if not issued:
        return None
    voted = codes.filter(used=True).count()
    totals = None
    if not hidden and voted >= GROUP_MINIMUM:
        rows = Tally.objects.filter(ratee__campaign=campaign, late=True)
        totals = {a: rows.filter(answer=a).aggregate(n=Sum("count"))["n"] or 0 for a in ANSWERS}
    return {
        "issued": issued,
        "voted": voted,
        "totals": totals,
        "too_few": 0 < voted < GROUP_MINIMUM,
    }


def tallies_sum(campaign: Campaign) -> int:
    return Tally.objects.filter(ratee__campaign=campaign).aggregate(n=Sum("count"))["n"] or 0


def committee_posts(region):
    """The 两委 of a village or community: posts in its own party branch or committee, not
    those of the property companies or other units that sit in the same place."""
    from jiceng.orgs.models import Post

    return (
        Post.objects.filter(
            Q(party_org__region=region, party_org__unit__isnull=True)
            | Q(unit__region=region, unit__type__category__in=["community", "village"])
        )
        .exclude(kind__in=["承办人", "工作人员", "网格员"])
        .select_related("person")
        .order_by("kind", "person__code")
    )
