"""Assessment periods: enter figures, compute, review, publish (frozen), and revise.

Computing reads the live inputs (ticket events, survey tallies, entered figures) and writes the
whole derivation into `period.results`. Publishing freezes it: a published period is never
computed again, so later edits to tickets, surveys or figures cannot change it. A correction
is a new period that revises the published one.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from jiceng.core.errors import Forbidden, ServiceError
from jiceng.orgs import access as org_access
from jiceng.orgs.access import Scope
from jiceng.orgs.models import RoleCode
from jiceng.regions.models import Kind, Region
from jiceng.tickets import selectors as ticket_selectors
from jiceng.tickets.metrics import SHANGHAI

from . import figures, scoring, surveys
from .models import (
    AssessmentPeriod,
    Campaign,
    Diagnosis,
    EnteredValue,
    Indicator,
    MeetingKind,
    OrgMeeting,
    PeriodEvent,
)
from .ranking import Entry, Rules361, rank361

S = AssessmentPeriod.State
NEXT = {
    S.OPEN: S.COLLECTED,
    S.COLLECTED: S.COMPUTED,
    S.COMPUTED: S.REVIEWED,
    S.REVIEWED: S.PUBLISHED,
}


def check_actor(actor, period: AssessmentPeriod) -> None:
    if actor is None:
        return
    if not (actor.is_superuser or actor.has_role(RoleCode.ASSESSOR)):
        raise Forbidden("not_permitted", "只有考评员可以操作考评期")
    if not org_access.region_in_scope(actor, period.scheme.region):
        raise Http404("不存在或无权查看")


def _lock(actor, period) -> AssessmentPeriod:
    period = (
        AssessmentPeriod.objects.select_for_update()
        .select_related("scheme__region")
        .get(pk=period.pk)
    )
    check_actor(actor, period)
    return period


def _event(period, actor, action, before: str, note: str = "", **data) -> PeriodEvent:
    return PeriodEvent.objects.create(
        period=period,
        actor=actor,
        action=action,
        from_state=before,
        to_state=period.state,
        note=note[:300],
        data=data,
    )


def subjects(period: AssessmentPeriod) -> list[Region]:
    return list(
        Region.objects.filter(
            path__startswith=period.scheme.region.path,
            level="village",
            kind__in=[Kind.COMMUNITY, Kind.VILLAGE],
        )
        .exclude(parent__name__startswith="兵团")
        .order_by("code")
    )


@transaction.atomic
def enter_value(
    actor, period, region, indicator: Indicator, value, evidence: str = ""
) -> EnteredValue:
    period = _lock(actor, period)
    _open_for_figures(period)
    if indicator.kind not in (Indicator.Kind.ENTERED, Indicator.Kind.VETO):
        raise ValidationError({"indicator": ["该指标由系统计算，不能录入"]})
    if region not in subjects(period):
        raise ValidationError({"region": ["该村（社区）不在本方案的考评范围内"]})
    try:
        value = Decimal(str(value))
    except Exception:
        raise ValidationError({"value": ["请填写数字"]}) from None
    row = _save_value(actor, period, region, indicator, value, evidence)
    _event(
        period,
        actor,
        PeriodEvent.Action.ENTER,
        period.state,
        f"{region.name} {indicator.name}：{value}",
        region=region.code,
        indicator=indicator.code,
        value=str(value),
    )
    return row


def _open_for_figures(period) -> None:
    if period.state not in (S.OPEN, S.COLLECTED):
        raise ServiceError(
            "period_frozen", "考评期已计算或发布，不能再录入；如需更正请建立更正期", status=409
        )


def _save_value(actor, period, region, indicator, value, evidence) -> EnteredValue:
    row, _ = EnteredValue.objects.update_or_create(
        period=period,
        region=region,
        indicator=indicator,
        defaults={"value": value, "evidence": evidence.strip(), "entered_by": actor},
    )
    return row


def enterable(period) -> list[Indicator]:
    """The scheme's indicators that people type in: entered figures and vetoes."""
    return [
        item.indicator
        for item in period.scheme.items.select_related("indicator").order_by("id")
        if item.indicator.kind in (Indicator.Kind.ENTERED, Indicator.Kind.VETO)
    ]


