"""Provenance: who filed each ticket (`Ticket.filed_by_unit`), and for each callback whether it
counts in the 三率 and whether the resident gave it (issue 26).

Existing rows are filled in from what they already say: a ticket's filer unit from the account
that filed it (its unit scope, or a grid worker's post); a callback's `by_resident` from its data.
A resident's rating of a ticket filed by the handling unit's own staff (or a co-handler's) stops
counting, as the rule says, and the rollup's kept months are dropped so they are counted again.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    TicketEvent = apps.get_model("tickets", "TicketEvent")
    TicketUnit = apps.get_model("tickets", "TicketUnit")
    User = apps.get_model("orgs", "User")
    Post = apps.get_model("orgs", "Post")
    RateCell = apps.get_model("tickets", "RateCell")
    RateMonth = apps.get_model("tickets", "RateMonth")

    TicketEvent.objects.filter(action="callback", data__by_resident=True).update(by_resident=True)
    units = dict(User.objects.filter(scope_unit__isnull=False).values_list("pk", "scope_unit_id"))
    filed = Ticket.objects.filter(created_by__isnull=False).exclude(channel="proactive")
    for ticket in filed.only("pk", "created_by_id", "channel").iterator():
        unit = units.get(ticket.created_by_id)
        if unit is None and ticket.channel == "grid":
            person = User.objects.filter(pk=ticket.created_by_id).values_list("person_id")
            unit = (
                Post.objects.filter(person_id__in=person, kind="网格员", ended_on__isnull=True)
                .order_by("pk")
                .values_list("unit_id", flat=True)
                .first()
            )
        if unit is not None:
            Ticket.objects.filter(pk=ticket.pk).update(filed_by_unit_id=unit)
    changed = set()
    ratings = TicketEvent.objects.filter(
        action="callback", by_resident=True, ticket__filed_by_unit__isnull=False
    ).select_related("ticket")
    for event in ratings.iterator():
        own = event.ticket.filed_by_unit_id
        sharing = set(
            TicketUnit.objects.filter(ticket_id=event.ticket_id).values_list("unit_id", flat=True)
        )
        if own == event.unit_id or own in sharing:
            event.counted = False
            event.data = {**event.data, "counted": False}
            event.save(update_fields=["counted", "data"])
            changed.add(event.ticket_id)
    for ticket_id in changed:  # a rating that counts no more supersedes no callback
        callbacks = list(
            TicketEvent.objects.filter(ticket_id=ticket_id, action="callback").order_by("id")
        )
        for i, event in enumerate(callbacks):
            later = [e.at for e in callbacks[i + 1 :] if e.counted]
            event.superseded_at = min(later) if later else None
            event.save(update_fields=["superseded_at"])
    if changed:
        RateCell.objects.all().delete()
        RateMonth.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0006_whistle_rules"),
        ("tickets", "0025_languages"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="ticketevent",
            name="event_callback_at",
        ),
        migrations.AddField(
            model_name="ticket",
            name="filed_by_unit",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.unit",
                verbose_name="登记人所属单位",
            ),
        ),
        migrations.AddField(
            model_name="ticketevent",
            name="by_resident",
            field=models.BooleanField(default=False, editable=False, verbose_name="群众本人评价"),
        ),
        migrations.AddField(
            model_name="ticketevent",
            name="counted",
            field=models.BooleanField(default=True, editable=False, verbose_name="计入三率"),
        ),
        migrations.AddIndex(
            model_name="ticketevent",
            index=models.Index(
                condition=models.Q(("action", "callback"), ("counted", True)),
                fields=["at"],
                include=(
                    "unit",
                    "superseded_at",
                    "ticket",
                    "solved",
                    "satisfaction",
                    "by_resident",
                ),
                name="event_callback_counted",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
