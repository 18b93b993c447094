"""把脉问诊: record one organization's checklist scores with evidence, all or nothing; the
grade and the 整改清单 follow from them. Each 整改 item is then assigned, reported done with
evidence, and verified by an assessor or sent back (`flows.RECTIFICATION`)."""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jiceng.core import files
from jiceng.core.text import clean_text
from jiceng.orgs import access as org_access
from jiceng.orgs.models import PartyOrg

from . import checklist, transitions
from .models import ChecklistItem, Diagnosis, DiagnosisScore, Dimension, Rectification

RECTIFY_DAYS = 30
FLOW = "diagnosis"


@transaction.atomic
def record(
    actor,
    party_org: PartyOrg,
    scores: dict[int, tuple],
    *,
    assessed_on: date | None = None,
    rectify_days: int = RECTIFY_DAYS,
) -> Diagnosis:
    """`scores` maps an item id to (score, evidence[, attachment])."""

    def build():
        items = list(ChecklistItem.objects.filter(is_active=True).select_related("dimension"))
        errors: dict[str, list[str]] = {}
        parsed = {}
        for item in items:
            given = scores.get(item.pk)
            if given is None or given[0] in (None, ""):
                errors[f"item-{item.pk}"] = [f"“{item.text}”未打分"]
                continue
            try:
                value = Decimal(str(given[0]))
            except InvalidOperation:
                errors[f"item-{item.pk}"] = [f"“{item.text}”的得分不是数字"]
                continue
            if not 0 <= value <= item.points:
                errors[f"item-{item.pk}"] = [f"“{item.text}”的得分应在 0 到 {item.points} 之间"]
                continue
            evidence = given[1] if len(given) > 1 else ""
            attachment = given[2] if len(given) > 2 else None
            if attachment:
                try:
                    attachment = files.clean_attachment(attachment).content
                except files.Refused as exc:
                    errors[f"item-{item.pk}"] = [str(exc)]
                    continue
            parsed[item.pk] = (value, evidence or "", attachment)
        if errors:
            raise ValidationError(errors)
        thresholds = {d.name: float(d.threshold) for d in Dimension.objects.all()}
        result = checklist.grade(
            [
                checklist.ItemScore(i.pk, i.dimension.name, float(i.points), float(parsed[i.pk][0]))
                for i in items
            ],
            thresholds,
        )
        day = assessed_on or date.today()
        diagnosis = Diagnosis.objects.create(
            party_org=party_org,
            assessed_on=day,
            assessor=actor,
            good_dimensions=result["good"],
            grade=result["grade"],
            summary=result["dimensions"],
            state=Diagnosis.State.RECTIFYING if result["weak"] else Diagnosis.State.RECTIFIED,
        )
        for item in items:
            value, evidence, attachment = parsed[item.pk]
            DiagnosisScore.objects.create(
                diagnosis=diagnosis,
                item=item,
                score=value,
                evidence=evidence.strip(),
                attachment=attachment or "",
            )
        weak = {i.pk: i for i in items if i.pk in result["weak"]}
        secretary = _secretary(party_org)
        Rectification.objects.bulk_create(
            [
                Rectification(
                    diagnosis=diagnosis,
                    item=item,
                    due_on=day + timedelta(days=rectify_days),
                    responsible=secretary,
                    problem=f"{item.dimension.name}：{item.text}（得 {parsed[item.pk][0]} / {item.points} 分）",
                )
                for item in weak.values()
            ]
        )
        return (
            diagnosis,
            f"{result['grade']}，整改清单 {len(weak)} 项",
            {"grade": result["grade"], "rectifications": len(weak)},
        )

    return transitions.create(actor, FLOW, Diagnosis(party_org=party_org), build)


def _secretary(party_org: PartyOrg):
    """The organization's secretary, responsible for its 整改 until someone else is named."""
    from jiceng.orgs.models import Post

    post = (
        Post.objects.filter(party_org=party_org, kind="书记")
        .select_related("person")
        .order_by("id")
        .first()
    )
    return post.person if post else None


def assign(actor, item: Rectification, responsible, due_on: date) -> Rectification:
    """Name who puts the item right, and by when."""

    def change(item):
        if responsible is None:
            raise ValidationError({"responsible": ["请选择责任人"]})
        if not org_access.is_visible(actor, responsible):
            raise ValidationError({"responsible": ["责任人不在您的管辖范围内"]})
        if due_on is None or due_on < item.diagnosis.assessed_on:
            raise ValidationError({"due_on": ["整改期限不能早于诊断日期"]})
        item.responsible, item.due_on = responsible, due_on
        item.save(update_fields=["responsible", "due_on"])
        return {"note": f"责任人 {responsible.name}，期限 {due_on:%Y-%m-%d}"}

    return transitions.apply(actor, "rectification", item, "assign", change=change)


def report(actor, item: Rectification, evidence: str, attachment=None) -> Rectification:
    """Marked done, with what was done: the evidence an assessor will check."""

    def change(item):
        text = clean_text(evidence or "").strip()
        if len(text) < 10:
            raise ValidationError({"evidence": ["请写明整改措施和结果（至少 10 字）"]})
        upload = None
        if attachment:
            try:
                upload = files.clean_attachment(attachment).content
            except files.Refused as exc:
                raise ValidationError({"attachment": [str(exc)]}) from None
        item.evidence, item.reported_by, item.reported_at = text, actor, timezone.now()
        item.sent_back = ""
        fields = ["evidence", "reported_by", "reported_at", "sent_back"]
        if upload:
            item.attachment = upload
            fields.append("attachment")
        item.save(update_fields=fields)
        return {"note": text[:200]}

    return transitions.apply(actor, "rectification", item, "report", change=change)


def verify(actor, item: Rectification) -> Rectification:
    """An assessor checks the evidence and accepts it; the diagnosis is 整改完成 with its
    last item. Whoever reported the item cannot verify it (access.check_duties)."""

    def change(item):
        item.verified_by, item.done_on = actor, timezone.localdate()
        item.save(update_fields=["verified_by", "done_on"])

    item = transitions.apply(actor, "rectification", item, "verify", change=change)
    diagnosis = item.diagnosis
    left = diagnosis.rectifications.exclude(state=Rectification.State.VERIFIED).exists()
    if not left:
        transitions.apply(actor, FLOW, diagnosis, "complete", note="整改清单全部核验")
    return item


def send_back(actor, item: Rectification, reason: str) -> Rectification:
    """Not done: back to 整改中, with the reason for the responsible person."""

    def change(item):
        text = clean_text(reason or "").strip()
        if len(text) < 5:
            raise ValidationError({"reason": ["请写明退回理由"]})
        item.sent_back = text[:300]
        item.save(update_fields=["sent_back"])
        return {"note": text[:300]}

    return transitions.apply(actor, "rectification", item, "send_back", change=change)


def overdue(user):
    """The items not verified whose date has passed, inside the user's scope, oldest first."""
    return (
        org_access.visible(user, Rectification.objects.all())
        .exclude(state=Rectification.State.VERIFIED)
        .filter(due_on__lt=timezone.localdate())
        .select_related("diagnosis__party_org", "responsible")
        .order_by("due_on", "id")
    )


def previous(diagnosis: Diagnosis) -> Diagnosis | None:
    """The same organization's diagnosis before this one."""
    return (
        Diagnosis.objects.filter(party_org=diagnosis.party_org)
        .filter(
            Q(assessed_on__lt=diagnosis.assessed_on)
            | Q(assessed_on=diagnosis.assessed_on, pk__lt=diagnosis.pk)
        )
        .order_by("-assessed_on", "-id")
        .first()
    )
