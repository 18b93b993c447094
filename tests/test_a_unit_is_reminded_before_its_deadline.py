"""Issue 28: a unit hears that an accept-by or reply-by draws near (default 2 working hours
before), once, in its inbox and outbox; the setting turns it off."""

from datetime import datetime
from zoneinfo import ZoneInfo

from jiceng import factories
from jiceng.tickets import services
from jiceng.tickets.models import EngineSettings, InboxItem, Notification

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 3, 2, 10, tzinfo=TZ)  # accept by Tuesday 10:00


def dispatched(world, users):
    ticket = factories.ticket(world["jiashun"], at=MONDAY)
    return services.dispatch(users["erin"], ticket, world["jiashun_unit"], at=MONDAY)


def test_two_working_hours_before_the_accept_by_the_unit_is_reminded_once(world, users):
    ticket = dispatched(world, users)
    assert services.sweep(datetime(2026, 3, 2, 16, tzinfo=TZ)).due_soon == 0  # 3 h left
    first = services.sweep(datetime(2026, 3, 2, 17, tzinfo=TZ))  # 2 working hours left
    again = services.sweep(datetime(2026, 3, 3, 9, 30, tzinfo=TZ))
    assert (first.due_soon, again.due_soon) == (1, 0)
    reminder = Notification.objects.get(kind="due_soon", ticket=ticket)
    assert reminder.unit == world["jiashun_unit"] and "接单即将超时" in reminder.subject
    assert InboxItem.objects.filter(user=users["dave"], kind="due_soon").count() == 1


def test_the_evening_before_counts_working_hours_not_clock_hours(world, users):
    dispatched(world, users)
    # Monday 17:30: 16.5 clock hours before Tuesday 10:00, but 1.5 working hours
    assert services.sweep(datetime(2026, 3, 2, 17, 30, tzinfo=TZ)).due_soon == 1


def test_the_reminder_can_be_turned_off(world, users):
    EngineSettings.objects.update_or_create(pk=1, defaults={"remind_before_hours": 0})
    dispatched(world, users)
    assert services.sweep(datetime(2026, 3, 3, 9, 30, tzinfo=TZ)).due_soon == 0
