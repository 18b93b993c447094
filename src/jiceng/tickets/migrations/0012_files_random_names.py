"""Photos get a thumbnail; photos stored before are re-encoded (EXIF and GPS dropped) under
random names, and their old files, named after the tracking code, are deleted."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations, models

import jiceng.tickets.models
from jiceng.core import files


def rename(apps, schema_editor):
    TicketPhoto = apps.get_model("tickets", "TicketPhoto")
    for photo in TicketPhoto.objects.exclude(image="").iterator():
        old = photo.image.name
        if not default_storage.exists(old):
            continue
        with default_storage.open(old, "rb") as handle:
            try:
                clean = files.clean_photo(handle, limit=50 * 1024 * 1024)
            except files.Refused:
                clean = None
                data = handle.read()
        if clean is None:  # kept, but only ever downloaded as bytes
            photo.image = default_storage.save(
                files.random_name("tickets", "x.bin"), ContentFile(data)
            )
        else:
            photo.image = default_storage.save(
                files.random_name("tickets", clean.content.name), clean.content
            )
            thumb = files.thumbnail(clean)
            photo.thumbnail = default_storage.save(
                files.random_name("thumbs", thumb.content.name), thumb.content
            )
            photo.content_type, photo.size = clean.content_type, clean.size
        photo.save()
        default_storage.delete(old)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0011_last_sweep"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticketphoto",
            name="thumbnail",
            field=models.FileField(
                blank=True, upload_to=jiceng.tickets.models.thumbnail_path, verbose_name="缩略图"
            ),
        ),
        migrations.RunPython(rename, migrations.RunPython.noop, elidable=True),
    ]
