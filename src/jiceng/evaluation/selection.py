"""担当我先行: nominate with deeds, review eligibility, vote (one vote per eligible account),
publicise with objections an assessor resolves, and announce the result. Every step goes
through `transitions.apply` and the table `flows.SELECTION`."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from jiceng.core.errors import ServiceError
from jiceng.core.text import clean_text
from jiceng.orgs.models import Person

from . import access, flows, seats, transitions
from .models import Nomination, Objection, Selection, SelectionVote

S = Selection.State
FLOW = "selection"


SELECTION_LEVELS = ("prefecture", "county", "township")


def create_selection(
    actor, *, name: str, region, seats: int | None, publicity_days: int | None = 5
) -> Selection:
    """A new “担当我先行” selection (建立评选) over a prefecture, county or township, by an
    assessor whose scope holds it, with its event; nominations open at once. Every problem of
    the form is said at once; without a place, before anything else."""
    name = clean_text(name or "").strip()

    def problems() -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        if len(name) < 2 or len(name) > 100:
            errors["name"] = ["请填写评选名称（2 到 100 个字）"]
        if region is None:
            errors["region"] = ["请选择管辖范围内的州、县市或乡镇（街道）"]
        elif region.level not in SELECTION_LEVELS:
            errors["region"] = ["评选范围须是州、县市或乡镇（街道）"]
        if seats is None or not 1 <= seats <= 100:
            errors["seats"] = ["评选名额应在 1 到 100 之间"]
        if publicity_days is None or not 1 <= publicity_days <= 30:
            errors["publicity_days"] = ["公示期应在 1 到 30 个工作日之间"]
        return errors

    def build():
        if errors := problems():
            raise ValidationError(errors)
        made = Selection.objects.create(
            name=name,
            region=region,
            seats=seats,
            publicity_days=publicity_days,
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
        return made, f"建立评选“{name}”，名额 {seats} 名", {"seats": seats}

    if region is None:  # nothing to check the scope against: the form's problems, all of them
        raise ValidationError(problems())
    return transitions.create(actor, "selection", Selection(region=region), build)


def nominate(actor, selection, person: Person, deeds: str) -> Nomination:
    made = []

    def change(selection):
        if not person.region.path.startswith(selection.region.path):
            raise ValidationError({"person": ["被推荐人不在评选范围内"]})
        if len((deeds or "").strip()) < 20:
            raise ValidationError({"deeds": ["请写明主要事迹（至少 20 字）"]})
        if Nomination.objects.filter(selection=selection, person=person).exists():
            raise ValidationError({"person": [f"{person.name} 已被推荐"]})
        made.append(
            Nomination.objects.create(
                selection=selection, person=person, deeds=deeds.strip(), nominated_by=actor
            )
        )
        return {"nomination": made[0].pk, "note": f"推荐 {person.name}"}

    transitions.apply(actor, FLOW, selection, "nominate", change=change)
    return made[0]


def review(actor, nomination: Nomination, eligible: bool, note: str = "") -> Nomination:
    def change(selection):
        if nomination.selection_id != selection.pk:
            raise Http404("不存在或无权查看")
        if not eligible and not note.strip():
            raise ValidationError({"note": ["不通过资格审查时须写明理由"]})
        Nomination.objects.filter(pk=nomination.pk).update(
            eligible=eligible, review_note=note.strip()[:200]
        )
        verdict = "通过" if eligible else f"不通过：{note.strip()}"
        return {
            "nomination": nomination.pk,
            "eligible": eligible,
            "note": f"{nomination.person.name} 资格审查{verdict}",
        }

    transitions.apply(actor, FLOW, nomination.selection, "review_nominee", change=change)
    nomination.refresh_from_db()
    return nomination


def _no_pending_reviews(selection) -> None:
    if selection.nominations.filter(eligible__isnull=True).exists():
        raise ServiceError("review_pending", "还有推荐人选未完成资格审查", status=409)


def _no_pending_objections(selection) -> None:
    if Objection.objects.filter(nomination__selection=selection, upheld__isnull=True).exists():
        raise ServiceError("objections_pending", "还有公示异议未处理", status=409)


def _no_tie(selection) -> None:
    result = standing(selection)
    if not result.resolved:
        names = "、".join(
            Nomination.objects.filter(pk__in=result.tied)
            .order_by("id")
            .values_list("person__name", flat=True)
        )
        raise ServiceError(
            "tie_at_last_seat",
            f"{result.how}（{names}）：请组织平票加试投票，或由考评员裁定并写明理由",
            status=409,
        )


def _a_tie(selection) -> None:
    if standing(selection).resolved:
        raise ServiceError("no_tie", "没有平票，无需加试", status=409)


def _after_publicity(selection) -> None:
    _no_pending_objections(selection)
    _no_tie(selection)
    today = timezone.localdate()
    if selection.publicity_ends is not None and today <= selection.publicity_ends:
        raise ServiceError(
            "publicity_running",
            f"公示期至 {selection.publicity_ends:%Y年%-m月%-d日} 止，公示期满后才能公布结果",
            status=409,
        )


def _start_publicity(selection) -> dict:
    """The 公示 is posted now and runs `publicity_days` working days, counting today when it
    is one, on the holiday calendar (a day of a year not yet entered that may be a day off
    counts as one)."""
    from jiceng.tickets.deadlines import load_calendar

    calendar = load_calendar().cautious()
    start = timezone.localdate()
    end = start if calendar.is_workday(start) else calendar.next_workday(start)
    for _day in range(selection.publicity_days - 1):
        end = calendar.next_workday(end)
    selection.publicity_starts, selection.publicity_ends = start, end
    selection.save(update_fields=["publicity_starts", "publicity_ends"])
    return {"publicity": [start.isoformat(), end.isoformat()]}


def _open_runoff(selection) -> dict:
    result = standing(selection)
    Nomination.objects.filter(selection=selection, pk__in=result.tied).update(in_runoff=True)
    selection.runoff_seats = result.open_seats
    selection.save(update_fields=["runoff_seats"])
    return {"tied": result.tied, "seats": result.open_seats, "note": result.how}


# the checks and changes a forward step makes beyond the table
CHECKS = {
    "open_voting": _no_pending_reviews,
    "close_voting": _no_tie,
    "open_runoff": _a_tie,
    "close_runoff": _no_tie,
    "announce": _after_publicity,
}
CHANGES = {
    "close_voting": _start_publicity,
    "close_runoff": _start_publicity,
    "open_runoff": _open_runoff,
}
FORWARD = [
    "close_nominations",
    "open_voting",
    "close_voting",
    "open_runoff",
    "close_runoff",
    "announce",
]


def step(actor, selection, name: str) -> Selection:
    """One of the selection's steps that the page offers as a button (`flows.SELECTION`)."""
    if name not in FORWARD:
        raise ServiceError("unknown_step", "未知的操作", status=400)
    return transitions.apply(
        actor, FLOW, selection, name, check=CHECKS.get(name), change=CHANGES.get(name)
    )