@transaction.atomic
def import_values(actor, period, path, filename: str = "") -> int:
    """Figures from a sheet (the template of `figures.template`): every row is checked
    first, and a bad row refuses the whole file with its row number; then all are saved, with
    one event. Rows with an empty value are skipped (nothing entered there yet)."""
    period = _lock(actor, period)
    _open_for_figures(period)
    regions = {r.code: r for r in subjects(period)}
    indicators = enterable(period)
    rows = figures.read_values(path, regions, indicators)
    before = {(v.region_id, v.indicator_id): v for v in period.values.all()}
    added = changed = 0
    for region, indicator, value, evidence in rows:
        old = before.get((region.pk, indicator.pk))
        if old is not None and old.value == value and old.evidence == evidence:
            continue  # the sheet repeats what is entered: keep who entered it
        _save_value(actor, period, region, indicator, value, evidence)
        added, changed = (added + 1, changed) if old is None else (added, changed + 1)
    _event(
        period,
        actor,
        PeriodEvent.Action.IMPORT,
        period.state,
        f"从 {filename or '文件'} 导入：新增 {added} 个、修改 {changed} 个数值，"
        f"{len(rows) - added - changed} 个与已录入的相同",
        rows=len(rows),
        added=added,
        changed=changed,
    )
    return added + changed


def _bounds(period) -> tuple[datetime, datetime]:
    start = datetime.combine(period.starts_on, time.min, SHANGHAI)
    end = datetime.combine(period.ends_on + timedelta(days=1), time.min, SHANGHAI)
    return start, end


def _part(period, region, item, start, end, entered) -> scoring.Part:
    ind = item.indicator
    low, high = float(ind.low), float(ind.high)
    raw, source = None, ""
    if ind.kind == Indicator.Kind.TICKETS:
        row = ticket_selectors.scope_rates(start, end, Scope(path=region.path))
        raw = {
            "score": row.score,
            "response": row.response_rate,
            "solved": row.solved_rate,
            "satisfied": row.satisfied_rate,
        }[ind.source or "score"]
        source = f"工单流转记录：派单 {row.dispatched} 件，按时接单 {row.on_time} 件，回访 {row.callbacks} 件"
        if row.pending:
            source += f"；另有 {row.pending} 件待接单、未到时限，不计入响应率"
    elif ind.kind == Indicator.Kind.SURVEY:
        campaign = (
            Campaign.objects.filter(region=region, created_at__lt=end)
            .exclude(state=Campaign.State.DRAFT)
            .order_by("-created_at")
            .first()
        )
        if campaign is not None:
            result = surveys.results(campaign)
            raw = result["satisfied_rate"]
            source = f"{campaign.name}：{result['voted']} 票，满意率 {raw}%"
    elif ind.kind == Indicator.Kind.CHECKLIST:
        diagnosis = (
            Diagnosis.objects.filter(
                party_org__region=region, party_org__unit__isnull=True, assessed_on__lt=end.date()
            )
            .order_by("-assessed_on", "-id")
            .first()
        )
        if diagnosis is not None:
            raw = float(diagnosis.good_dimensions)
            low, high = 0.0, 5.0
            source = f"{diagnosis.assessed_on} 把脉问诊：{diagnosis.grade}"
    elif ind.kind == Indicator.Kind.MEETINGS:
        kinds = [k.strip() for k in ind.meeting_kinds.split(",") if k.strip()]
        held = OrgMeeting.objects.filter(
            party_org__region=region,
            party_org__unit__isnull=True,
            held_on__gte=start.date(),
            held_on__lt=end.date(),
        )
        if kinds:
            held = held.filter(kind__in=kinds)
        raw = float(held.count())
        source = f"组织生活记录：{int(raw)} 次（{'、'.join(MeetingKind(k).label for k in kinds) or '全部类型'}）"
    elif ind.kind == Indicator.Kind.ENTERED:
        value = entered.get((region.pk, ind.pk))
        if value is not None:
            raw = float(value.value)
            source = f"录入：{value.evidence or '（未附佐证）'}"
    normalised = None if raw is None else scoring.normalise(raw, low, high, ind.higher_is_better)
    return scoring.Part(ind.code, ind.name, float(item.weight), raw, normalised, source or "无数据")


