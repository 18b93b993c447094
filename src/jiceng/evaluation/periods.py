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
from django.utils import timezone

from jiceng.core.text import clean_text
from jiceng.orgs.access import Scope, scope_of
from jiceng.regions.models import Kind, Region
from jiceng.tickets import rates
from jiceng.tickets.metrics import SHANGHAI

from . import figures, flows, scoring, surveys, transitions
from .models import (
    AssessmentPeriod,
    Campaign,
    Diagnosis,
    EnteredValue,
    Indicator,
    MeetingKind,
    OrgMeeting,
)
from .ranking import Entry, Rules361, rank361

S = AssessmentPeriod.State
FLOW = "period"


def rows_in_scope(user, period: AssessmentPeriod) -> list[dict]:
    """The period's result rows of the villages inside `user`'s scope, by county and rank (the
    page, its 通报 export and the API read these)."""
    rows = period.results.get("rows", [])
    scope = scope_of(user)
    if not scope.everything:
        villages = Region.objects.filter(path__startswith=scope.path or "-", level="village")
        inside = set(villages.values_list("code", flat=True))
        rows = [r for r in rows if r["region"] in inside]
    return sorted(rows, key=lambda r: (r["county"], r["rank"] is None, r["rank"] or 0))


MAX_PERIOD_DAYS = 366


def create_period(actor, scheme, *, label: str, starts_on, ends_on) -> AssessmentPeriod:
    """A new round of `scheme` (建立考评期), by an assessor whose scope holds the scheme's
    region, with its event. Refused in words: a missing name or date, an end before the
    start, a round longer than a year, the same name twice in one scheme, or dates that overlap
    another round of the scheme (a correction is made by `revise`, not here)."""
    label = clean_text(label or "").strip()

    def problems() -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        if scheme is None:
            errors["scheme"] = ["请选择管辖范围内的考评方案"]
        if len(label) < 2 or len(label) > 60:
            errors["label"] = ["请填写考评期名称（2 到 60 个字），如“2026年第四季度”"]
        if starts_on is None:
            errors["starts_on"] = ["请填写开始日期"]
        if ends_on is None:
            errors["ends_on"] = ["请填写结束日期"]
        if starts_on and ends_on:
            if ends_on < starts_on:
                errors["ends_on"] = ["结束日期不能早于开始日期"]
            elif (ends_on - starts_on).days >= MAX_PERIOD_DAYS:
                errors["ends_on"] = ["一个考评期不能超过一年"]
        if scheme is None:
            return errors
        rounds = AssessmentPeriod.objects.filter(scheme=scheme, revision_of__isnull=True)
        if label and rounds.filter(label=label).exists():
            errors["label"] = [f"方案“{scheme.name}”已有名为“{label}”的考评期"]
        elif "ends_on" not in errors and starts_on and ends_on:
            overlap = rounds.filter(starts_on__lte=ends_on, ends_on__gte=starts_on).first()
            if overlap is not None:
                errors["starts_on"] = [
                    f"与考评期“{overlap.label}”（{overlap.starts_on} 至 {overlap.ends_on}）的日期重叠"
                ]
        return errors

    def build():
        if errors := problems():
            raise ValidationError(errors)
        period = AssessmentPeriod.objects.create(
            scheme=scheme, label=label, starts_on=starts_on, ends_on=ends_on
        )
        return period, f"建立考评期“{label}”（{starts_on} 至 {ends_on}）", None

    if scheme is None:  # nothing to check the scope against: the form's problems, all of them
        raise ValidationError(problems())
    return transitions.create(actor, FLOW, AssessmentPeriod(scheme=scheme), build)


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


