"""Attachments move to random names whose extension comes from their checked content; one
that fails the allow-list keeps its bytes as `.bin`, which is only ever downloaded."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations, models

import jiceng.evaluation.models
from jiceng.core import files


def _move(row, folder: str) -> None:
    old = row.attachment.name
    if not old or not default_storage.exists(old):
        return
    with default_storage.open(old, "rb") as handle:
        try:
            content = files.clean_attachment(handle, limit=200 * 1024 * 1024).content
        except files.Refused:
            handle.seek(0)
            content = ContentFile(handle.read(), name="file.bin")
    row.attachment = default_storage.save(files.random_name(folder, content.name), content)
    row.save(update_fields=["attachment"])
    default_storage.delete(old)


def rename(apps, schema_editor):
    for row in apps.get_model("evaluation", "DiagnosisScore").objects.exclude(attachment=""):
        _move(row, "diagnoses")
    for row in apps.get_model("evaluation", "OrgMeeting").objects.exclude(attachment=""):
        _move(row, "meetings")


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0011_objection_spam"),
    ]

    operations = [
        migrations.AlterField(
            model_name="diagnosisscore",
            name="attachment",
            field=models.FileField(
                blank=True, upload_to=jiceng.evaluation.models.diagnosis_path, verbose_name="附件"
            ),
        ),
        migrations.AlterField(
            model_name="orgmeeting",
            name="attachment",
            field=models.FileField(
                blank=True, upload_to=jiceng.evaluation.models.meeting_path, verbose_name="附件"
            ),
        ),
        migrations.RunPython(rename, migrations.RunPython.noop, elidable=True),
    ]
