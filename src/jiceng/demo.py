"""`jiceng seed-demo`: a believable 昌吉州 built from the real division codes.

Safe to run twice: every object has a stable code, existing ones are kept, and the demo
accounts get their printed passwords back.
"""

import random
from dataclasses import dataclass

from django.db import transaction

from jiceng.core import names
from jiceng.orgs.models import PartyOrg, Person, Post, Role, Unit, UnitType, User
from jiceng.regions.models import Grid, Kind, Level, Region
from jiceng.regions.services import import_regions

MUREI = "652328000000"  # 木垒哈萨克自治县: more Kazakh names
DEPARTMENTS = [
    "zjj",
    "sthjj",
    "jtysj",
    "jyj",
    "rsj",
    "swj",
    "wjw",
    "wlj",
    "cgj",
    "gaj",
    "mzj",
    "scjgj",
    "zrzyj",
    "nyncj",
    "slj",
    "yjglj",
]
PUBLIC_SERVICES = ["water", "power", "heating", "gas"]
PROPERTY_BRANDS = [
    "嘉顺",
    "锦绣",
    "天和",
    "安居",
    "康宁",
    "瑞祥",
    "恒信",
    "绿苑",
    "金盾",
    "和美",
    "昌盛",
    "福瑞",
    "宏远",
    "祥和",
    "惠民",
    "天山",
    "雪莲",
    "博达",
]
SOURCES = ["内选", "内选", "内选", "回引", "跨任", "下派"]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    scope: str
    password: str


def short_name(region: Region) -> str:
    for suffix in (
        "社区居民委员会",
        "居民委员会",
        "社区居委会",
        "居委会",
        "社区委员会",
        "村村民委员会",
        "村民委员会",
        "村委会",
        "村民委会",
        "村民委员",
    ):
        if region.name.endswith(suffix):
            base = region.name[: -len(suffix)]
            return base + ("社区" if region.kind == Kind.COMMUNITY else "村")
    return region.name


class _Builder:
    """Collects objects to create, skipping those whose codes already exist."""

    def __init__(self):
        self.types = {t.code: t for t in UnitType.objects.all()}
        self.units = {u.code: u for u in Unit.objects.all()}
        self.orgs = {(o.region_id, o.unit_id, o.name): o for o in PartyOrg.objects.all()}
        self.grids = set(Grid.objects.values_list("code", flat=True))
        self.people = set(Person.objects.values_list("code", flat=True))
        self.new_people: list[Person] = []
        self.new_posts: list[tuple[str, dict]] = []
        self.new_grids: list[Grid] = []

    def unit(self, code, name, type_code, region, phone="", address=""):
        if code not in self.units:
            self.units[code] = Unit.objects.create(
                code=code,
                name=name,
                type=self.types[type_code],
                region=region,
                phone=phone,
                address=address,
            )
        return self.units[code]

    def org(self, name, kind, region=None, unit=None, parent=None):
        key = (region.pk if region else None, unit.pk if unit else None, name)
        if key not in self.orgs:
            self.orgs[key] = PartyOrg.objects.create(
                name=name, kind=kind, region=region, unit=unit, parent=parent
            )
        return self.orgs[key]

    def person(self, code, region, posts, kazakh_share):
        if code in self.people:
            return
        self.people.add(code)
        rng = random.Random(code)  # the same person on every run, whatever exists already
        made = names.person(rng, kazakh_share)
        self.new_people.append(
            Person(
                code=code,
                region=region,
                phone=names.mobile(rng),
                birth_year=rng.randint(1965, 1998),
                is_party_member=any(p.get("party_org") for p in posts) or rng.random() < 0.4,
                **made,
            )
        )
        self.new_posts += [(code, post) for post in posts]

    def grid(self, code, name, region, households):
        if code not in self.grids:
            self.grids.add(code)
            self.new_grids.append(Grid(code=code, name=name, region=region, households=households))

    def flush_grids(self) -> dict[str, Grid]:
        Grid.objects.bulk_create(self.new_grids, batch_size=500)
        self.new_grids = []
        return {g.code: g for g in Grid.objects.all()}

    def flush_people(self, grids: dict[str, Grid]) -> None:
        Person.objects.bulk_create(self.new_people, batch_size=500)
        ids = dict(
            Person.objects.filter(code__in=[p.code for p in self.new_people]).values_list(
                "code", "pk"
            )
        )
        posts = []
        for code, post in self.new_posts:
            post = dict(post)
            if "grid" in post:
                post["grid"] = grids[post["grid"]]
            posts.append(Post(person_id=ids[code], **post))
        Post.objects.bulk_create(posts, batch_size=500)
        self.new_people, self.new_posts = [], []


