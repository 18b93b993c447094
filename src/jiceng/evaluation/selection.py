"""担当我先行: nominate with deeds, review eligibility, vote (one vote per eligible account),
publicise with objections an assessor resolves, and announce the result."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404

from jiceng.core.errors import Forbidden, ServiceError
from jiceng.core.text import clean_text
from jiceng.orgs import access as org_access
from jiceng.orgs.access import scope_of
from jiceng.orgs.models import Person, RoleCode

from .models import Nomination, Objection, Selection, SelectionVote

S = Selection.State
ORDER = [S.NOMINATING, S.REVIEWING, S.VOTING, S.PUBLICITY, S.DONE]


def _assessor(actor, selection: Selection) -> None:
    if actor is None:
        return
    if not (actor.is_superuser or actor.has_role(RoleCode.ASSESSOR)):
        raise Forbidden("not_permitted", "只有考评员可以执行此操作")
    if not org_access.region_in_scope(actor, selection.region):
        raise Http404("不存在或无权查看")


def _locked(selection) -> Selection:
    return Selection.objects.select_for_update().select_related("region").get(pk=selection.pk)


def _in_state(selection: Selection, state: str, doing: str) -> None:
    if selection.state != state:
        raise ServiceError(
            "wrong_stage",
            f"评选当前为“{selection.get_state_display()}”环节，不能{doing}",
            status=409,
        )


@transaction.atomic
def nominate(actor, selection, person: Person, deeds: str) -> Nomination:
    selection = _locked(selection)
    _in_state(selection, S.NOMINATING, "推荐")
    if actor is not None and not org_access.region_in_scope(actor, selection.region):
        raise Http404("不存在或无权查看")
    if not person.region.path.startswith(selection.region.path):
        raise ValidationError({"person": ["被推荐人不在评选范围内"]})
    if len((deeds or "").strip()) < 20:
        raise ValidationError({"deeds": ["请写明主要事迹（至少 20 字）"]})
    if Nomination.objects.filter(selection=selection, person=person).exists():
        raise ValidationError({"person": [f"{person.name} 已被推荐"]})
    return Nomination.objects.create(
        selection=selection, person=person, deeds=deeds.strip(), nominated_by=actor
    )


@transaction.atomic
def review(actor, nomination: Nomination, eligible: bool, note: str = "") -> Nomination:
    selection = _locked(nomination.selection)
    _assessor(actor, selection)
    _in_state(selection, S.REVIEWING, "审查资格")
    if not eligible and not note.strip():
        raise ValidationError({"note": ["不通过资格审查时须写明理由"]})
    Nomination.objects.filter(pk=nomination.pk).update(eligible=eligible, review_note=note.strip())
    nomination.refresh_from_db()
    return nomination


@transaction.atomic
def advance(actor, selection) -> Selection:
    selection = _locked(selection)
    _assessor(actor, selection)
    if selection.state == S.DONE:
        raise ServiceError("wrong_stage", "评选已结束", status=409)
    if (
        selection.state == S.REVIEWING
        and selection.nominations.filter(eligible__isnull=True).exists()
    ):
        raise ServiceError("review_pending", "还有推荐人选未完成资格审查", status=409)
    if (
        selection.state == S.PUBLICITY
        and Objection.objects.filter(nomination__selection=selection, upheld__isnull=True).exists()
    ):
        raise ServiceError("objections_pending", "还有公示异议未处理", status=409)
    selection.state = ORDER[ORDER.index(selection.state) + 1]
    selection.save(update_fields=["state"])
    return selection


def may_vote(user, selection: Selection) -> bool:
    """An eligible voter: an active account whose scope lies inside the selection's region."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    scope = scope_of(user)
    return (
        not scope.everything
        and scope.path is not None
        and scope.path.startswith(selection.region.path)
    )


@transaction.atomic
def vote(actor, selection, nomination_ids: list[int]) -> None:
    """One ballot per eligible account, for up to `seats` eligible nominees."""
    selection = Selection.objects.get(pk=selection.pk)
    _in_state(selection, S.VOTING, "投票")
    if not may_vote(actor, selection):
        raise Forbidden("not_eligible", "您不在本次评选的投票范围内")
    chosen = set(nomination_ids)
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


OBJECTION_MAX = 2000


@transaction.atomic
def object_to(nomination: Nomination, text: str, contact: str = "") -> Objection:
    """Anyone may object during the 公示."""
    selection = _locked(nomination.selection)
    _in_state(selection, S.PUBLICITY, "提出异议")
    text = clean_text(text).strip()
    if len(text) < 10:
        raise ValidationError({"text": ["请写明异议的具体事实（至少 10 字）"]})
    if len(text) > OBJECTION_MAX:
        raise ValidationError(
            {"text": [f"异议内容不能超过 {OBJECTION_MAX} 字（现有 {len(text)} 字）"]}
        )
    return Objection.objects.create(
        nomination=nomination, text=text, contact=clean_text(contact).strip()[:50]
    )


@transaction.atomic
def resolve(
    actor, objection: Objection, upheld: bool, resolution: str, *, spam: bool = False
) -> Objection:
    """An assessor rules on an objection: upheld, not upheld, or dismissed as spam (灌水, with
    the reason kept), so that a flood of objections cannot hold the selection up."""
    selection = _locked(objection.nomination.selection)
    _assessor(actor, selection)
    _in_state(selection, S.PUBLICITY, "处理异议")
    resolution = clean_text(resolution).strip()
    if not resolution:
        raise ValidationError({"resolution": ["请写明处理意见（视为灌水也须写明理由）"]})
    Objection.objects.filter(pk=objection.pk).update(
        upheld=False if spam else upheld, spam=spam, resolution=resolution[:300]
    )
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
