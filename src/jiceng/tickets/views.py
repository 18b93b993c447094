"""Resident pages: submit a request, get a tracking code, follow it, rate the answer.

Thin views (STYLE.md, habit 3): parse the form, call the service, render. Following a ticket
needs its tracking code and the last 4 digits of the phone (kept in the session). Rating needs
proof of holding the phone (`residents`): the single-use link sent with the reply, or a code
sent by SMS on request. Staff see neither, so the unit being measured cannot rate itself.
"""

import hmac
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiceng.core import languages
from jiceng.core.errors import ServiceError
from jiceng.core.limits import limit
from jiceng.core.text import clean_text, mask_phone
from jiceng.regions import placing
from jiceng.regions.models import Region

from . import kept_photos, notify, residents, services
from .forms import (
    RESIDENT_SATISFACTION,
    CodeForm,
    LookupForm,
    PublicRequestForm,
    RateForm,
    region_choices,
)
from .models import Ticket
from .states import Status

SESSION_KEY = "tracked_tickets"
# the three public states as residents read them (`Ticket.public_status` stays Chinese)
PUBLIC_STATUS = {
    "已受理": gettext_lazy("已受理"),
    "办理中": gettext_lazy("办理中"),
    "已办结": gettext_lazy("已办结"),
}
PROOF_KEY = "rating_proofs"  # tracking code → id of the token that proved the phone


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


@limit("submit_ip")
@require_http_methods(["GET", "POST"])
def submit(request):
    form = PublicRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        kept_photos.drop(request, request.POST.getlist("drop_photo"))
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["website"]:
            # A bot filled the hidden field: say thanks, keep nothing.
            kept_photos.clear(request)
            return render(request, "tickets/public/submitted.html", {"code": None})
        intake = services.Intake(
            title="",
            content=form.cleaned_data["content"],
            region=form.region(),
            requester_name=form.cleaned_data["name"],
            requester_phone=form.cleaned_data["phone"],
            address=form.cleaned_data["address"],
            latitude=form.cleaned_data["latitude"],
            longitude=form.cleaned_data["longitude"],
            # the photos kept from an earlier try, then the ones chosen now
            photos=(*kept_photos.as_uploads(request), *form.cleaned_data["photos"]),
            language=languages.current(),
        )
        try:
            ticket = services.receive_public(intake)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            kept_photos.clear(request)
            _remember(request, ticket.tracking_code)
            return redirect("submitted", ticket.tracking_code)
    if request.method == "POST":
        # the page comes back: keep what the resident chose, so the photo is not lost
        for problem in kept_photos.keep(request, request.FILES.getlist("photos")):
            if problem not in form.errors.get("photos", []):
                form.add_error("photos", problem)
    return render(
        request,
        "tickets/public/submit.html",
        {"form": form, "kept": kept_photos.kept(request) if request.method == "POST" else []},
    )


@require_GET
def kept_photo(request, photo_id: str):
    """The thumbnail of a photo kept for this session's form (no one else's)."""
    from django.http import HttpResponse

    thumb = kept_photos.thumbnail(request, photo_id)
    if thumb is None:
        raise Http404
    return HttpResponse(thumb.read(), content_type="image/jpeg")


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


