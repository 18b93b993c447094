"""The evaluation in the JSON API (/api/v1/evaluation/): thin endpoints over the same services,
selectors and scopes as the pages. Reads: periods with their results and derivations,
diagnoses with their 整改清单, surveys (tallies only once closed), selections (results only
from their 公示). Write: a period's figures, with the checks of the figures sheet."""

from datetime import date, datetime
from typing import Literal

from django.http import Http404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from jiceng.core.errors import ServiceError
from jiceng.core.pagination import Page
from jiceng.core.tabular import ImportRefused
from jiceng.orgs.access import get_for_user, visible

from . import periods as period_service
from . import selection as selection_service
from . import surveys as survey_service
from .models import AssessmentPeriod, Campaign, Diagnosis, Selection

router = Router(tags=["基层党组织考评"])


class PeriodBrief(Schema):
    id: int
    scheme: str = Field(..., description="考评方案")
    region_code: str = Field(..., description="方案适用区划")
    label: str
    starts_on: date
    ends_on: date
    state: str = Field(..., description="open/collected/computed/reviewed/published")
    state_label: str
    published_at: datetime | None
    revision_of: int | None = Field(None, description="更正的考评期")


class PartOut(Schema):
    code: str
    name: str
    weight: float
    raw: float | None
    normalised: float | None
    source: str = Field(..., description="依据：工单计数、票数或录入的佐证")


class ResultRow(Schema):
    region_code: str
    name: str
    county: str
    score: float | None
    stars: int | None = None
    rank: int | None
    grade: str
    reason: str
    veto: bool = False
    parts: list[PartOut] = []


class PeriodOut(PeriodBrief):
    rules: str = ""
    computed_at: str | None = None
    rows: list[ResultRow] = Field([], description="管辖范围内各村（社区）的结果与得分依据")


class EvaluationEventOut(Schema):
    action: str
    label: str
    actor: str | None
    at: datetime
    from_state: str
    to_state: str
    note: str
    data: dict


class ValueIn(Schema):
    region_code: str = Field(..., description="村（社区）12 位代码")
    indicator_code: str = Field(..., description="需录入的指标代码")
    value: str = Field(..., description="数值；一票否决填 是 或 否")
    evidence: str = Field("", description="佐证（材料名称、文号或说明），一票否决为否时可空")


class ValuesIn(Schema):
    values: list[ValueIn] = Field(..., max_length=5000)


class ValuesOut(Schema):
    saved: int = Field(..., description="新增或修改的数值个数")


class RectificationOut(Schema):
    id: int
    problem: str
    responsible: str | None
    due_on: date
    state: str
    state_label: str
    done_on: date | None
    evidence: str


class DiagnosisOut(Schema):
    id: int
    party_org: str
    assessed_on: date
    grade: str
    good_dimensions: int
    state: str
    dimensions: list[dict]
    rectifications: list[RectificationOut]


class SurveyBrief(Schema):
    id: int
    name: str
    region_code: str
    state: str
    issued: int
    voted: int
    turnout: float | None
    hidden: bool = Field(..., description="投票期间各人得票与满意率不公开")


class SurveyPerson(Schema):
    name: str
    post: str
    ballots: int
    satisfied_rate: float | None = Field(..., description="各类投票人按权重合成的满意率")
    flagged: bool


class SurveyOut(SurveyBrief):
    satisfied_rate: float | None
    people: list[SurveyPerson]


class SelectionOut(Schema):
    id: int
    name: str
    region_code: str
    seats: int
    state: str
    state_label: str
    publicity_starts: date | None
    publicity_ends: date | None
    elected: list[str] = Field([], description="公示起公开：当选（拟当选）人员")
    rule: str = ""


def _period_brief(p: AssessmentPeriod) -> dict:
    return {
        "id": p.pk,
        "scheme": p.scheme.name,
        "region_code": p.scheme.region.code,
        "label": p.label,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "state": p.state,
        "state_label": p.get_state_display(),
        "published_at": p.published_at,
        "revision_of": p.revision_of_id,
    }


def _periods(request):
    return visible(request.user, AssessmentPeriod.objects.select_related("scheme__region"))


@router.get("/evaluation/periods", response=list[PeriodBrief], summary="考评期")
@paginate(Page)
def list_periods(
    request,
    state: Literal["open", "collected", "computed", "reviewed", "published"] | None = None,
):
    found = _periods(request).order_by("-ends_on", "-id")
    if state:
        found = found.filter(state=state)
    return [_period_brief(p) for p in found]


@router.get("/evaluation/periods/{period_id}", response=PeriodOut, summary="考评期及结果、得分依据")
def get_period(request, period_id: int):
    period = get_for_user(request.user, _periods(request), pk=period_id)
    results = period.results or {}
    rows = [
        {
            "region_code": r["region"],
            "name": r["name"],
            "county": r.get("county_name", r["county"]),
            "score": r.get("score"),
            "stars": r.get("stars"),
            "rank": r.get("rank"),
            "grade": r.get("grade", ""),
            "reason": r.get("reason", ""),
            "veto": r.get("veto", False),
            "parts": [
                {
                    "code": p.get("code", ""),
                    "name": p.get("name", ""),
                    "weight": p.get("weight", 0),
                    "raw": p.get("raw"),
                    "normalised": p.get("normalised"),
                    "source": p.get("source", ""),
                }
                for p in r.get("parts", [])
            ],
        }
        for r in period_service.rows_in_scope(request.user, period)
    ]
    return {
        **_period_brief(period),
        "rules": results.get("rules", ""),
        "computed_at": results.get("computed_at"),
        "rows": rows,
    }