def decide_tie(actor, selection, chosen_ids: list[int], reason: str) -> Selection:
    """An assessor resolves a tie at the last seats: exactly as many of the tied as there are
    seats left, with the reason recorded."""
    chosen = set(chosen_ids)
    reason = clean_text(reason).strip()

    def change(selection):
        result = standing(selection)
        if result.resolved:
            raise ServiceError("no_tie", "没有平票，无需裁定", status=409)
        if len(reason) < 10:
            raise ValidationError({"reason": ["请写明裁定理由（至少 10 字）"]})
        if not chosen <= set(result.tied) or len(chosen) != result.open_seats:
            raise ValidationError({"chosen": [f"请从平票人选中选出 {result.open_seats} 人"]})
        tied = Nomination.objects.filter(selection=selection, pk__in=result.tied)
        tied.update(tie_decided=False)
        tied.filter(pk__in=chosen).update(tie_decided=True)
        names = "、".join(
            tied.filter(pk__in=chosen).order_by("id").values_list("person__name", flat=True)
        )
        return {
            "chosen": sorted(chosen),
            "tied": result.tied,
            "note": f"裁定 {names} 当选：{reason}",
        }

    return transitions.apply(actor, FLOW, selection, "decide_tie", change=change)


def advance(actor, selection) -> Selection:
    """The forward step from the selection's current stage (read afresh: the object in hand
    may be older than the row; two people advancing at once meet the table's refusal)."""
    state = Selection.objects.values_list("state", flat=True).get(pk=selection.pk)
    forward = [
        name for name in flows.SELECTION.steps_from(state) if flows.SELECTION.steps[name].target
    ]
    if not forward:
        raise transitions.refuse(flows.SELECTION, "announce", state)
    return step(actor, selection, forward[0])


def may_vote(user, selection: Selection) -> bool:
    """An eligible voter who has not voted in this round: an active account whose scope lies
    inside the selection's region."""
    if selection.state not in (S.VOTING, S.RUNOFF) or not access.is_member(user, selection.region):
        return False
    round = 2 if selection.state == S.RUNOFF else 1
    return not SelectionVote.objects.filter(selection=selection, voter=user, round=round).exists()


