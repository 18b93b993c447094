"""Organization life: record a party organization's meeting with its attendance."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from jiceng.core import files
from jiceng.orgs.models import PartyOrg, Person

from . import transitions
from .models import Attendance, MeetingKind, OrgMeeting


@transaction.atomic
def record_meeting(
    actor,
    party_org: PartyOrg,
    *,
    kind: str,
    held_on: date | None,
    topic: str,
    speaker: str = "",
    minutes: str = "",
    attachment=None,
    attendance: list[tuple[Person, bool, str]] = (),
) -> OrgMeeting:
    place = party_org.region or (party_org.unit.region if party_org.unit_id else None)

    def build():
        errors: dict[str, list[str]] = {}
        stored = None
        if kind not in MeetingKind.values:
            errors["kind"] = ["请选择会议类型"]
        if held_on is None:
            errors["held_on"] = ["请填写日期"]
        elif held_on > date.today():
            errors["held_on"] = ["日期不能晚于今天"]
        if not (topic or "").strip():
            errors["topic"] = ["请填写主题"]
        for person, present, reason in attendance:
            if not present and not (reason or "").strip():
                errors.setdefault("attendance", []).append(f"{person.name} 缺席，请填写原因")
        if attachment:
            try:
                stored = files.clean_attachment(attachment).content
            except files.Refused as exc:
                errors["attachment"] = [str(exc)]
        if errors:
            raise ValidationError(errors)
        meeting = OrgMeeting.objects.create(
            party_org=party_org,
            kind=kind,
            held_on=held_on,
            topic=topic.strip(),
            speaker=speaker.strip(),
            minutes=minutes.strip(),
            attachment=stored or "",
            recorded_by=actor,
        )
        Attendance.objects.bulk_create(
            [
                Attendance(
                    meeting=meeting,
                    person=person,
                    present=present,
                    absence_reason="" if present else reason.strip(),
                )
                for person, present, reason in attendance
            ]
        )
        return meeting, f"{meeting.get_kind_display()}：{meeting.topic}"[:300], None

    return transitions.create(actor, "meeting", None, build, place=place)
