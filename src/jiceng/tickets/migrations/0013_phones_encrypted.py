"""Residents' and people's phones are encrypted with SM4 at rest, with HMAC blind indexes
for search (issue 11, part 9)."""

from django.db import migrations

import jiceng.core.fields
from jiceng.core.fields import reencrypt


def encrypt_existing(apps, schema_editor):
    """Phones written before are encrypted, and their blind indexes computed."""
    for name in (
        "Ticket",
        "Notification",
    ):
        reencrypt(apps.get_model("tickets", name))


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0012_files_random_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="requester_phone_index",
            field=jiceng.core.fields.BlindIndexField(
                blank=True,
                db_index=True,
                default="",
                editable=False,
                max_length=32,
                source="requester_phone",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="recipient",
            field=jiceng.core.fields.EncryptedField(
                blank=True, max_length=200, verbose_name="接收人"
            ),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="requester_phone",
            field=jiceng.core.fields.EncryptedField(
                blank=True, max_length=20, verbose_name="联系电话"
            ),
        ),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop, elidable=True),
    ]
