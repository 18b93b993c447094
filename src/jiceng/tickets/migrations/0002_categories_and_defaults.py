"""Load the shipped category tree, the default deadlines and the settings row."""

import csv
from decimal import Decimal
from pathlib import Path

from django.db import migrations

TAXONOMY = Path(__file__).resolve().parent.parent / "data" / "label_taxonomy.csv"

# urgency: (accept amount, unit, reply amount, unit) — issue #3's defaults.
DEFAULT_DEADLINES = {
    "urgent": ("2", "clock_hours", "24", "clock_hours"),
    "normal": ("1", "work_days", "5", "work_days"),
    "complex": ("1", "work_days", "15", "work_days"),
}


def load(apps, schema_editor):
    Category = apps.get_model("tickets", "Category")
    DeadlineRule = apps.get_model("tickets", "DeadlineRule")
    EngineSettings = apps.get_model("tickets", "EngineSettings")
    nodes: dict[tuple, object] = {}
    counters: dict[object, int] = {}
    with TAXONOMY.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            path: tuple = ()
            parent = None
            for name in (row["level1"], row["level2"], row["level3"]):
                name = name.strip()
                if not name:
                    break
                path = path + (name,)
                if path not in nodes:
                    key = parent.pk if parent else None
                    counters[key] = counters.get(key, 0) + 1
                    code = (parent.code if parent else "") + f"{counters[key]:02d}"
                    nodes[path] = Category.objects.create(
                        code=code,
                        name=name,
                        parent=parent,
                        level=len(path),
                        full_name="/".join(path),
                    )
                parent = nodes[path]
    for urgency, (a, au, r, ru) in DEFAULT_DEADLINES.items():
        DeadlineRule.objects.get_or_create(
            category=None,
            urgency=urgency,
            defaults={
                "accept_amount": Decimal(a),
                "accept_unit": au,
                "reply_amount": Decimal(r),
                "reply_unit": ru,
            },
        )
    EngineSettings.objects.get_or_create(pk=1)


def unload(apps, schema_editor):
    apps.get_model("tickets", "DeadlineRule").objects.filter(category=None).delete()
    apps.get_model("tickets", "Category").objects.filter(level=3).delete()
    apps.get_model("tickets", "Category").objects.filter(level=2).delete()
    apps.get_model("tickets", "Category").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