@limit("locate_ip", method="GET")
@require_GET
def locate(request):
    """The place picker filled from the resident's position (使用我的位置) and the address
    they wrote, for them to check before sending (htmx; regions/placing.py)."""
    try:
        latitude = Decimal(request.GET.get("lat", ""))
        longitude = Decimal(request.GET.get("lon", ""))
        if not (latitude.is_finite() and longitude.is_finite()):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        latitude = longitude = None
    words = "\n".join(request.GET.get(k, "")[:2000] for k in ("address", "content"))
    found = placing.locate(text=clean_text(words), latitude=latitude, longitude=longitude)
    data = {
        "address": request.GET.get("address", "")[:200],
        "latitude": "" if latitude is None else f"{latitude:.6f}",
        "longitude": "" if longitude is None else f"{longitude:.6f}",
    }
    if found.region is not None and found.region.level in ("county", "township", "village"):
        chain = {
            r.level: r.code for r in Region.objects.filter(code__in=found.region.ancestor_codes())
        }
        data |= {k: chain.get(k, "") for k in ("county", "township", "village")}
    form = PublicRequestForm(data)  # bound only to fill the picker: never validated here
    if found.problem:
        note, ok = _("您的位置不在昌吉州境内，请手动选择所在地"), False
    elif found.region is None or found.region.level not in ("county", "township", "village"):
        note, ok = _("未能确定所在地，请手动选择"), False
    else:
        note = _("已按您的位置选好：%(place)s。请核对，不对请改选。") % {
            "place": " / ".join(
                r.local_name()
                for r in Region.objects.filter(
                    code__in=found.region.ancestor_codes(),
                    level__in=("county", "township", "village"),
                ).order_by("code")
            )
        }
        ok = True
    return render(
        request,
        "tickets/public/_place.html",
        {"form": form, "located": {"note": note, "ok": ok}},
    )


@require_GET
def submitted(request, code: str):
    if code not in request.session.get(SESSION_KEY, []):
        raise Http404
    return render(
        request, "tickets/public/submitted.html", {"code": code, "sms": notify.sends_sms()}
    )


@limit("track_ip")
@limit("track_code", key=lambda group, request: request.POST.get("code", "").strip().upper())
@require_http_methods(["GET", "POST"])
def lookup(request):
    form = LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code, last4 = form.cleaned_data["code"], form.cleaned_data["last4"]
        ticket = Ticket.objects.filter(tracking_code=code).only("requester_phone").first()
        phone = ticket.requester_phone if ticket else ""
        if phone and hmac.compare_digest(phone[-4:], last4):
            _remember(request, code)
            return redirect("track-ticket", code)
        form.add_error(None, _("查询码或手机号后 4 位不正确"))
    return render(request, "tickets/public/lookup.html", {"form": form})


def _own_ticket(request, code: str) -> Ticket:
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


def _proof(request, code: str) -> int | None:
    return request.session.get(PROOF_KEY, {}).get(code)


def _prove(request, code: str, token_pk: int) -> None:
    proofs = dict(request.session.get(PROOF_KEY, {}))
    proofs[code] = token_pk
    request.session[PROOF_KEY] = dict(list(proofs.items())[-20:])


def _track_page(request, ticket: Ticket, *, form=None, code_form=None, status=200):
    shown = (
        ticket.duplicate_of if ticket.status == Status.MERGED and ticket.duplicate_of_id else ticket
    )
    rateable = shown.pk == ticket.pk and services.resident_may_rate(shown)
    proven = rateable and _proof(request, ticket.tracking_code) is not None
    # what the resident gave in this round, and apart from it what a phone callback recorded
    answered = services.current_round(shown) if shown.pk == ticket.pk else None
    own = answered.resident if answered else None
    phone = answered.phone if answered and not (own and own.counted) else None
    return render(
        request,
        "tickets/public/track.html",
        {
            "ticket": ticket,
            "shown": shown,
            "rateable": rateable,
            "can_rate": proven,
            "form": (form or RateForm()) if proven else None,
            "code_form": (code_form or CodeForm()) if rateable and not proven else None,
            "sms": notify.sends_sms(),
            "masked_phone": mask_phone(ticket.requester_phone),
            "status_label": PUBLIC_STATUS.get(shown.public_status, shown.public_status),
            "own": own
            and {
                "solved": _("已解决") if own.solved else _("未解决"),
                "satisfaction": RESIDENT_SATISFACTION.get(own.satisfaction, ""),
            },
            "phone": phone
            and {
                "solved": _("已解决") if phone.solved else _("未解决"),
                "satisfaction": RESIDENT_SATISFACTION.get(phone.satisfaction, ""),
                "at": phone.at,
            },
        },
        status=status,
    )