def vote(actor, selection, nomination_ids: list[int]) -> None:
    """One ballot per eligible account, for up to `seats` eligible nominees. The row lock of
    the step serialises ballots; no event is written (the vote is recorded only as one
    `SelectionVote` per account, which says nothing of its choice)."""
    chosen = set(nomination_ids)

    def change(selection):
        runoff = selection.state == S.RUNOFF
        seats = selection.runoff_seats if runoff else selection.seats
        on_ballot = selection.nominations.filter(eligible=True)
        if runoff:
            on_ballot = on_ballot.filter(in_runoff=True)
        if not chosen:
            raise ValidationError({"nominations": ["请至少选择一人"]})
        if len(chosen) > seats:
            raise ValidationError({"nominations": [f"最多选择 {seats} 人"]})
        if set(on_ballot.filter(pk__in=chosen).values_list("pk", flat=True)) != chosen:
            raise ValidationError(
                {
                    "nominations": [
                        "加试只能选择平票的人选" if runoff else "只能选择通过资格审查的人选"
                    ]
                }
            )
        try:
            with transaction.atomic():
                SelectionVote.objects.create(
                    selection=selection, voter=actor, round=2 if runoff else 1
                )
        except IntegrityError:
            raise ServiceError("already_voted", "您已经投过票了", status=409) from None
        counter = "runoff_votes" if runoff else "votes"
        Nomination.objects.filter(pk__in=chosen).update(**{counter: F(counter) + 1})

    transitions.apply(actor, FLOW, selection, "vote", change=change)


OBJECTION_MAX = 2000


def object_to(nomination: Nomination, text: str, contact: str = "") -> Objection:
    """Anyone may object during the 公示."""
    made = []
    text = clean_text(text).strip()

    def change(selection):
        if nomination.selection_id != selection.pk:
            raise Http404("不存在或无权查看")
        if not objections_open(selection):
            day = _("Y年n月j日")
            raise ServiceError(
                "outside_publicity",
                _("公示期为 %(start)s 至 %(end)s，此时不受理异议")
                % {
                    "start": date_format(selection.publicity_starts, day),
                    "end": date_format(selection.publicity_ends, day),
                },
                status=409,
            )
        if len(text) < 10:
            raise ValidationError({"text": [_("请写明异议的具体事实（至少 10 字）")]})
        if len(text) > OBJECTION_MAX:
            raise ValidationError(
                {
                    "text": [
                        _("异议内容不能超过 %(max)s 字（现有 %(n)s 字）")
                        % {"max": OBJECTION_MAX, "n": len(text)}
                    ]
                }
            )
        made.append(
            Objection.objects.create(
                nomination=nomination, text=text, contact=clean_text(contact).strip()[:50]
            )
        )
        return {"objection": made[0].pk, "note": f"对 {nomination.person.name} 提出异议"}

    transitions.apply(None, FLOW, nomination.selection, "object", change=change)
    return made[0]


def resolve(
    actor, objection: Objection, upheld: bool, resolution: str, *, spam: bool = False
) -> Objection:
    """An assessor rules on an objection: upheld, not upheld, or dismissed as spam (灌水, with
    the reason kept), so that a flood of objections cannot hold the selection up."""
    resolution = clean_text(resolution).strip()

    def change(selection):
        if objection.nomination.selection_id != selection.pk:
            raise Http404("不存在或无权查看")
        if not resolution:
            raise ValidationError({"resolution": ["请写明处理意见（视为灌水也须写明理由）"]})
        Objection.objects.filter(pk=objection.pk).update(
            upheld=False if spam else upheld, spam=spam, resolution=resolution[:300]
        )
        verdict = "视为灌水" if spam else ("异议成立" if upheld else "异议不成立")
        return {
            "objection": objection.pk,
            "upheld": False if spam else upheld,
            "spam": spam,
            "note": f"{objection.nomination.person.name}：{verdict}。{resolution}",
        }

    transitions.apply(actor, FLOW, objection.nomination.selection, "resolve", change=change)
    objection.refresh_from_db()
    return objection


def objections_open(selection: Selection) -> bool:
    """Inside the 公示's dates (a selection put to 公示 before they were kept has none: open
    until its result)."""
    if selection.state != S.PUBLICITY:
        return False
    if selection.publicity_starts is None:
        return True
    return selection.publicity_starts <= timezone.localdate() <= selection.publicity_ends


def standing(selection: Selection) -> seats.Outcome:
    """Who takes the seats now (`seats.outcome`): eligible nominees with votes, less those
    with an upheld objection, a tie at the last seat left tied until a run-off or an
    assessor's decision resolves it."""
    nominees = selection.nominations.filter(eligible=True).exclude(objections__upheld=True)
    candidates = [
        seats.Candidate(n.pk, n.votes, n.runoff_votes, n.tie_decided)
        for n in nominees.only("pk", "votes", "runoff_votes", "tie_decided")
    ]
    # once a run-off is opened its count decides among the tied (while it runs, the count so
    # far: an assessor closes it when the voters have voted)
    return seats.outcome(candidates, selection.seats, runoff_held=selection.runoff_seats > 0)


def winners(selection: Selection) -> list[Nomination]:
    """The elected, by votes (never more than the seats; see `standing` for a tie)."""
    elected = standing(selection).elected
    order = {pk: i for i, pk in enumerate(elected)}
    found = selection.nominations.filter(pk__in=elected).select_related("person")
    return sorted(found, key=lambda n: order[n.pk])
