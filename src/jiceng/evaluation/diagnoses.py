"""把脉问诊: record one organization's checklist scores with evidence, all or nothing; the
grade and the 整改清单 follow from them."""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from jiceng.core import files
from jiceng.core.errors import Forbidden
from jiceng.orgs import access as org_access
from jiceng.orgs.models import PartyOrg, RoleCode

from . import checklist
from .models import ChecklistItem, Diagnosis, DiagnosisScore, Dimension, Rectification

RECTIFY_DAYS = 30


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
    if actor is not None:
        if not (actor.is_superuser or actor.has_role(RoleCode.ASSESSOR)):
            raise Forbidden("not_permitted", "只有考评员可以把脉问诊")
        if not org_access.is_visible(actor, party_org):
            raise Http404("不存在或无权查看")
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
    assessed_on = assessed_on or date.today()
    diagnosis = Diagnosis.objects.create(
        party_org=party_org,
        assessed_on=assessed_on,
        assessor=actor,
        good_dimensions=result["good"],
        grade=result["grade"],
        summary=result["dimensions"],
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
    Rectification.objects.bulk_create(
        [
            Rectification(
                diagnosis=diagnosis,
                item=item,
                due_on=assessed_on + timedelta(days=rectify_days),
                problem=f"{item.dimension.name}：{item.text}（得 {parsed[item.pk][0]} / {item.points} 分）",
            )
            for item in weak.values()
        ]
    )
    return diagnosis