def seed(stdout=None) -> list[DemoLogin]:
    def say(message):
        if stdout is not None:
            stdout.write(message)

    say("导入区划代码……")
    say(import_regions().summary())
    with transaction.atomic():
        b = _Builder()
        prefecture = Region.objects.get(code="652300000000")
        counties = list(Region.objects.filter(level=Level.COUNTY).order_by("code"))
        say("建立县市部门、乡镇街道、社区和村……")
        for county in counties:
            _seed_county(b, county)
        grids = b.flush_grids()
        b.flush_people(grids)
        logins = _seed_accounts(prefecture)
    return logins


def _seed_county(b: _Builder, county: Region) -> None:
    rng = random.Random(county.code)
    kazakh = 0.2 if county.code == MUREI else 0.06
    c6 = county.code[:6]
    county_committee = b.org(f"中共{county.name}委员会", "党委", region=county)
    for type_code in DEPARTMENTS + PUBLIC_SERVICES:
        type_name = b.types[type_code].name
        unit = b.unit(
            f"{c6}-{type_code}",
            f"{county.name}{type_name}",
            type_code,
            county,
            phone=f"0994-{rng.randint(2000000, 2999999)}",
        )
        if type_code in DEPARTMENTS:
            branch = b.org(
                f"{unit.name}机关党支部",
                "党支部",
                region=county,
                unit=unit,
                parent=county_committee,
            )
            for n in range(1, 3):
                b.person(f"P-{unit.code}-{n}", county, [{"kind": "承办人", "unit": unit}], kazakh)
            b.person(
                f"P-{unit.code}-head",
                county,
                [{"kind": "负责人", "unit": unit}, {"kind": "书记", "party_org": branch}],
                kazakh,
            )
        else:
            b.person(f"P-{unit.code}-1", county, [{"kind": "承办人", "unit": unit}], kazakh)

    townships = Region.objects.filter(parent=county, level=Level.TOWNSHIP).order_by("code")
    for township in townships:
        if township.name.startswith("兵团"):
            continue  # administered by the XPCC, not by the prefecture
        is_street = township.kind == Kind.STREET
        t_type = "street_office" if is_street else "township_gov"
        t_name = (
            f"{township.name}办事处"
            if is_street
            else (
                township.name if township.kind == Kind.TOWNSHIP_LIKE else f"{township.name}人民政府"
            )
        )
        t_unit = b.unit(township.code, t_name, t_type, township)
        committee = b.org(
            f"{township.name}党工委" if is_street else f"中共{township.name}委员会",
            "党委",
            region=township,
            parent=county_committee,
        )
        b.person(f"P-{t_unit.code}-1", township, [{"kind": "承办人", "unit": t_unit}], kazakh)
        villages = Region.objects.filter(parent=township, level=Level.VILLAGE).order_by("code")
        for village in villages:
            if village.kind == Kind.VILLAGE_LIKE:
                continue  # mostly XPCC 连队生活区
            _seed_village(b, village, committee, is_street, kazakh)


def _seed_village(b, village, committee, is_street, kazakh) -> None:
    rng = random.Random(village.code)
    community = village.kind == Kind.COMMUNITY
    name = short_name(village)
    unit = b.unit(
        village.code,
        f"{name}居委会" if community else f"{name}委员会",
        "community" if community else "village",
        village,
        phone=f"0994-{rng.randint(2000000, 2999999)}",
    )
    branch = b.org(f"{name}党支部", "党支部", region=village, parent=committee)
    grid_count = rng.randint(3, 6) if community else rng.randint(2, 4)
    for n in range(1, grid_count + 1):
        code = f"{village.code}-{n:02d}"
        b.grid(
            code,
            f"第{n}网格",
            village,
            rng.randint(150, 600) if community else rng.randint(60, 220),
        )
        b.person(f"P-{code}", village, [{"kind": "网格员", "grid": code, "unit": unit}], kazakh)
    secretary_posts = [
        {"kind": "书记", "party_org": branch, "source": "" if community else rng.choice(SOURCES)}
    ]
    if rng.random() < 0.7:  # 书记、主任“一肩挑”
        secretary_posts.append({"kind": "主任", "unit": unit})
    else:
        b.person(f"P-{unit.code}-director", village, [{"kind": "主任", "unit": unit}], kazakh)
    b.person(f"P-{unit.code}-secretary", village, secretary_posts, kazakh)
    for n in range(1, rng.randint(3, 5)):
        b.person(f"P-{unit.code}-member-{n}", village, [{"kind": "两委成员", "unit": unit}], kazakh)
    b.person(f"P-{unit.code}-handler", village, [{"kind": "承办人", "unit": unit}], kazakh)

    if community and is_street:
        for n, brand in enumerate(rng.sample(PROPERTY_BRANDS, rng.choice([1, 1, 2])), start=1):
            code = f"{village.code}-wy{n}"
            company = b.unit(
                code,
                f"{brand}物业服务有限公司{name}项目部",
                "property",
                village,
                phone=f"0994-{rng.randint(2000000, 2999999)}",
            )
            property_branch = b.org(
                f"{brand}物业{name}党支部", "党支部", region=village, unit=company, parent=committee
            )
            b.person(
                f"P-{code}-manager",
                village,
                [
                    {"kind": "负责人", "unit": company},
                    {"kind": "书记", "party_org": property_branch},
                ],
                kazakh,
            )
            b.person(f"P-{code}-handler", village, [{"kind": "承办人", "unit": company}], kazakh)