def enter_value(
    actor, period, region, indicator: Indicator, value, evidence: str = ""
) -> EnteredValue:
    saved = []

    def change(period):
        if indicator.kind not in (Indicator.Kind.ENTERED, Indicator.Kind.VETO):
            raise ValidationError({"indicator": ["该指标由系统计算，不能录入"]})
        if region not in subjects(period):
            raise ValidationError({"region": ["该村（社区）不在本方案的考评范围内"]})
        try:
            number = Decimal(str(value))
        except Exception:
            raise ValidationError({"value": ["请填写数字"]}) from None
        saved.append(_save_value(actor, period, region, indicator, number, evidence))
        return {"region": region.code, "indicator": indicator.code, "value": str(number)}

    transitions.apply(
        actor,
        FLOW,
        period,
        "enter",
        note=f"{region.name} {indicator.name}：{value}",
        change=change,
    )
    return saved[0]


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


def import_values(actor, period, path, filename: str = "") -> int:
    """Figures from a sheet (the template of `figures.template`): every row is checked
    first, and a bad row refuses the whole file with its row number; then all are saved, with
    one event. Rows with an empty value are skipped (nothing entered there yet)."""
    return _import(
        actor,
        period,
        lambda regions, indicators: figures.read_values(path, regions, indicators),
        f"从 {filename or '文件'} 导入",
    )


def put_values(actor, period, rows: list[dict], source: str = "API") -> int:
    """Figures as a list of {region, indicator, value, evidence} (the API): the same checks
    as the sheet, numbered from 1; all saved or none."""
    numbered = list(enumerate(rows, start=1))
    return _import(
        actor,
        period,
        lambda regions, indicators: figures.check_values(
            numbered, regions, indicators, empty="没有提交任何数值"
        ),
        f"经{source}录入",
    )


def _import(actor, period, read, source: str) -> int:
    counts = {}

    def change(period):
        regions = {r.code: r for r in subjects(period)}
        rows = read(regions, enterable(period))
        before = {(v.region_id, v.indicator_id): v for v in period.values.all()}
        added = changed = 0
        for region, indicator, value, evidence in rows:
            old = before.get((region.pk, indicator.pk))
            if old is not None and old.value == value and old.evidence == evidence:
                continue  # the sheet repeats what is entered: keep who entered it
            _save_value(actor, period, region, indicator, value, evidence)
            added, changed = (added + 1, changed) if old is None else (added, changed + 1)
        counts.update(rows=len(rows), added=added, changed=changed)
        same = len(rows) - added - changed
        return {
            **counts,
            "note": f"{source}：新增 {added} 个、修改 {changed} 个数值，{same} 个与已录入的相同",
        }

    transitions.apply(actor, FLOW, period, "import", change=change)
    return counts["added"] + counts["changed"]


def _bounds(period) -> tuple[datetime, datetime]:
    start = datetime.combine(period.starts_on, time.min, SHANGHAI)
    end = datetime.combine(period.ends_on + timedelta(days=1), time.min, SHANGHAI)
    return start, end


