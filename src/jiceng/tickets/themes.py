"""每月一题 and 未诉先办: a problem residents keep raising becomes a theme with a lead unit,
co-units, a plan and a deadline; new tickets that match it are linked as they come in; staff
open proactive work items (channel 主动治理) for it, handled like tickets and never counted in
三率. One function per change, each one transaction with its `ThemeEvent`."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.utils import timezone

from jiceng.core.errors import Forbidden, ServiceError
from jiceng.core.text import clean_text
from jiceng.orgs import access as org_access
from jiceng.orgs.models import RoleCode as R
from jiceng.orgs.models import Unit
from jiceng.regions.models import Region

from . import services
from .models import Category, Channel, Theme, ThemeEvent, ThemeTicket, Ticket
from .services.intake import proactive_work

RAISE_ROLES = {R.DISPATCHER, R.LEADER, R.SUPERVISOR}
MAX_KEYWORDS = 10
WEEKS = 8


def may_raise(user) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_superuser or (user.has_role(*RAISE_ROLES) and user.scope_region_id))
    )


def may_work_on(user, theme: Theme) -> bool:
    """Notes and proactive items: whoever may raise themes, and the lead and co-units."""
    if may_raise(user):
        return True
    return bool(
        user.scope_unit_id
        and (
            user.scope_unit_id == theme.lead_unit_id
            or theme.co_units.filter(pk=user.scope_unit_id).exists()
        )
    )


def visible(user):
    return org_access.visible(user, Theme.objects.all()).distinct()


def _label(actor) -> str:
    return str(actor)[:60]


def _event(theme, action, actor, at, text="", data=None) -> ThemeEvent:
    return ThemeEvent.objects.create(
        theme=theme,
        action=action,
        actor=actor,
        actor_label=_label(actor) if actor else "系统",
        at=at,
        text=text,
        data=data or {},
    )


def _text(value: str, field: str, label: str, minimum: int = 2, maximum: int = 5000) -> str:
    value = clean_text(value or "").strip()
    if len(value) < minimum:
        raise ValidationError({field: f"请填写{label}（至少 {minimum} 个字）"})
    if len(value) > maximum:
        raise ValidationError({field: f"{label}不能超过 {maximum} 个字"})
    return value


def _words(keywords: str) -> str:
    words = list(dict.fromkeys(w for w in clean_text(keywords or "").split() if w))
    if not words:
        raise ValidationError({"keywords": "请至少填写一个关键词，新诉求据此自动关联"})
    if len(words) > MAX_KEYWORDS or any(len(w) > 20 for w in words):
        raise ValidationError({"keywords": f"关键词最多 {MAX_KEYWORDS} 个，每个不超过 20 字"})
    return " ".join(words)


def _in_scope(actor, queryset, pk, field: str, message: str):
    found = org_access.visible(actor, queryset).filter(pk=pk).first() if pk else None
    if found is None:
        raise ValidationError({field: message})
    return found


def _lock(actor, theme) -> Theme:
    pk = theme.pk if isinstance(theme, Theme) else theme
    if not visible(actor).filter(pk=pk).exists():
        raise Http404("不存在或无权查看")
    return Theme.objects.select_for_update().get(pk=pk)


@transaction.atomic
def raise_theme(
    actor,
    *,
    title: str,
    plan: str,
    region,
    keywords: str,
    lead_unit,
    deadline: date | None,
    description: str = "",
    category: Category | None = None,
    co_units=(),
    tickets=(),
    at: datetime | None = None,
) -> Theme:
    """立题: from a hot spot (its tickets, place and words) or from tickets a person picked."""
    if not may_raise(actor):
        raise Forbidden("not_permitted", "只有派单员、督办员和领导可以确立每月一题")
    at = at or timezone.now()
    errors = {}
    try:
        title = _text(title, "title", "题目", 4, 100)
    except ValidationError as exc:
        errors |= exc.message_dict
    try:
        plan = _text(plan, "plan", "治理方案", 10)
    except ValidationError as exc:
        errors |= exc.message_dict
    try:
        keywords = _words(keywords)
    except ValidationError as exc:
        errors |= exc.message_dict
    if deadline is None:
        errors["deadline"] = ["请填写完成时限"]
    elif deadline < timezone.localdate(at):
        errors["deadline"] = ["完成时限不能早于今天"]
    if errors:
        raise ValidationError(errors)
    region_pk = region.pk if isinstance(region, Region) else region
    region = _in_scope(actor, Region.objects.all(), region_pk, "region", "请选择管辖范围内的区划")
    lead = _in_scope(
        actor,
        Unit.objects.filter(is_active=True),
        lead_unit.pk if isinstance(lead_unit, Unit) else lead_unit,
        "lead_unit",
        "请选择管辖范围内的牵头单位",
    )
    co = [
        _in_scope(
            actor,
            Unit.objects.filter(is_active=True),
            u.pk if isinstance(u, Unit) else u,
            "co_units",
            "协同单位不存在或不在管辖范围内",
        )
        for u in co_units
    ]
    if any(u.pk == lead.pk for u in co):
        raise ValidationError({"co_units": "协同单位不能与牵头单位相同"})
    ids = [t.pk if isinstance(t, Ticket) else int(t) for t in tickets]
    picked = list(
        org_access.visible(actor, Ticket.objects.filter(pk__in=ids)).values_list("pk", flat=True)
    )
    if len(picked) != len(set(ids)):
        raise ValidationError({"tickets": "所选工单有的不存在或不在您的管辖范围内"})
    theme = Theme.objects.create(
        title=title,
        month=timezone.localtime(at).strftime("%Y-%m"),
        description=clean_text(description or "").strip()[:5000],
        plan=plan,
        region=region,
        category=category,
        keywords=keywords,
        lead_unit=lead,
        deadline=deadline,
        planned_at=at,
        created_by=actor,
    )
    theme.co_units.set(co)
    ThemeTicket.objects.bulk_create(
        [ThemeTicket(theme=theme, ticket_id=pk, how="raised", linked_at=at) for pk in picked]
    )
    _event(
        theme,
        "raise",
        actor,
        at,
        plan,
        {"tickets": sorted(picked), "lead_unit": lead.pk, "co_units": [u.pk for u in co]},
    )
    return theme


@transaction.atomic
def add_note(actor, theme, text: str, *, at: datetime | None = None) -> Theme:
    """推进情况: a progress note by the lead or a co-unit, or by whoever raised it."""
    theme = _lock(actor, theme)
    if not may_work_on(actor, theme):
        raise Forbidden("not_permitted", "只有牵头单位、协同单位和派单员、领导可以填写推进情况")
    text = _text(text, "text", "推进情况")
    _event(theme, "note", actor, at or timezone.now(), text)
    return theme


@transaction.atomic
def link(actor, theme, numbers: list[str], *, at: datetime | None = None) -> Theme:
    """Link tickets a person found (by number) to the theme."""
    theme = _lock(actor, theme)
    if not may_work_on(actor, theme):
        raise Forbidden("not_permitted", "您无权为该题目关联工单")
    numbers = [n.strip() for n in numbers if n.strip()]
    if not numbers:
        raise ValidationError({"numbers": "请填写要关联的工单编号"})
    found = dict(
        org_access.visible(actor, Ticket.objects.filter(number__in=numbers)).values_list(
            "number", "pk"
        )
    )
    missing = [n for n in numbers if n not in found]
    if missing:
        raise ValidationError(
            {"numbers": f"工单 {'、'.join(missing[:5])} 不存在或不在您的管辖范围内"}
        )
    at = at or timezone.now()
    already = set(theme.links.values_list("ticket_id", flat=True))
    new = [pk for pk in found.values() if pk not in already]
    if not new:
        raise ServiceError("already_linked", "这些工单已关联到该题目", status=409)
    ThemeTicket.objects.bulk_create(
        [ThemeTicket(theme=theme, ticket_id=pk, how="manual", linked_at=at) for pk in new]
    )
    _event(theme, "link", actor, at, data={"tickets": sorted(new)})
    return theme


@transaction.atomic
def finish(actor, theme, summary: str, *, at: datetime | None = None) -> Theme:
    """完成: the plan is carried out; new tickets are no longer linked."""
    theme = _lock(actor, theme)
    if not may_raise(actor):
        raise Forbidden("not_permitted", "只有派单员、督办员和领导可以确认完成")
    if theme.state != Theme.State.OPEN:
        raise ServiceError("already_done", "该题目已完成", status=409)
    summary = _text(summary, "summary", "完成情况")
    at = at or timezone.now()
    theme.state, theme.done_at = Theme.State.DONE, at
    theme.save(update_fields=["state", "done_at"])
    _event(theme, "finish", actor, at, summary)
    return theme


def open_proactive(actor, theme, *, content: str, region=None, address: str = "") -> Ticket:
    """未诉先办: a work item staff open for the theme's place before anyone complains. It is
    received like a ticket (channel 主动治理), dispatched and handled like one, and never
    counted in 三率."""
    theme_obj = visible(actor).filter(pk=theme.pk if isinstance(theme, Theme) else theme).first()
    if theme_obj is None:
        raise Http404("不存在或无权查看")
    if not may_work_on(actor, theme_obj):
        raise Forbidden("not_permitted", "您无权为该题目新建主动治理事项")
    place = region or theme_obj.region
    if not place.path.startswith(theme_obj.region.path):
        raise ValidationError({"region": "主动治理事项须在题目范围之内"})
    with transaction.atomic(), proactive_work():
        ticket, _ = services.receive(
            actor,
            services.Intake(
                title="",
                content=content,
                region=place,
                channel=Channel.PROACTIVE,
                address=address,
                category=theme_obj.category,
            ),
            auto_dispatch=False,
        )
        at = ticket.received_at
        ThemeTicket.objects.get_or_create(
            theme=theme_obj, ticket=ticket, defaults={"how": "proactive", "linked_at": at}
        )
        Theme.objects.select_for_update().get(pk=theme_obj.pk)
        _event(theme_obj, "proactive", actor, at, content[:200], {"ticket": ticket.pk})
    return ticket


# --- the leader's view ----------------------------------------------------------------------


@dataclass
class Trend:
    weeks_before: list[int]  # residents' tickets per week, oldest first, up to the plan
    weeks_after: list[int]  # from the plan on, up to now (or to WEEKS weeks)
    before_avg: float | None
    after_avg: float | None
    proactive: int  # 主动治理 items opened for the theme

    @property
    def change(self) -> str:
        if not self.before_avg or self.after_avg is None:
            return ""
        pct = round(100 * (self.after_avg - self.before_avg) / self.before_avg)
        return f"{pct:+d}%"


def trend(theme: Theme, now: datetime | None = None, weeks: int = WEEKS) -> Trend:
    """The theme's residents' tickets per week: the `weeks` whole weeks before the plan, and
    the whole weeks since (at most `weeks`), by when they were received. A week still running
    is not compared (a day's tickets are not a week's), and proactive items are counted apart.
    """
    now = now or timezone.now()
    week = timedelta(weeks=1)
    start = theme.planned_at - weeks * week
    done = max(0, min(weeks, int((now - theme.planned_at) / week)))
    rows = (
        Ticket.objects.filter(
            theme_links__theme=theme,
            received_at__gte=start,
            received_at__lt=theme.planned_at + done * week,
        )
        .exclude(channel=Channel.PROACTIVE)
        .values_list("received_at", flat=True)
    )
    before, after = [0] * weeks, [0] * done
    for received in rows:
        index = int((received - theme.planned_at) // week)
        if index < 0:
            before[weeks + index] += 1
        else:
            after[index] += 1
    proactive = theme.links.filter(ticket__channel=Channel.PROACTIVE).count()
    return Trend(
        before,
        after,
        round(sum(before) / weeks, 1),
        round(sum(after) / done, 1) if done else None,
        proactive,
    )


def counts(themes) -> dict[int, int]:
    return dict(
        ThemeTicket.objects.filter(theme__in=themes)
        .exclude(ticket__channel=Channel.PROACTIVE)
        .values_list("theme_id")
        .annotate(n=Count("id"))
        .values_list("theme_id", "n")
    )
