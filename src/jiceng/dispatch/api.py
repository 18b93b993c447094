"""The dispatch model's part of the JSON API: a ticket's suggestion."""

from ninja import Router

from jiceng.tickets.access import get_ticket_for_user
from jiceng.tickets.schemas import SuggestionOut

from . import selectors

router = Router(tags=["智能派单"])


@router.get(
    "/tickets/{ticket_id}/suggestion",
    response=SuggestionOut,
    summary="智能派单建议（分类与承办单位）",
)
def get_suggestion(request, ticket_id: int):
    """The same advice as the ticket page: the stored categories, and the unit the routing
    table gives for the ticket's category now (or the model's, while it has none), if the user
    may pick it."""
    advice = selectors.advice(request.user, get_ticket_for_user(request.user, ticket_id))
    found = advice.suggestion
    if found is None and advice.unit is None:
        return {"categories": []}
    return {
        "model_version": found.model_version.version if found and found.model_version else None,
        "categories": [
            {"code": t["code"], "name": t["name"], "probability": t["p"]} for t in advice.top
        ],
        "unit": advice.unit,
        "route": advice.reason if advice.unit is not None else "",
        "auto_dispatched": bool(found and found.auto_dispatched),
        "problem": found.problem if found else "",
    }