# One login per role. Scope: the prefecture, 昌吉市, or 嘉顺社区 of 建国路街道 (where the
# article's resident lives).
DEMO_ACCOUNTS = [
    ("admin", "admin", "region", "652300000000"),
    ("leader", "leader", "region", "652300000000"),
    ("assessor", "assessor", "region", "652300000000"),
    # a second prefecture assessor: whoever computes a period cannot review or publish it
    ("reviewer", "assessor", "region", "652300000000"),
    ("supervisor", "supervisor", "region", "652301000000"),
    ("dispatcher", "dispatcher", "region", "652301000000"),
    ("intake", "intake", "region", "652301000000"),
    # the prefecture's bilingual operator: writes the Chinese summaries of requests in Uyghur
    # and Kazakh from every county (木垒's Kazakh villages included)
    ("bilingual", "intake", "region", "652300000000"),
    ("handler", "handler", "unit", "652301004012"),
    # 建国路街道办事处: whistles 昌吉市's departments, and answers its communities' requests to
    ("street", "handler", "unit", "652301004000"),
    ("grid", "grid_worker", "region", "652301004012"),
]


def _seed_accounts(prefecture: Region) -> list[DemoLogin]:
    logins = []
    roles = {r.code: r for r in Role.objects.all()}
    for username, role_code, scope_kind, code in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first() or User(username=username)
        password = f"{username}-2026"
        user.set_password(password)
        user.is_active = True
        if scope_kind == "unit":
            user.scope_unit, user.scope_region = Unit.objects.get(code=code), None
            scope = user.scope_unit.name
        else:
            user.scope_region, user.scope_unit = Region.objects.get(code=code), None
            scope = user.scope_region.name
        if user.person_id is None:
            user.person = _person_for(role_code, code, username)
        # the hotline's operator reads Uyghur and Kazakh: the 双语受理 queue has its reader
        user.bilingual = role_code == "intake"  # both operators read Uyghur and Kazakh
        user.save()
        user.roles.set([roles[role_code]])
        logins.append(DemoLogin(username, roles[role_code].name, scope, password))
    return logins


def secretary_login() -> DemoLogin | None:
    """A login for a branch secretary with open 整改 items (after the evaluation demo made
    them): 我的整改 is their page. 嘉顺社区's secretary when it has items, else the first."""
    from jiceng.evaluation.models import Rectification

    items = Rectification.objects.filter(
        state=Rectification.State.OPEN, responsible__isnull=False
    ).select_related("responsible", "diagnosis__party_org__region")
    item = items.filter(diagnosis__party_org__region__code="652301004012").first() or (
        items.filter(diagnosis__party_org__region__code__startswith="652301").first()
    )
    if item is None:
        return None
    user = User.objects.filter(username="secretary").first() or User(username="secretary")
    password = "secretary-2026"
    user.set_password(password)
    user.is_active = True
    taken = User.objects.filter(person=item.responsible).exclude(pk=user.pk).first()
    if taken is not None:  # the person already has a login: that one is the secretary's
        return None
    user.person = item.responsible
    user.scope_region, user.scope_unit = item.diagnosis.party_org.region, None
    user.save()
    user.roles.clear()
    return DemoLogin("secretary", "支部书记", user.scope_region.name, password)


def _person_for(role_code: str, code: str, username: str) -> Person | None:
    """Bind the handler and grid-worker logins to real demo people; others get their own."""
    taken = User.objects.filter(person__isnull=False).values("person_id")
    if role_code == "handler":
        return (
            Person.objects.filter(code__in=[f"P-{code}-handler", f"P-{code}-1"])
            .exclude(pk__in=taken)
            .first()
        )
    if role_code == "grid_worker":
        return Person.objects.filter(code=f"P-{code}-01").exclude(pk__in=taken).first()
    region = Region.objects.get(code=code)
    # the first login of a role keeps its earlier code, so that a database seeded before keeps
    # its people
    key = role_code if username == role_code else username
    person, _ = Person.objects.get_or_create(
        code=f"P-login-{key}",
        defaults={
            **names.person(random.Random(key)),
            "region": region,
            "phone": names.mobile(random.Random(key)),
        },
    )
    return person
