from django.db import migrations

ROLES = [
    ("intake", "受理员"),
    ("dispatcher", "派单员"),
    ("handler", "承办人"),
    ("grid_worker", "网格员"),
    ("supervisor", "督办员"),
    ("assessor", "考评员"),
    ("leader", "领导"),
    ("admin", "管理员"),
]

# (code, name, category, sort). Counties add their own types as data in the admin.
UNIT_TYPES = [
    ("community", "社区居委会", "community", 10),
    ("village", "村委会", "village", 20),
    ("property", "物业服务企业", "property", 30),
    ("street_office", "街道办事处", "township", 40),
    ("township_gov", "乡镇人民政府", "township", 41),
    ("zjj", "住建局", "department", 100),
    ("sthjj", "生态环境局", "department", 101),
    ("jtysj", "交通运输局", "department", 102),
    ("jyj", "教育局", "department", 103),
    ("rsj", "人社局", "department", 104),
    ("swj", "商务局", "department", 105),
    ("wjw", "卫健委", "department", 106),
    ("wlj", "文旅局", "department", 107),
    ("cgj", "城管局", "department", 108),
    ("gaj", "公安局", "department", 109),
    ("mzj", "民政局", "department", 110),
    ("scjgj", "市场监管局", "department", 111),
    ("zrzyj", "自然资源局", "department", 112),
    ("nyncj", "农业农村局", "department", 113),
    ("slj", "水利局", "department", 114),
    ("yjglj", "应急管理局", "department", 115),
    ("water", "供水公司", "public_service", 200),
    ("power", "供电公司", "public_service", 201),
    ("heating", "供热公司", "public_service", 202),
    ("gas", "燃气公司", "public_service", 203),
    ("bus", "公交公司", "public_service", 204),
    ("telecom", "通信运营商", "public_service", 205),
]


def forwards(apps, schema_editor):
    Role = apps.get_model("orgs", "Role")
    UnitType = apps.get_model("orgs", "UnitType")
    for code, name in ROLES:
        Role.objects.update_or_create(code=code, defaults={"name": name})
    for code, name, category, sort in UNIT_TYPES:
        UnitType.objects.update_or_create(
            code=code, defaults={"name": name, "category": category, "sort": sort}
        )


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
