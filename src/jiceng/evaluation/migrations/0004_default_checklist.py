"""The five dimensions of 五个好 with starter items; assessors edit them in the admin."""

from decimal import Decimal

from django.db import migrations

DEFAULTS = [
    (
        "班子好",
        "16",
        [
            ("书记政治素质好、抓党建能力强", "8"),
            ("班子团结协作、分工明确", "6"),
            ("按期换届、职数配齐", "6"),
        ],
    ),
    (
        "党员队伍好",
        "16",
        [
            ("党员发展程序规范、结构合理", "6"),
            ("党员教育管理到位、作用发挥明显", "8"),
            ("流动党员、老党员管理服务到位", "6"),
        ],
    ),
    (
        "工作机制好",
        "16",
        [
            ("“三会一课”、主题党日等制度落实", "8"),
            ("“四议两公开”、村务公开规范", "6"),
            ("阵地建设规范、经费保障到位", "6"),
        ],
    ),
    (
        "工作业绩好",
        "16",
        [("村集体经济持续增收", "8"), ("产业发展、乡村治理成效明显", "6"), ("重点任务完成好", "6")],
    ),
    (
        "群众反映好",
        "16",
        [
            ("接诉即办响应、解决、满意情况好", "8"),
            ("群众满意度测评结果好", "6"),
            ("无越级上访、无重大负面事件", "6"),
        ],
    ),
]


def load(apps, schema_editor):
    Dimension = apps.get_model("evaluation", "Dimension")
    ChecklistItem = apps.get_model("evaluation", "ChecklistItem")
    for sort, (name, threshold, items) in enumerate(DEFAULTS):
        dimension = Dimension.objects.create(name=name, threshold=Decimal(threshold), sort=sort)
        for i, (text, points) in enumerate(items):
            ChecklistItem.objects.create(
                dimension=dimension, text=text, points=Decimal(points), sort=i
            )


def unload(apps, schema_editor):
    apps.get_model("evaluation", "ChecklistItem").objects.all().delete()
    apps.get_model("evaluation", "Dimension").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0003_checklists")]
    operations = [migrations.RunPython(load, unload)]
