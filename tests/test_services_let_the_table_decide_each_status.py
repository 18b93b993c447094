"""Every service sets a ticket's status to what the transition table gives
(`states.target`), never to a status it names itself; the callback's two outcomes are the
table's too."""

import re
from pathlib import Path

import pytest

from jiceng.tickets import states
from jiceng.tickets.states import Status

SERVICES = Path(__file__).resolve().parent.parent / "src" / "jiceng" / "tickets" / "services"
ASSIGNS_STATUS = re.compile(r"\bticket\.status\b[^=\n]*(?<![=!<>])=(?!=)")


def test_no_service_writes_a_status_the_table_did_not_give():
    offenders = []
    for path in SERVICES.glob("*.py"):
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            if ASSIGNS_STATUS.search(line) and "states.target(" not in line:
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_the_callback_leads_to_one_of_its_outcomes_only():
    assert states.target("callback", Status.REPLIED, Status.CLOSED) == Status.CLOSED
    assert states.target("callback", Status.REPLIED, Status.REVIEW) == Status.REVIEW
    with pytest.raises(ValueError):
        states.target("callback", Status.REPLIED, Status.IN_PROGRESS)
    with pytest.raises(ValueError):
        states.target("callback", Status.REPLIED)
    assert states.TRANSITIONS[Status.REPLIED] >= {Status.CLOSED, Status.REVIEW}
