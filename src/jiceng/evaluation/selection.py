"""担当我先行: nominate with deeds, review eligibility, vote (one vote per eligible account),
publicise with objections an assessor resolves, and announce the result. Every step goes
through `transitions.apply` and the table `flows.SELECTION`."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404

from jiceng.core.errors import ServiceError
from jiceng.core.text import clean_text
from jiceng.orgs.models import Person

from . import access, flows, transitions
from .models import Nomination, Objection, Selection, SelectionVote

S = Selection.State
FLOW = "selection"


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


# the checks a forward step makes beyond the table
CHECKS = {"open_voting": _no_pending_reviews, "announce": _no_pending_objections}


def step(actor, selection, name: str) -> Selection:
    """One of the selection's forward steps (`flows.SELECTION`): 结束推荐, 开始投票, 结束投票, 公布结果."""
    if name not in ("close_nominations", "open_voting", "close_voting", "announce"):
        raise ServiceError("unknown_step", "未知的操作", status=400)
    return transitions.apply(actor, FLOW, selection, name, check=CHECKS.get(name))


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
    """An eligible voter: an active account whose scope lies inside the selection's region."""
    return access.is_member(user, selection.region)


def vote(actor, selection, nomination_ids: list[int]) -> None:
    """One ballot per eligible account, for up to `seats` eligible nominees. The row lock of
    the step serialises ballots; no event is written (the vote is recorded only as one
    `SelectionVote` per account, which says nothing of its choice)."""
    chosen = set(nomination_ids)

    def change(selection):
        if not chosen:
            raise ValidationError({"nominations": ["请至少选择一人"]})
        if len(chosen) > selection.seats:
            raise ValidationError({"nominations": [f"最多选择 {selection.seats} 人"]})
        valid = set(
            selection.nominations.filter(eligible=True, pk__in=chosen).values_list("pk", flat=True)
        )
        if valid != chosen:
            raise ValidationError({"nominations": ["只能选择通过资格审查的人选"]})
        try:
            with transaction.atomic():
                SelectionVote.objects.create(selection=selection, voter=actor)
        except IntegrityError:
            raise ServiceError("already_voted", "您已经投过票了", status=409) from None
        Nomination.objects.filter(pk__in=chosen).update(votes=F("votes") + 1)

    transitions.apply(actor, FLOW, selection, "vote", change=change)


OBJECTION_MAX = 2000


def object_to(nomination: Nomination, text: str, contact: str = "") -> Objection:
    """Anyone may object during the 公示."""
    made = []
    text = clean_text(text).strip()

    def change(selection):
        if nomination.selection_id != selection.pk:
            raise Http404("不存在或无权查看")
        if len(text) < 10:
            raise ValidationError({"text": ["请写明异议的具体事实（至少 10 字）"]})
        if len(text) > OBJECTION_MAX:
            raise ValidationError(
                {"text": [f"异议内容不能超过 {OBJECTION_MAX} 字（现有 {len(text)} 字）"]}
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


def winners(selection: Selection) -> list[Nomination]:
    """Eligible nominees by votes, without those with an upheld objection, up to the seats.
    Equal votes at the last seat all win (ties are not split)."""
    ranked = [
        n
        for n in selection.nominations.filter(eligible=True)
        .select_related("person")
        .order_by("-votes", "id")
        if not n.objections.filter(upheld=True).exists() and n.votes > 0
    ]
    if len(ranked) <= selection.seats:
        return ranked
    line = ranked[selection.seats - 1].votes
    return [n for n in ranked if n.votes >= line]
