"""What several evaluation pages share: the upload limit, the import report, the
organization picker, and how a refused step reaches the page."""

from django.core.exceptions import PermissionDenied

from jiceng.core.errors import ServiceError
from jiceng.regions.labels import places

MAX_UPLOAD = 5 * 1024 * 1024


def _more(problems) -> list[str]:
    return [f"……另有 {len(problems) - 50} 处问题未列出"] if len(problems) > 50 else []


def _pick_orgs(request, orgs) -> dict:
    """The organization picker: a name search over the orgs in scope (a county has over a
    thousand), showing the first matches."""
    q = request.GET.get("q", "").strip()[:50]
    if q:
        orgs = orgs.filter(name__icontains=q)
    orgs = orgs.order_by("name")
    shown = list(orgs.select_related("region")[:PICK_LIMIT])
    where = places(o.region for o in shown)
    for o in shown:  # two branches of a 下六工村 in two townships are told apart
        o.place = where.get(o.region_id, "")
    return {"q": q, "orgs": shown, "more": len(shown) == PICK_LIMIT and orgs.count() > PICK_LIMIT}


PICK_LIMIT = 30

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def refusal(exc: ServiceError) -> str:
    """A step the service refused, for a page: a missing role (403) is the 403 page, with the
    service's words; any other refusal is returned, to be shown on the page."""
    if exc.status == 403:
        raise PermissionDenied(exc.message) from None
    return exc.message