@router.get(
    "/evaluation/periods/{period_id}/events",
    response=list[EvaluationEventOut],
    summary="考评期办理记录",
)
def period_events(request, period_id: int):
    period = get_for_user(request.user, _periods(request), pk=period_id)
    return [
        {
            "action": e.action,
            "label": e.label,
            "actor": e.actor.username if e.actor else None,
            "at": e.at,
            "from_state": e.from_state,
            "to_state": e.to_state,
            "note": e.note,
            "data": e.data,
        }
        for e in period.events.select_related("actor").order_by("at", "id")
    ]


@router.put(
    "/evaluation/periods/{period_id}/values",
    response=ValuesOut,
    summary="录入考评期数值（与录入表同样的校验，全部保存或全部拒绝）",
)
def put_values(request, period_id: int, payload: ValuesIn):
    period = get_for_user(request.user, _periods(request), pk=period_id)
    rows = [
        {
            "region": v.region_code,
            "indicator": v.indicator_code,
            "value": v.value,
            "evidence": v.evidence,
        }
        for v in payload.values
    ]
    try:
        saved = period_service.put_values(request.user, period, rows)
    except ImportRefused as refused:
        raise ServiceError(
            "invalid",
            "；".join(str(p) for p in refused.problems[:20]),
            status=422,
            errors=[
                {
                    "field": f"values[{p.row - 1}]" if p.row else "values",
                    "message": f"{p.column}：{p.message}" if p.column else p.message,
                }
                for p in refused.problems
            ],
        ) from None
    return {"saved": saved}


def _diagnosis_out(d: Diagnosis) -> dict:
    return {
        "id": d.pk,
        "party_org": d.party_org.name,
        "assessed_on": d.assessed_on,
        "grade": d.grade,
        "good_dimensions": d.good_dimensions,
        "state": d.state,
        "dimensions": d.summary,
        "rectifications": [
            {
                "id": r.pk,
                "problem": r.problem,
                "responsible": r.responsible.name if r.responsible else None,
                "due_on": r.due_on,
                "state": r.state,
                "state_label": r.get_state_display(),
                "done_on": r.done_on,
                "evidence": r.evidence,
            }
            for r in d.rectifications.select_related("responsible")
        ],
    }


@router.get("/evaluation/diagnoses", response=list[DiagnosisOut], summary="“五个好”把脉问诊")
@paginate(Page)
def list_diagnoses(
    request, year: int | None = Query(None, ge=2000, le=2100, description="诊断年度")
):
    found = visible(request.user, Diagnosis.objects.select_related("party_org")).order_by(
        "-assessed_on", "-id"
    )
    if year:
        found = found.filter(assessed_on__year=year)
    return [_diagnosis_out(d) for d in found]


@router.get("/evaluation/diagnoses/{diagnosis_id}", response=DiagnosisOut, summary="一次把脉问诊")
def get_diagnosis(request, diagnosis_id: int):
    return _diagnosis_out(
        get_for_user(request.user, Diagnosis.objects.select_related("party_org"), pk=diagnosis_id)
    )


def _survey_out(c: Campaign, *, people: bool) -> dict:
    result = survey_service.results(c)
    out = {
        "id": c.pk,
        "name": c.name,
        "region_code": c.region.code,
        "state": c.state,
        "issued": result["issued"],
        "voted": result["voted"],
        "turnout": result["turnout"],
        "hidden": result["hidden"],
    }
    if people:
        out["satisfied_rate"] = result["satisfied_rate"]
        out["people"] = [
            {
                "name": p.ratee.person.name,
                "post": p.ratee.post,
                "ballots": p.ballots,
                "satisfied_rate": p.satisfied_rate,
                "flagged": p.flagged,
            }
            for p in result["people"]
        ]
    return out


def _surveys(request):
    return visible(request.user, Campaign.objects.select_related("region"))


@router.get("/evaluation/surveys", response=list[SurveyBrief], summary="满意度测评")
@paginate(Page)
def list_surveys(request):
    return [_survey_out(c, people=False) for c in _surveys(request).order_by("-created_at")]


@router.get(
    "/evaluation/surveys/{survey_id}",
    response=SurveyOut,
    summary="满意度测评结果（投票结束后公布；投票期间只有参与情况）",
)
def get_survey(request, survey_id: int):
    return _survey_out(get_for_user(request.user, _surveys(request), pk=survey_id), people=True)


def _selection_out(s: Selection) -> dict:
    public = s.state in (Selection.State.PUBLICITY, Selection.State.DONE)
    standing = selection_service.standing(s) if public else None
    return {
        "id": s.pk,
        "name": s.name,
        "region_code": s.region.code,
        "seats": s.seats,
        "state": s.state,
        "state_label": s.get_state_display(),
        "publicity_starts": s.publicity_starts,
        "publicity_ends": s.publicity_ends,
        "elected": [n.person.name for n in selection_service.winners(s)] if public else [],
        "rule": standing.how if standing else "",
    }


def _selections(request):
    return visible(request.user, Selection.objects.select_related("region"))


@router.get("/evaluation/selections", response=list[SelectionOut], summary="“担当我先行”评选")
@paginate(Page)
def list_selections(request):
    return [_selection_out(s) for s in _selections(request).order_by("-id")]


@router.get("/evaluation/selections/{selection_id}", response=SelectionOut, summary="一次评选")
def get_selection(request, selection_id: int):
    found = _selections(request).filter(pk=selection_id).first()
    if found is None:
        raise Http404
    return _selection_out(found)
