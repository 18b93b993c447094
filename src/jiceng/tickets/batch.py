"""Batches: a dispatcher selects tickets in the work list and dispatches, merges or supervises
them together. Each ticket is still its own service call, with its own transaction and event:
one that fails is reported with its reason and nothing of it changes."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_POST

from jiceng.core.errors import ServiceError
from jiceng.core.text import is_id
from jiceng.orgs.models import RoleCode as R

from . import access, services

MAX_BATCH = 100

# op → (label, the action it takes)
OPS = {
    "dispatch": ("批量派单", "dispatch"),
    "merge": ("批量合并", "merge"),
    "supervise": ("批量督办", "supervise"),
}


@dataclass
class Outcome:
    pk: int
    number: str
    ok: bool
    message: str


def may_batch(user) -> bool:
    return user.is_superuser or user.has_role(R.DISPATCHER, R.SUPERVISOR)


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "；".join(m for msgs in exc.message_dict.values() for m in msgs)
        return "；".join(exc.messages)
    if isinstance(exc, ServiceError):
        return exc.message
    return "不存在或不在您的管辖范围内"


def run(user, op: str, ids: list[int], *, unit=None, into=None, reason: str = "") -> list[Outcome]:
    """Take `op` on each ticket, one service call each; a failure stops nothing else."""
    if op not in OPS:
        raise ValidationError({"op": "请选择批量操作"})
    if not ids:
        raise ValidationError({"ids": "请先勾选工单"})
    if len(ids) > MAX_BATCH:
        raise ValidationError({"ids": f"一次最多处理 {MAX_BATCH} 件工单"})
    numbers = dict(access.visible_tickets(user).filter(pk__in=ids).values_list("pk", "number"))
    outcomes = []
    for pk in dict.fromkeys(ids):  # each once, in the order chosen
        try:
            if pk not in numbers:
                raise Http404
            if op == "dispatch":
                services.dispatch(user, pk, unit, reason=reason)
            elif op == "merge":
                services.merge(user, pk, into, reason)
            else:
                services.supervise(user, pk, reason)
        except (ValidationError, ServiceError, Http404) as exc:
            outcomes.append(Outcome(pk, numbers.get(pk, f"#{pk}"), False, _message(exc)))
        else:
            outcomes.append(Outcome(pk, numbers[pk], True, "已" + OPS[op][0][2:]))
    return outcomes


@login_required
@require_POST
def batch(request):
    if not may_batch(request.user):
        raise Http404
    p = request.POST
    op = p.get("op", "")
    ids = [int(v) for v in p.getlist("ids") if is_id(v)]
    unit = int(p["unit"]) if is_id(p.get("unit", "")) else None
    into, problem = None, ""
    if op == "merge":
        number = p.get("into", "").strip()
        into = (
            access.visible_tickets(request.user)
            .filter(number=number)
            .values_list("pk", flat=True)
            .first()
        )
        if into is None:
            problem = "并入的工单编号不存在或不在您的管辖范围内"
    if op == "dispatch" and unit is None:
        problem = "请选择承办单位"
    outcomes: list[Outcome] = []
    if not problem:
        try:
            outcomes = run(request.user, op, ids, unit=unit, into=into, reason=p.get("reason", ""))
        except ValidationError as exc:
            problem = _message(exc)
    done = [o for o in outcomes if o.ok]
    failed = [o for o in outcomes if not o.ok]
    return render(
        request,
        "tickets/work/batch.html",
        {
            "label": OPS.get(op, ("批量操作",))[0],
            "done": done,
            "failed": failed,
            "total": len(outcomes),
            "outcomes_all": outcomes,
            "problem": problem,
            "back": p.get("back", "")
            if p.get("back", "").startswith("/work/")
            else "/work/tickets/",
        },
        status=422 if problem else 200,
    )
