"""把脉问诊 coverage: of each county's party branches, how many were diagnosed in a year, and
with which grade (each branch's latest diagnosis of the year). The article's "对全市1138个基层
党组织'把脉问诊'" is this figure."""

from datetime import date

from jiceng.orgs.access import visible
from jiceng.orgs.models import PartyOrg, PartyOrgKind
from jiceng.regions.models import Region

from .checklist import GRADES
from .models import Diagnosis


def by_county(user, year: int) -> dict:
    """{"rows": [{code, name, branches, diagnosed, share, grades: {grade: n}, rectifying}],
    "total": the same summed}, for the branches inside the user's scope."""
    branches = visible(user, PartyOrg.objects.filter(kind=PartyOrgKind.BRANCH)).values_list(
        "pk", "region__code", "unit__region__code"
    )
    county_of = {pk: (code or unit_code or "")[:6] for pk, code, unit_code in branches}
    latest: dict[int, tuple[str, str]] = {}
    found = (
        Diagnosis.objects.filter(
            party_org_id__in=list(county_of),
            assessed_on__gte=date(year, 1, 1),
            assessed_on__lt=date(year + 1, 1, 1),
        )
        .order_by("party_org_id", "-assessed_on", "-id")
        .values_list("party_org_id", "grade", "state")
    )
    for org_id, grade, state in found:
        latest.setdefault(org_id, (grade, state))
    names = dict(
        Region.objects.filter(
            level="county", code__in=[c.ljust(12, "0") for c in set(county_of.values())]
        ).values_list("code", "name")
    )
    rows: dict[str, dict] = {}
    for org_id, county in county_of.items():
        row = rows.setdefault(
            county,
            {
                "code": county,
                "name": names.get(county.ljust(12, "0"), "（未归属县市）"),
                "branches": 0,
                "diagnosed": 0,
                "grades": {g: 0 for g in reversed(GRADES)},
                "rectifying": 0,
            },
        )
        row["branches"] += 1
        if org_id in latest:
            grade, state = latest[org_id]
            row["diagnosed"] += 1
            row["grades"][grade] = row["grades"].get(grade, 0) + 1
            row["rectifying"] += state == Diagnosis.State.RECTIFYING
    ordered = sorted(rows.values(), key=lambda r: r["code"])
    total = {
        "name": "合计",
        "branches": sum(r["branches"] for r in ordered),
        "diagnosed": sum(r["diagnosed"] for r in ordered),
        "grades": {g: sum(r["grades"][g] for r in ordered) for g in reversed(GRADES)},
        "rectifying": sum(r["rectifying"] for r in ordered),
    }
    for row in [*ordered, total]:
        row["share"] = (
            round(100 * row["diagnosed"] / row["branches"], 1) if row["branches"] else None
        )
    return {"rows": ordered, "total": total, "grades": list(reversed(GRADES))}
