"""Resident pages: submit a request, get a tracking code, follow it, rate the answer.

Thin views (STYLE.md, habit 3): parse the form, call the service, render. A resident proves
a ticket is theirs with its tracking code and the last 4 digits of the phone number, or with
the signed link in the message that carried the reply; the proof is kept in the session.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import links, services
from .forms import LookupForm, PublicRequestForm, RateForm, region_choices
from .models import Ticket
from .states import Status

SESSION_KEY = "tracked_tickets"


def _add_errors(form, exc: ValidationError) -> None:
    fields = {"requester_phone": "phone", "requester_name": "name", "region": "county"}
    for field, msgs in exc.message_dict.items():
        name = fields.get(field, field)
        for message in msgs:
            form.add_error(name if name in form.fields else None, message)


def _remember(request, code: str) -> None:
    tracked = request.session.get(SESSION_KEY, [])
    if code not in tracked:
        request.session[SESSION_KEY] = [*tracked, code][-20:]


@require_http_methods(["GET", "POST"])
def submit(request):
    form = PublicRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["website"]:
            # A bot filled the hidden field: say thanks, keep nothing.
            return render(request, "tickets/public/submitted.html", {"code": None})
        intake = services.Intake(
            title="",
            content=form.cleaned_data["content"],
            region=form.region(),
            requester_name=form.cleaned_data["name"],
            requester_phone=form.cleaned_data["phone"],
            address=form.cleaned_data["address"],
            photos=tuple(form.cleaned_data["photos"]),
        )
        try:
            ticket = services.receive_public(intake)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            _remember(request, ticket.tracking_code)
            return redirect("submitted", ticket.tracking_code)
    return render(request, "tickets/public/submit.html", {"form": form})


@require_GET
def places(request):
    """<option>s for the next select of the place picker (htmx)."""
    level = request.GET.get("level", "")
    if level not in ("township", "village"):
        raise Http404
    parent = request.GET.get("county" if level == "township" else "township", "")
    return render(
        request, "tickets/public/options.html", {"choices": region_choices(parent or None, level)}
    )


@require_GET
def submitted(request, code: str):
    if code not in request.session.get(SESSION_KEY, []):
        raise Http404
    return render(request, "tickets/public/submitted.html", {"code": code})


@require_http_methods(["GET", "POST"])
def lookup(request):
    form = LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code, last4 = form.cleaned_data["code"], form.cleaned_data["last4"]
        ticket = Ticket.objects.filter(tracking_code=code).only("requester_phone").first()
        if ticket and ticket.requester_phone and ticket.requester_phone[-4:] == last4:
            _remember(request, code)
            return redirect("track-ticket", code)
        form.add_error(None, "查询码或手机号后 4 位不正确")
    return render(request, "tickets/public/lookup.html", {"form": form})


def _own_ticket(request, code: str) -> Ticket:
    key = request.GET.get("k", "")
    if key and links.key_opens(key, code):
        _remember(request, code)
    if code not in request.session.get(SESSION_KEY, []):
        raise Http404
    ticket = (
        Ticket.objects.select_related("region", "main_unit", "duplicate_of")
        .filter(tracking_code=code)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


@require_GET
def track(request, code: str):
    ticket = _own_ticket(request, code)
    shown = (
        ticket.duplicate_of if ticket.status == Status.MERGED and ticket.duplicate_of_id else ticket
    )
    can_rate = shown.status == Status.REPLIED and shown.pk == ticket.pk
    return render(
        request,
        "tickets/public/track.html",
        {
            "ticket": ticket,
            "shown": shown,
            "can_rate": can_rate,
            "form": RateForm() if can_rate else None,
        },
    )


@require_POST
def rate(request, code: str):
    ticket = _own_ticket(request, code)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            with services.as_system("诉求人本人"):
                services.callback(
                    None,
                    ticket,
                    solved=form.cleaned_data["solved"],
                    satisfaction=form.cleaned_data["satisfaction"],
                    remark=form.cleaned_data["remark"],
                    by_resident=True,
                )
        except services.Conflict:
            messages.info(request, "这件诉求已经评价过了，谢谢。")
            return redirect("track-ticket", code)
        messages.success(request, "感谢您的评价！")
        return redirect("track-ticket", code)
    return render(
        request,
        "tickets/public/track.html",
        {"ticket": ticket, "shown": ticket, "can_rate": True, "form": form},
        status=422,
    )
