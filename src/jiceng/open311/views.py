"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) over the ticket services.

Services are our categories (service_code = category code). POST requests needs an `api_key`
from `jiceng create-open311-key`; reads are public, as the specification has them, and show
only a ticket's public face: no name, no phone, no detailed address. Every method answers in
`.json` or `.xml`; errors use the specification's `errors[{code, description}]` shape.
"""

import re
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree as ET

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from jiceng.core.errors import ServiceError
from jiceng.core.redact import redact
from jiceng.core.text import clean_text
from jiceng.regions.models import Region
from jiceng.regions.rules import normalize_code
from jiceng.tickets import selectors as ticket_selectors
from jiceng.tickets import services
from jiceng.tickets.models import Category, Channel, Ticket, Urgency
from jiceng.tickets.states import Status

from .models import Open311Key

SPEC = "http://wiki.open311.org/GeoReport_v2"
CLOSED = [Status.REPLIED, Status.CLOSED, Status.MERGED]
MAX_RESULTS = 1000
WINDOW = timedelta(days=90)


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions: str):
        self.status = status
        self.descriptions = descriptions or ("请求不正确",)


# --- rendering --------------------------------------------------------------------------------


def _xml_value(parent: ET.Element, tag: str, value) -> None:
    node = ET.SubElement(parent, tag)
    if isinstance(value, list):
        child_tag = {
            "attributes": "attribute",
            "values": "value",
            "endpoints": "endpoint",
            "formats": "format",
        }.get(tag, "item")
        for item in value:
            _xml_value(node, child_tag, item)
    elif isinstance(value, dict):
        for key, inner in value.items():
            _xml_value(node, key, inner)
    elif value is None:
        pass
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    else:
        # XML 1.0 forbids most control characters: text stored before intake refused them
        # must not break the feed for every client
        node.text = clean_text(str(value))


def _clean_json(value):
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean_json(v) for k, v in value.items()}
    return value


def render(fmt: str, data, root: str, item: str | None = None, status: int = 200) -> HttpResponse:
    if fmt == "json":
        data = _clean_json(data)
        return JsonResponse(
            data, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
        )
    top = ET.Element(root)
    if item is None:
        for key, value in data.items():
            _xml_value(top, key, value)
    else:
        for entry in data:
            _xml_value(top, item, entry)
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8")
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def render_error(fmt: str, error: Open311Error) -> HttpResponse:
    errors = [{"code": error.status, "description": d} for d in error.descriptions]
    return render(fmt if fmt in ("json", "xml") else "xml", errors, "errors", "error", error.status)


def open311(view):
    """Format check and the specification's error shape around every view."""

    def wrapped(request, *args, fmt: str, **kwargs):
        if fmt not in ("json", "xml"):
            return render_error(
                "xml", Open311Error(404, f"不支持的格式 .{fmt}，请使用 .json 或 .xml")
            )
        try:
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as error:
            return render_error(fmt, error)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _iso(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


# --- discovery and services -----------------------------------------------------------------


@require_GET
@open311
def discovery(request, fmt: str):
    base = request.build_absolute_uri("/open311/v2/")
    return render(
        fmt,
        {
            "changeset": "2026-11-25T00:00:00+08:00",
            "contact": getattr(settings, "OPEN311_CONTACT", "jiceng 基层治理平台管理员"),
            "key_service": "api_key 由平台管理员使用 `jiceng create-open311-key` 签发",
            "endpoints": [
                {
                    "specification": SPEC,
                    "url": base.rstrip("/"),
                    "changeset": "2026-11-25T00:00:00+08:00",
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
        "discovery",
    )


def _service(category: Category) -> dict:
    names = category.full_name.split("/")
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.full_name,
        "metadata": True,
        "type": "realtime",
        "keywords": ",".join(names),
        "group": names[0],
    }


@require_GET
@open311
def service_list(request, fmt: str):
    categories = Category.objects.filter(is_active=True).order_by("code")
    return render(fmt, [_service(c) for c in categories], "services", "service")


@require_GET
@open311
def service_definition(request, code: str, fmt: str):
    category = ticket_selectors.category(code)
    if category is None:
        raise Open311Error(404, f"service_code {code} 不存在")
    attributes = [
        {
            "variable": True,
            "code": "region_code",
            "datatype": "string",
            "required": False,
            "datatype_description": "12 位统计用区划代码，例如 652301004012",
            "order": 1,
            "description": "诉求所在的村（社区）或乡镇（街道）；不填则为密钥的受理区划",
        },
        {
            "variable": True,
            "code": "urgency",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": None,
            "order": 2,
            "description": "紧急程度",
            "values": [{"key": u.value, "name": u.label} for u in Urgency],
        },
    ]
    return render(
        fmt, {"service_code": category.code, "attributes": attributes}, "service_definition"
    )


# --- requests -------------------------------------------------------------------------------


def _request(ticket: Ticket, request) -> dict:
    """What the public may know of a ticket: its category, status and township, and the
    description a member of staff moderated (redacted once more here), or none. Never the
    resident's own words, coordinates, photos or tracking code."""
    place = _township(ticket.region)
    return {
        "service_request_id": ticket.number,
        "status": "closed" if ticket.status in CLOSED else "open",
        "status_notes": ticket.public_status.value,
        "service_name": ticket.category.name if ticket.category_id else None,
        "service_code": ticket.category.code if ticket.category_id else "",
        "description": redact(ticket.public_description) if ticket.published_at else None,
        "agency_responsible": ticket.main_unit.name if ticket.main_unit_id else None,
        "service_notice": None,
        "requested_datetime": _iso(ticket.received_at),
        "updated_datetime": _iso(ticket.closed_at or ticket.updated_at),
        "expected_datetime": _iso(ticket.reply_by),
        "address": place.full_name or place.name,
        "address_id": place.code,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _township(region: Region) -> Region:
    """The township (乡镇/街道) a place lies in, or the place itself when it is higher up."""
    while region.level == "village" and region.parent_id:
        region = region.parent
    return region


def _tickets():
    return Ticket.objects.select_related("category", "region__parent", "main_unit", "duplicate_of")


def _read_scope(request) -> Q:
    """Reads are public unless OPEN311_PUBLIC_READ is off; then the key's region only."""
    if getattr(settings, "OPEN311_PUBLIC_READ", True):
        return Q()
    key = Open311Key.find(request.GET.get("api_key", ""))
    if key is None:
        raise Open311Error(403, "api_key 无效或缺失")
    return Q(region__path__startswith=key.region.path)


def _w3(text: str, name: str) -> datetime:
    """A W3C date-time of 2000–2100 (years beyond would overflow the 90-day window)."""
    try:
        moment = parse_datetime(text.strip().replace(" ", "+")) if text else None
    except ValueError:  # well-formed but impossible: 2026-02-30, T25:00, +25:00
        moment = None
    if moment is None:
        raise Open311Error(400, f"{name} 应为 W3C 时间格式，例如 2026-03-01T00:00:00+08:00")
    if not 2000 <= moment.year <= 2100:
        raise Open311Error(400, f"{name} 的年份应在 2000 到 2100 之间")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


@csrf_exempt
@require_http_methods(["GET", "POST"])
@open311
def requests_view(request, fmt: str):
    if request.method == "POST":
        return _create(request, fmt)
    # only what staff have moderated is listed, and read by its number
    tickets = _tickets().filter(_read_scope(request), published_at__isnull=False)
    ids = [i.strip() for i in request.GET.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        tickets = tickets.filter(number__in=ids)
    else:
        codes = [c.strip() for c in request.GET.get("service_code", "").split(",") if c.strip()]
        if codes:
            tickets = tickets.filter(ticket_selectors.categories_q(codes))
        start, end = request.GET.get("start_date"), request.GET.get("end_date")
        end_at = _w3(end, "end_date") if end else None
        start_at = _w3(start, "start_date") if start else None
        if start_at and end_at and end_at - start_at > WINDOW:
            raise Open311Error(400, "start_date 与 end_date 的间隔不能超过 90 天")
        if start_at and end_at and end_at < start_at:
            raise Open311Error(400, "end_date 不能早于 start_date")
        end_at = end_at or ((start_at + WINDOW) if start_at else timezone.now())
        start_at = start_at or end_at - WINDOW
        tickets = tickets.filter(received_at__gte=start_at, received_at__lte=end_at)
        statuses = {s.strip() for s in request.GET.get("status", "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, "status 只能是 open 或 closed")
        if statuses == {"open"}:
            tickets = tickets.exclude(status__in=CLOSED)
        elif statuses == {"closed"}:
            tickets = tickets.filter(status__in=CLOSED)
    tickets = tickets.order_by("-received_at")[:MAX_RESULTS]
    return render(fmt, [_request(t, request) for t in tickets], "service_requests", "request")


@require_GET
@open311
def request_detail(request, number: str, fmt: str):
    # the list's rule: only what staff moderated is public, by number as in the list (a
    # number is the date and six random digits, so trying numbers finds nothing else)
    found = _tickets().filter(_read_scope(request), published_at__isnull=False)
    ticket = found.filter(number=number).first()
    if ticket is None:
        raise Open311Error(404, f"service_request_id {number} 不存在")
    return render(fmt, [_request(ticket, request)], "service_requests", "request")


@require_GET
@open311
def token_view(request, token: str, fmt: str):
    ticket = Ticket.objects.filter(tracking_code=token.upper()).first()
    if ticket is None:
        raise Open311Error(404, f"token {token} 不存在")
    return render(
        fmt, [{"service_request_id": ticket.number, "token": token}], "service_requests", "request"
    )


ATTRIBUTE = re.compile(r"^attribute\[(\w+)\]$")


def _create(request, fmt: str):
    data = request.POST
    key = Open311Key.find(data.get("api_key", ""))
    if key is None:
        raise Open311Error(403, "api_key 无效或缺失，无法提交诉求")
    attributes = {m[1]: v for name, v in data.items() if (m := ATTRIBUTE.match(name))}
    problems = []
    code = data.get("service_code", "").strip()
    category = ticket_selectors.category(code)
    if not code:
        problems.append("缺少 service_code")
    elif category is None:
        problems.append(f"service_code {code} 不存在")
    lat, lon = data.get("lat", "").strip(), data.get("long", "").strip()
    address, address_id = data.get("address_string", "").strip(), data.get("address_id", "").strip()
    if not (lat and lon) and not address and not address_id:
        problems.append("须提供位置：lat 与 long，或 address_string，或 address_id")
    latitude = longitude = None
    if lat or lon:
        try:
            latitude, longitude = Decimal(lat), Decimal(lon)
            if not (latitude.is_finite() and longitude.is_finite()):
                raise ValueError("not a finite number")  # NaN, sNaN, Infinity
        except (InvalidOperation, ValueError):
            latitude = longitude = None
            problems.append("lat 与 long 须为数字（WGS84）")
    region = None  # placed by receive (regions/placing.py) inside the key's region
    region_code = normalize_code(attributes.get("region_code") or address_id or "")
    if region_code:
        found = Region.objects.filter(code=region_code).first()
        if found is None or not found.path.startswith(key.region.path):
            problems.append(f"区划代码 {region_code} 不存在或不在该密钥的受理范围内")
        else:
            region = found
    urgency = attributes.get("urgency") or Urgency.NORMAL
    if problems:
        raise Open311Error(400, *problems)
    name = (data.get("last_name", "").strip() + data.get("first_name", "").strip())[:50]
    description = data.get("description", "").strip() or (category.full_name if category else "")
    intake = services.Intake(
        title=description[:30],
        content=description[:4000],
        region=region,
        channel=Channel.OPEN311,
        requester_name=name,
        requester_phone=data.get("phone", ""),
        category=category,
        urgency=urgency,
        address=address[:200],
        latitude=latitude,
        longitude=longitude,
        within=key.region,
    )
    extra = {k: data[k][:200] for k in ("device_id", "account_id", "media_url") if data.get(k)}
    if data.get("email"):  # kept only as a hint that one was given: never in the clear
        local, _, domain = data["email"].partition("@")
        extra["email"] = f"{local[:1]}***@{domain[:100]}" if domain else "***"
    try:
        with services.as_system(f"Open311：{key.name}"):
            ticket, _ = services.receive(None, intake, client=f"open311:{key.pk}", extra=extra)
    except ValidationError as exc:
        raise Open311Error(
            400, *[f"{f}：{m}" for f, ms in exc.message_dict.items() for m in ms]
        ) from None
    except ServiceError as exc:
        raise Open311Error(400, exc.message) from None
    notice = "您的诉求已受理，可凭查询码查询办理进度。"
    return render(
        fmt,
        [
            {
                "service_request_id": ticket.number,
                "token": ticket.tracking_code,
                "service_notice": notice,
                "account_id": data.get("account_id") or None,
            }
        ],
        "service_requests",
        "request",
    )