@transaction.atomic
def compute(actor, period) -> AssessmentPeriod:
    period = _lock(actor, period)
    before = period.state
    if period.state not in (S.OPEN, S.COLLECTED, S.COMPUTED):
        raise ServiceError("period_frozen", "考评期已审核或发布，结果已冻结", status=409)
    scheme = period.scheme
    items = list(scheme.items.select_related("indicator"))
    start, end = _bounds(period)
    entered = {(v.region_id, v.indicator_id): v for v in period.values.all()}
    vetoes = {
        v.region_id for v in period.values.filter(indicator__kind=Indicator.Kind.VETO) if v.value
    }
    rows = []
    for region in subjects(period):
        parts = [
            _part(period, region, item, start, end, entered)
            for item in items
            if item.indicator.kind != Indicator.Kind.VETO
        ]
        scored = scoring.weighted(parts, scheme.missing_policy)
        rows.append(
            {
                "region": region.code,
                "name": region.name,
                "county": region.code[:6],
                "score": scored.total,
                "parts": scored.parts,
                "missing": scored.missing,
                "veto": region.pk in vetoes,
                "stars": scoring.stars(
                    scored.total,
                    (
                        float(scheme.star5),
                        float(scheme.star4),
                        float(scheme.star3),
                        float(scheme.star2),
                    ),
                ),
            }
        )
    rules = Rules361(
        float(scheme.excellent_share),
        float(scheme.poor_share),
        scheme.min_group,
        float(scheme.floor),
    )
    # A village with no data at all is not ranked: it is 未评定, and its group is the rest.
    scored = [r for r in rows if r["score"] is not None]
    ranked = rank361(
        [Entry(r["region"], r["score"], r["county"], r["veto"]) for r in scored], rules
    )
    counties = dict(Region.objects.filter(level="county").values_list("code", "name"))
    for row, graded in zip(scored, ranked, strict=True):
        row.update(rank=graded.rank, grade=graded.grade, reason=graded.reason)
    for row in rows:
        row["county_name"] = counties.get(row["county"].ljust(12, "0"), row["county"])
        if row["score"] is None:
            row.update(rank=None, grade="未评定", reason="本期没有任何指标数据，不参加排名")
    period.results = {
        "computed_at": timezone.now().isoformat(timespec="seconds"),
        "rules": rules.describe(),
        "missing_policy": scoring.MISSING_POLICIES[scheme.missing_policy],
        "stars": f"{scheme.star5}/{scheme.star4}/{scheme.star3}/{scheme.star2} 分为五/四/三/二星，其余一星",
        "weights": [{"indicator": i.indicator.name, "weight": float(i.weight)} for i in items],
        "rows": rows,
    }
    period.state = S.COMPUTED
    period.save(update_fields=["results", "state"])
    ranked_count = sum(1 for r in rows if r["score"] is not None)
    _event(
        period,
        actor,
        PeriodEvent.Action.COMPUTE,
        before,
        f"计算 {len(rows)} 个村（社区），{ranked_count} 个参加排名",
        subjects=len(rows),
        ranked=ranked_count,
    )
    return period


@transaction.atomic
def advance(actor, period, to: str) -> AssessmentPeriod:
    """collected → computed is `compute`; this moves open → collected, computed → reviewed,
    reviewed → published (the freeze)."""
    period = _lock(actor, period)
    if NEXT.get(period.state) != to or to == S.COMPUTED:
        raise ServiceError(
            "invalid_transition",
            f"考评期当前为“{period.get_state_display()}”，不能进入该环节",
            status=409,
        )
    before = period.state
    period.state = to
    fields = ["state"]
    if to == S.PUBLISHED:
        period.published_at = timezone.now()
        fields.append("published_at")
    period.save(update_fields=fields)
    action = {
        S.COLLECTED: PeriodEvent.Action.COLLECT,
        S.REVIEWED: PeriodEvent.Action.REVIEW,
        S.PUBLISHED: PeriodEvent.Action.PUBLISH,
    }[to]
    _event(period, actor, action, before)
    return period


@transaction.atomic
def reopen(actor, period) -> AssessmentPeriod:
    """Back to 录入中 before review, to correct a figure: the computed results are dropped,
    since they no longer match the inputs."""
    period = _lock(actor, period)
    if period.state not in (S.COLLECTED, S.COMPUTED):
        raise ServiceError(
            "invalid_transition",
            f"考评期当前为“{period.get_state_display()}”，不能退回录入"
            + (
                "；已审核或发布的结果须建立更正期"
                if period.state in (S.REVIEWED, S.PUBLISHED)
                else ""
            ),
            status=409,
        )
    before = period.state
    period.state = S.OPEN
    period.results = {}
    period.save(update_fields=["state", "results"])
    _event(period, actor, PeriodEvent.Action.REOPEN, before)
    return period


@transaction.atomic
def revise(actor, period) -> AssessmentPeriod:
    """A correction of a published period: a new period with the same figures, to recompute."""
    period = _lock(actor, period)
    if period.state != S.PUBLISHED:
        raise ServiceError("not_published", "只有已发布的考评期才需要更正", status=409)
    revision = AssessmentPeriod.objects.create(
        scheme=period.scheme,
        label=f"{period.label}（更正）",
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        revision_of=period,
    )
    EnteredValue.objects.bulk_create(
        [
            EnteredValue(
                period=revision,
                region_id=v.region_id,
                indicator_id=v.indicator_id,
                value=v.value,
                evidence=v.evidence,
                entered_by=v.entered_by,
            )
            for v in period.values.all()
        ]
    )
    _event(revision, actor, PeriodEvent.Action.REVISE, "", f"更正自“{period.label}”")
    _event(
        period, actor, PeriodEvent.Action.REVISE, period.state, f"已建立更正期“{revision.label}”"
    )
    return revision
