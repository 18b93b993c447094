"""The default routing table: each first-level category (and a few second-level ones) to the
kind of unit that handles it in 昌吉州. Counties edit it as data in the admin; a category
without a rule goes to the local community or village."""

from django.db import migrations

# (category path, unit type code or None for the local community/village, note); a rule may
# apply only to requests using certain words (KEYWORD_RULES), since the dispatch model names
# first-level categories and the words tell the heating company's matters from the 住建局's.
KEYWORD_RULES = [
    ("城乡建设", "暖气 供暖 采暖 供热", "heating", "供热公司"),
    ("城乡建设", "停水 自来水 水压 供水", "water", "供水公司"),
    ("城乡建设", "停电 电压 供电 跳闸", "power", "供电公司"),
    ("城乡建设", "燃气 天然气 煤气", "gas", "燃气公司"),
    ("城乡建设", "物业 楼道灯", None, "小事不出社区"),
    ("交通运输", "公交 班次", "bus", "公交公司"),
]

RULES = [
    ("城乡建设", "zjj", "住房、工程、规划等交县市住建局"),
    ("城乡建设/城市建设和市政管理", "cgj", "市政设施、环卫、城管执法"),
    ("城乡建设/城市建设和市政管理/冬季采暖", "heating", "供热公司"),
    ("城乡建设/城市建设和市政管理/自来水供应", "water", "供水公司"),
    ("城乡建设/城市建设和市政管理/电力供应", "power", "供电公司"),
    ("城乡建设/城市建设和市政管理/燃气供应", "gas", "燃气公司"),
    ("城乡建设/城市建设和市政管理/公共汽车", "bus", "公交公司"),
    ("城乡建设/城市建设和市政管理/基础设施", "zjj", ""),
    ("城乡建设/城市建设和市政管理/小区管理", None, "小事不出社区"),
    ("城乡建设/城市建设和市政管理/环境卫生", None, "小事不出村（社区）"),
    ("城乡建设/住房保障与房地产/物业服务", None, "社区督促物业"),
    ("城乡建设/城乡规划/违章建筑", "cgj", ""),
    ("城乡建设/安全生产", "yjglj", ""),
    ("环境保护", "sthjj", ""),
    ("交通运输", "jtysj", ""),
    ("教育文体", "jyj", ""),
    ("教育文体/文化", "wlj", ""),
    ("教育文体/体育", "wlj", ""),
    ("教育文体/文物管理", "wlj", ""),
    ("劳动和社会保障", "rsj", ""),
    ("商贸旅游", "swj", ""),
    ("商贸旅游/市场监管", "scjgj", ""),
    ("商贸旅游/质监检验检疫", "scjgj", ""),
    ("商贸旅游/旅游管理", "wlj", ""),
    ("卫生计生", "wjw", ""),
    ("卫生计生/食品药品监管", "scjgj", ""),
    ("民政", "mzj", ""),
    ("民政/基层选举和社区建设", None, "小事不出村（社区）"),
    ("国土资源", "zrzyj", ""),
    ("农村农业", "nyncj", ""),
    ("农村农业/水利水电", "slj", ""),
    ("农村农业/村务管理", None, "小事不出村（社区）"),
    ("农村农业/水利水电/水事纠纷", None, "村里先调解"),
    ("政法/社会治安/消防安全", None, "楼道堆物等由社区先处置"),
    ("政法", "gaj", ""),
]


def forwards(apps, schema_editor):
    Category = apps.get_model("tickets", "Category")
    UnitType = apps.get_model("orgs", "UnitType")
    RoutingRule = apps.get_model("dispatch", "RoutingRule")
    types = {t.code: t for t in UnitType.objects.all()}
    for path, type_code, note in RULES:
        category = Category.objects.filter(full_name=path).first()
        if category is None or (type_code and type_code not in types):
            continue
        RoutingRule.objects.get_or_create(
            category=category,
            region=None,
            keywords="",
            defaults={"unit_type": types.get(type_code), "note": note},
        )
    for path, words, type_code, note in KEYWORD_RULES:
        category = Category.objects.filter(full_name=path).first()
        if category is None or (type_code and type_code not in types):
            continue
        RoutingRule.objects.get_or_create(
            category=category,
            region=None,
            keywords=words,
            defaults={"unit_type": types.get(type_code), "note": note},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("dispatch", "0001_initial"),
        ("tickets", "0002_categories_and_defaults"),
        ("orgs", "0002_roles_and_unit_types"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
