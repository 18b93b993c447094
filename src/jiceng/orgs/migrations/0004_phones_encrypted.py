"""Residents' and people's phones are encrypted with SM4 at rest, with HMAC blind indexes
for search (issue 11, part 9)."""

import django.core.validators
from django.db import migrations

import jiceng.core.fields
from jiceng.core.fields import reencrypt


def encrypt_existing(apps, schema_editor):
    """Phones written before are encrypted, and their blind indexes computed."""
    for name in ("Person",):
        reencrypt(apps.get_model("orgs", name))


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0003_api_tokens"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="phone_index",
            field=jiceng.core.fields.BlindIndexField(
                blank=True, db_index=True, default="", editable=False, max_length=32, source="phone"
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="phone",
            field=jiceng.core.fields.EncryptedField(
                blank=True,
                max_length=20,
                validators=[
                    django.core.validators.RegexValidator(
                        "^(1\\d{10}|0\\d{2,3}-?\\d{7,8})$", "请输入 11 位手机号或带区号的固定电话"
                    )
                ],
                verbose_name="手机号",
            ),
        ),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop, elidable=True),
    ]
