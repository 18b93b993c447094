"""满意度测评: every change to a campaign, one function each, and its results.

A ballot leaves two traces and no more: its code is marked used, and the tallies grow. Both
happen in one transaction, and that transaction rewrites *every* tally row of the campaign
(adding 0 where the ballot said nothing), so even PostgreSQL's row versions cannot tell which
tallies a given ballot moved. Codes are stored only as salted hashes.
"""

import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, IntegerField, Q, Sum, Value, When

from jiceng.core.errors import ServiceError
from jiceng.orgs.models import Person

from . import access, flows, transitions
from .models import ANSWERS, Campaign, Ratee, Tally, VoterCode

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
MAX_CODES = 5000


FLOW = "campaign"


@transaction.atomic
def create_campaign(
    actor, *, name: str, region, people: list[tuple[Person, str]], flag_below: float = 60
) -> Campaign:
    if region is not None:
        access.check(actor, FLOW, "create", Campaign(region=region))
    errors = {}
    if not (name or "").strip():
        errors["name"] = ["请填写测评名称"]
    if region is None or region.level != "village":
        errors["region"] = ["测评须针对一个村（社区）"]
    if not people:
        errors["people"] = ["请选择被测评人"]
    if not 0 <= float(flag_below) <= 100:
        errors["flag_below"] = ["预警线应在 0 到 100 之间"]
    if errors:
        raise ValidationError(errors)
    campaign = Campaign.objects.create(
        name=name.strip(),
        region=region,
        flag_below=flag_below,
        salt=secrets.token_hex(16),
        created_by=actor,
    )
    for sort, (person, post) in enumerate(people):
        ratee = Ratee.objects.create(campaign=campaign, person=person, post=post, sort=sort)
        Tally.objects.bulk_create([Tally(ratee=ratee, answer=a) for a in ANSWERS])
    transitions.record(actor, FLOW, campaign, "create", "", f"建立测评，{len(people)} 名被测评人")
    return campaign


def issue_codes(actor, campaign: Campaign, count: int) -> list[str]:
    """New one-time codes, returned once for printing; only their hashes are kept."""
    codes: set[str] = set()

    def change(campaign):
        if not 1 <= count <= MAX_CODES:
            raise ValidationError({"count": [f"一次可发放 1 到 {MAX_CODES} 个投票码"]})
        existing = set(VoterCode.objects.filter(campaign=campaign).values_list("digest", flat=True))
        while len(codes) < count:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
            if campaign.digest(code) not in existing:
                codes.add(code)
        VoterCode.objects.bulk_create(
            [VoterCode(campaign=campaign, digest=campaign.digest(c)) for c in codes]
        )
        return {"count": count, "note": f"发放 {count} 个投票码"}

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
            raise ValidationError({"answers": ["请对每一位被测评人选择 满意、基本满意 或 不满意"]})
        spent = VoterCode.objects.filter(
            campaign=campaign, digest=campaign.digest(code), used=False
        ).update(used=True)
        if spent != 1:
            raise ServiceError("code_invalid", "投票码无效或已经使用", status=409)
        chosen = Q(pk__in=[])
        for ratee_id, answer in answers.items():
            chosen |= Q(ratee_id=ratee_id, answer=answer)
        # Every tally row of the campaign is rewritten, the chosen ones by one.
        Tally.objects.filter(ratee__campaign=campaign).update(
            count=F("count")
            + Case(When(chosen, then=Value(1)), default=Value(0), output_field=IntegerField())
        )

    try:
        transitions.apply(None, FLOW, campaign, "ballot", change=change)
    except ServiceError as exc:
        if exc.code == "invalid_transition":
            raise ServiceError("campaign_not_open", "测评未开始或已结束", status=409) from None
        raise


@dataclass
class PersonResult:
    ratee: Ratee
    counts: dict
    ballots: int
    satisfied_rate: float | None
    flagged: bool


def results(campaign: Campaign) -> dict:
    """Turnout always; the tallies, rates and flags only once the campaign is closed (while
    the vote is open, a running count would sway the voters still to come and tell who is
    ahead). `hidden` says which."""
    issued = VoterCode.objects.filter(campaign=campaign).count()
    used = VoterCode.objects.filter(campaign=campaign, used=True).count()
    out = {
        "issued": issued,
        "voted": used,
        "turnout": round(100 * used / issued, 2) if issued else None,
        "hidden": campaign.state != Campaign.State.CLOSED,
        "people": [],
        "totals": None,
        "satisfied_rate": None,
    }
    if out["hidden"]:
        return out
    people = []
    totals = {a: 0 for a in ANSWERS}
    for ratee in campaign.ratees.select_related("person"):
        counts = {a: 0 for a in ANSWERS} | dict(ratee.tallies.values_list("answer", "count"))
        ballots = sum(counts.values())
        rate = round(100 * (counts["满意"] + counts["基本满意"]) / ballots, 2) if ballots else None
        for a in ANSWERS:
            totals[a] += counts[a]
        people.append(
            PersonResult(
                ratee, counts, ballots, rate, rate is not None and rate < float(campaign.flag_below)
            )
        )
    answered = sum(totals.values())
    out.update(
        people=people,
        totals=totals,
        satisfied_rate=(
            round(100 * (totals["满意"] + totals["基本满意"]) / answered, 2) if answered else None
        ),
    )
    return out


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
