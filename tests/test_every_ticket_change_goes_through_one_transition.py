"""Every change of a ticket is written by one helper, `services.base.transition`: the status the
table gives, the changed fields, one event row and the outbox. The services say only what is
particular to their step; none saves a ticket, writes an event or queues a notification by
hand, and no other module writes ticket events or removes them."""

import re
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "jiceng"
SERVICES = SRC / "tickets" / "services"
HELPER = SERVICES / "base.py"

# what only the helper may do inside the ticket services
BY_HAND = re.compile(r"save\(update_fields|\.save\(\)|\b_event\(|\b_notify\(")
# what no module but the helper (and a migration) may do anywhere
EVENT_WRITE = re.compile(
    r"TicketEvent\.objects\.(create|bulk_create|update_or_create)|(?<!class )\bTicketEvent\("
)
FOLLOW_UP_FLAG = re.compile(r"update\(follow_up_pending")
EVENT_DELETE = re.compile(r"TicketEvent\.objects\.filter\([^)]*\)\.delete\(|events\.delete\(")


def lines(paths):
    for path in paths:
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            if not line.lstrip().startswith("#"):
                yield path, number, line


def source_files():
    return [p for p in SRC.rglob("*.py") if "migrations" not in p.parts]


def test_the_patterns_find_what_the_helper_itself_does():
    """The check can fail: the same patterns find the helper's own writes."""
    found = [line for _p, _n, line in lines([HELPER]) if BY_HAND.search(line)]
    assert any("save(update_fields" in line for line in found)
    assert any("_event(" in line for line in found) and any("_notify(" in line for line in found)
    assert any(EVENT_WRITE.search(line) for _p, _n, line in lines([HELPER]))


def test_no_ticket_service_saves_a_ticket_or_writes_an_event_by_hand():
    services = sorted(p for p in SERVICES.glob("*.py") if p != HELPER)
    assert len(services) >= 6  # intake, workflow, sweep, bilingual, calendar, followup
    offenders = [
        f"{path.name}:{number}: {line.strip()}"
        for path, number, line in lines(services)
        if BY_HAND.search(line)
    ]
    assert not offenders, "\n".join(offenders)


def test_only_the_helper_writes_ticket_events_anywhere():
    offenders = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path, number, line in lines(source_files())
        if path != HELPER and EVENT_WRITE.search(line)
    ]
    assert not offenders, "\n".join(offenders)


def test_the_follow_up_flag_is_cleared_by_its_step_not_by_an_update():
    offenders = [
        f"{path.relative_to(SRC)}:{number}"
        for path, number, line in lines(source_files())
        if FOLLOW_UP_FLAG.search(line)
    ]
    assert not offenders, offenders


def test_history_is_removed_only_by_the_reimport_step():
    places = {
        f"{path.relative_to(SRC)}"
        for path, _number, line in lines(source_files())
        if EVENT_DELETE.search(line)
    }
    assert places == {"tickets/services/intake.py"}, places
