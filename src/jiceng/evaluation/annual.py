"""The year's 361 of a star scheme: the year's published periods rolled up by one stated rule,
or, for a scheme whose cycle is the year, its annual period's own result.

The roll-up (ROLL_UP, shown on the page and in the 通报): a village's year score is the mean
of its scores in the year's published periods (a period in which it had no score is left
out); a village scored in fewer than half of them is 未评定; a 一票否决 in any period makes the
year 差. The 361 grades then follow the scheme's rules, county by county, as for a period. A
published correction (更正期) stands in for the period it corrects.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q

from jiceng.regions.models import Region

from . import scoring
from .models import AssessmentPeriod, Diagnosis, Scheme
from .ranking import Entry, Rules361, rank361

ROLL_UP = (
    "年度得分为本年度各已发布考评期得分的算术平均（某期无得分的不计入）；"
    "得分期数不足本年度考评期数一半的，不参加年度排名；任一期一票否决的，年度评为差；"
    "更正期代替被更正的考评期"
)
OWN = "本方案按年度考评：以本年度已发布的年度考评期结果为准"


@dataclass
class Annual:
    scheme: Scheme
    year: int
    rule: str
    periods: list[AssessmentPeriod]
    rows: list[dict] = field(default_factory=list)
    rules: str = ""
    expected: int = 0  # periods a whole year of this scheme's cycle holds

    @property
    def complete(self) -> bool:
        """Every period of the year is published: until then the figures still move."""
        return len(self.periods) >= self.expected


PER_YEAR = {"month": 12, "quarter": 4, "half": 2, "year": 1}


def year_periods(scheme: Scheme, year: int) -> list[AssessmentPeriod]:
    """The scheme's published periods that end in `year`, each replaced by its latest
    published correction, in date order."""
    published = list(
        AssessmentPeriod.objects.filter(
            scheme=scheme,
            state=AssessmentPeriod.State.PUBLISHED,
            ends_on__gte=date(year, 1, 1),
            ends_on__lte=date(year, 12, 31),
        ).order_by("starts_on", "id")
    )
    corrected = {p.revision_of_id for p in published if p.revision_of_id}
    return [p for p in published if p.pk not in corrected]


def annual(scheme: Scheme, year: int) -> Annual:
    result = _annual(scheme, year)
    result.expected = PER_YEAR.get(scheme.cycle, 1)
    return result


def _annual(scheme: Scheme, year: int) -> Annual:
    periods = year_periods(scheme, year)
    if scheme.cycle == Scheme.Cycle.YEAR:
        result = Annual(scheme, year, OWN, periods[-1:])
        if periods:
            result.rows = [dict(r, scores=[r.get("score")]) for r in periods[-1].results["rows"]]
            result.rules = periods[-1].results.get("rules", "")
        return result
    rules = Rules361(
        float(scheme.excellent_share),
        float(scheme.poor_share),
        scheme.min_group,
        float(scheme.floor),
    )
    by_village: dict[str, dict] = {}
    for i, period in enumerate(periods):
        for r in period.results.get("rows", []):
            row = by_village.setdefault(
                r["region"],
                {
                    "region": r["region"],
                    "name": r["name"],
                    "county": r["county"],
                    "county_name": r.get("county_name", r["county"]),
                    "scores": [None] * len(periods),
                    "veto": False,
                    "vetoed_in": [],
                },
            )
            row["scores"][i] = r.get("score")
            if r.get("veto"):
                row["veto"] = True
                row["vetoed_in"].append(period.label)
    stars = (float(scheme.star5), float(scheme.star4), float(scheme.star3), float(scheme.star2))
    ranked = []
    for row in by_village.values():
        got = [s for s in row["scores"] if s is not None]
        if periods and len(got) * 2 >= len(periods):
            row["score"] = round(sum(got) / len(got), 2)
            row["stars"] = scoring.stars(row["score"], stars)
            ranked.append(row)
        else:
            row.update(score=None, stars=None, rank=None, grade="未评定")
            row["reason"] = f"本年度 {len(periods)} 期中只有 {len(got)} 期有得分，不参加年度排名"
    graded = rank361(
        [Entry(r["region"], r["score"], r["county"], r["veto"]) for r in ranked], rules
    )
    for row, g in zip(ranked, graded, strict=True):
        reason = g.reason
        if row["vetoed_in"]:
            reason += f"（{'、'.join(row['vetoed_in'])}一票否决）"
        row.update(rank=g.rank, grade=g.grade, reason=reason)
    rows = sorted(
        by_village.values(), key=lambda r: (r["county"], r["rank"] is None, r["rank"] or 0)
    )
    return Annual(scheme, year, ROLL_UP, periods, rows, rules.describe())


def follow_up(rows: list[dict], year: int) -> dict:
    """抓两头: the 优秀 for commendation, and the 差 with their 整改 follow-up (the branch's
    latest 把脉问诊 of the year, its state and what is still open)."""
    poor = [r for r in rows if r.get("grade") == "差"]
    regions = {r.code: r for r in Region.objects.filter(code__in=[r["region"] for r in poor])}
    latest = {}
    found = (
        Diagnosis.objects.filter(
            party_org__region__code__in=list(regions),
            party_org__unit__isnull=True,
            assessed_on__year=year,
        )
        .select_related("party_org__region")
        .annotate(open_items=Count("rectifications", filter=~Q(rectifications__state="verified")))
        .order_by("party_org_id", "-assessed_on", "-id")
    )
    for d in found:
        latest.setdefault(d.party_org.region.code, d)
    followed = []
    for r in poor:
        d = latest.get(r["region"])
        followed.append({**r, "diagnosis": d, "open_items": d.open_items if d else 0})
    return {"excellent": [r for r in rows if r.get("grade") == "优秀"], "poor": followed}