def _in_their_language(request, ticket: Ticket) -> bool:
    """A resident who never chose a language on this browser reads their ticket in the one
    it remembers (the one they wrote in, or the one the hotline noted), not the browser's:
    the reply's rating link opens in Kazakh on a phone set to Chinese. True when switched."""
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        return False
    if ticket.language == languages.current() or ticket.language not in dict(settings.LANGUAGES):
        return False
    translation.activate(ticket.language)
    request.LANGUAGE_CODE = ticket.language
    return True


def _remember_language(response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@require_GET
def track(request, code: str):
    ticket = _own_ticket(request, code)
    switched = _in_their_language(request, ticket)
    response = _track_page(request, ticket)
    if switched:
        _remember_language(response, ticket.language)
    return response


def _open_link(request, secret: str):
    token = residents.open_link(secret)
    if token is None:
        return render(request, "tickets/public/link_expired.html", status=410)
    code = token.ticket.tracking_code
    _remember(request, code)
    _prove(request, code, token.pk)
    return redirect("track-ticket", code)


@limit("verify_ip")
@require_http_methods(["GET", "POST"])
def rate_link_open(request):
    """The link in the reply message, `/r/#<secret>`: the page's script posts the secret from
    the fragment, which proves the phone and shows the ticket to rate. The secret never
    appears in a URL the server sees."""
    if request.method == "POST":
        return _open_link(request, request.POST.get("secret", "").strip()[:100])
    return render(request, "tickets/public/link_open.html")


@require_GET
def rate_link(request, secret: str):
    """Links sent before the secret moved to the fragment (valid RATING_LINK_DAYS): still
    honoured, so no resident loses a rating. The path form is never issued any more."""
    return _open_link(request, secret)


@limit("rating_code_ip")
@require_POST
def request_code(request, code: str):
    """Send a one-time rating code to the ticket's phone (limited per ticket)."""
    ticket = _own_ticket(request, code)
    if not notify.sends_sms():
        messages.error(request, _("本平台暂未开通短信，无法发送验证码；评价将由热线回访时听取。"))
        return redirect("track-ticket", code)
    try:
        sent = residents.request_code(ticket)
    except ServiceError as refused:
        messages.error(request, refused.message)
        return redirect("track-ticket", code)
    # the code is committed; try the SMS now (the outbox retries it if this attempt fails)
    notify.send_now(sent.pk)
    messages.success(
        request,
        _("验证码已发送到 %(phone)s，请查收短信。") % {"phone": mask_phone(ticket.requester_phone)},
    )
    return redirect("track-ticket", code)


@limit("verify_ip")
@require_POST
def verify_code(request, code: str):
    ticket = _own_ticket(request, code)
    form = CodeForm(request.POST)
    if form.is_valid():
        token = residents.check_code(ticket, form.cleaned_data["code"])
        if token is not None:
            _prove(request, code, token.pk)
            return redirect("track-ticket", code)
        form.add_error("code", _("验证码不正确或已失效，请重新获取"))
    return _track_page(request, ticket, code_form=form, status=422)


@limit("rate_ip")
@require_POST
def rate(request, code: str):
    ticket = _own_ticket(request, code)
    proof = _proof(request, code)
    if proof is None:
        messages.error(request, _("评价前请先用短信验证码验证手机号。"))
        return redirect("track-ticket", code)
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
                    proof=proof,
                )
        except services.Conflict:
            messages.info(request, _("这件诉求已经评价过了，谢谢。"))
            return redirect("track-ticket", code)
        except ServiceError as refused:
            request.session[PROOF_KEY] = {
                k: v for k, v in request.session.get(PROOF_KEY, {}).items() if k != code
            }
            messages.error(request, refused.message)
            return redirect("track-ticket", code)
        messages.success(request, _("感谢您的评价！"))
        return redirect("track-ticket", code)
    return _track_page(request, ticket, form=form, status=422)