def _part(period, region, item, start, end, entered) -> scoring.Part:
    ind = item.indicator
    low, high = float(ind.low), float(ind.high)
    raw, source = None, ""
    if ind.kind == Indicator.Kind.TICKETS:
        row = rates.scope_rates(start, end, Scope(path=region.path))
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
        # only a closed survey counts: an open one's tallies are hidden and still moving
        campaign = (
            Campaign.objects.filter(region=region, created_at__lt=end, state=Campaign.State.CLOSED)
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


def compute(
    actor, period, *, missing_policy: str | None = None, trial: bool = False
) -> AssessmentPeriod:
    """Compute the period's results from the live inputs (again, until it is reviewed).

    Only once the figures are 已收齐; before that, `trial=True` computes a 试算 that leaves the
    period 录入中 and is marked as not final on every page and export. `missing_policy`
    (`scoring.MISSING_POLICIES`) is how the assessor chose to treat missing values, after
    seeing them (`missing_values`); the scheme's own policy when not given."""
    policy = missing_policy or period.scheme.missing_policy
    if policy not in scoring.MISSING_POLICIES:
        raise ValidationError({"missing": "请选择缺项的处理方式：按比例折算，或视为 0"})

    def change(locked):
        return _compute(locked, policy, trial=trial)

    return transitions.apply(actor, FLOW, period, "trial" if trial else "compute", change=change)


def missing_values(period) -> dict:
    """What a computation would lack, before it runs: each village's indicators with no data,
    and the 一票否决 items nobody entered (read as 否). `by_indicator` counts them."""
    scheme = period.scheme
    items = list(scheme.items.select_related("indicator"))
    start, end = _bounds(period)
    entered = {(v.region_id, v.indicator_id): v for v in period.values.all()}
    villages, by_indicator = [], {}
    for region in subjects(period):
        lacking = [
            item.indicator.name
            for item in items
            if item.indicator.kind != Indicator.Kind.VETO
            and _part(period, region, item, start, end, entered).normalised is None
        ]
        vetoes = [
            item.indicator.name
            for item in items
            if item.indicator.kind == Indicator.Kind.VETO
            and (region.pk, item.indicator_id) not in entered
        ]
        for name in lacking + vetoes:
            by_indicator[name] = by_indicator.get(name, 0) + 1
        if lacking or vetoes:
            villages.append(
                {"name": region.name, "code": region.code, "lacking": lacking, "vetoes": vetoes}
            )
    return {
        "villages": villages,
        "by_indicator": sorted(by_indicator.items(), key=lambda kv: -kv[1]),
        "count": sum(len(v["lacking"]) for v in villages),
        "vetoes_blank": sum(len(v["vetoes"]) for v in villages),
    }


def _compute(period, policy: str | None = None, *, trial: bool = False) -> dict:
    scheme = period.scheme
    policy = policy or scheme.missing_policy
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
        scored = scoring.weighted(parts, policy)
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
        "missing_policy": scoring.MISSING_POLICIES[policy],
        "missing_policy_code": policy,
        # a 试算 before the figures were 已收齐: never final, said on every page and export
        "trial": trial,
        "stars": f"{scheme.star5}/{scheme.star4}/{scheme.star3}/{scheme.star2} 分为五/四/三/二星，其余一星",
        "weights": [{"indicator": i.indicator.name, "weight": float(i.weight)} for i in items],
        "rows": rows,
    }
    period.save(update_fields=["results"])
    ranked_count = sum(1 for r in rows if r["score"] is not None)
    missing = sum(len(r["missing"]) for r in rows)
    return {
        "subjects": len(rows),
        "ranked": ranked_count,
        "missing_policy": policy,
        "trial": trial,
        "note": f"{'试算' if trial else '计算'} {len(rows)} 个村（社区），{ranked_count} 个参加排名；"
        f"缺项 {missing} 个，{scoring.MISSING_POLICIES[policy]}",
    }


# the state each forward step leads to, for `advance` (the command line and the page)
ADVANCE = {"collect": S.COLLECTED, "review": S.REVIEWED, "publish": S.PUBLISHED}


def advance(actor, period, to: str) -> AssessmentPeriod:
    """open → collected, computed → reviewed, reviewed → published (the freeze); collected →
    computed is `compute`."""
    step = {state: name for name, state in ADVANCE.items()}.get(to)
    if step is None:
        raise transitions.refuse(flows.PERIOD, "compute", period.state)

    def change(period):
        if step == "publish":
            period.published_at = timezone.now()
            period.save(update_fields=["published_at"])

    # who computed cannot review or publish: access.check_duties, inside apply
    return transitions.apply(actor, FLOW, period, step, change=change)


def reopen(actor, period) -> AssessmentPeriod:
    """Back to 录入中 before review, to correct a figure: the computed results are dropped,
    since they no longer match the inputs. A reviewed or published period is corrected by a
    correction period (`revise`)."""

    def change(period):
        period.results = {}
        period.save(update_fields=["results"])

    return transitions.apply(actor, FLOW, period, "reopen", change=change)


@transaction.atomic
def revise(actor, period) -> AssessmentPeriod:
    """A correction of a published period: a new period with the same figures, to recompute."""
    made = []

    def change(period):
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
        transitions.record(actor, FLOW, revision, "revise", "", f"更正自“{period.label}”")
        made.append(revision)
        return {"revision": revision.pk, "note": f"已建立更正期“{revision.label}”"}

    transitions.apply(actor, FLOW, period, "revise", change=change)
    return made[0]
