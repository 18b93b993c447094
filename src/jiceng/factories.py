"""Factory helpers: the tests' small world and the demo prefecture are built with these.

Plain functions with sensible defaults; every argument can be given. They save through the
ORM and validate nothing beyond the database constraints, like fixtures.
"""

import itertools
import random
from datetime import datetime
from zoneinfo import ZoneInfo

from jiceng.core import names
from jiceng.orgs.models import PartyOrg, Person, Post, Role, Unit, UnitType, User
from jiceng.regions.models import Grid, Kind, Level, Region

SHANGHAI = ZoneInfo("Asia/Shanghai")

_serial = itertools.count(1)
_rng = random.Random(20261125)


def region(
    code: str, name: str, level: str, parent: Region | None = None, kind: str = ""
) -> Region:
    obj, _ = Region.objects.update_or_create(
        code=code, defaults={"name": name, "level": level, "parent": parent, "kind": kind}
    )
    return obj


def grid(area: Region, number: int = 1, households: int | None = None) -> Grid:
    obj, _ = Grid.objects.get_or_create(
        code=f"{area.code}-{number:02d}",
        defaults={"name": f"第{number}网格", "region": area, "households": households},
    )
    return obj


def unit(
    area: Region, type_code: str = "community", name: str | None = None, code: str | None = None
) -> Unit:
    unit_type = UnitType.objects.get(code=type_code)
    return Unit.objects.create(
        code=code or f"{area.code}-{type_code}-{next(_serial)}",
        name=name or f"{area.name}{unit_type.name}",
        type=unit_type,
        region=area,
    )


def party_org(
    name: str,
    kind: str = "党支部",
    area: Region | None = None,
    unit: Unit | None = None,
    parent: PartyOrg | None = None,
) -> PartyOrg:
    return PartyOrg.objects.create(name=name, kind=kind, region=area, unit=unit, parent=parent)


def person(area: Region, name: str | None = None, phone: str | None = None, **fields) -> Person:
    made = names.person(_rng)
    return Person.objects.create(
        code=fields.pop("code", None) or f"P{next(_serial):07d}",
        name=name or made["name"],
        gender=fields.pop("gender", made["gender"]),
        ethnicity=fields.pop("ethnicity", made["ethnicity"]),
        phone=names.mobile(_rng) if phone is None else phone,
        region=area,
        **fields,
    )


def post(who: Person, kind: str, **place) -> Post:
    return Post.objects.create(person=who, kind=kind, **place)


def account(
    username: str,
    roles: list[str] = (),  # type: ignore[assignment]
    scope_region: Region | None = None,
    scope_unit: Unit | None = None,
    who: Person | None = None,
    password: str = "test-password",
    superuser: bool = False,
) -> User:
    user = User.objects.create_user(
        username=username,
        password=password,
        person=who,
        scope_region=scope_region,
        scope_unit=scope_unit,
        is_superuser=superuser,
    )
    user.roles.set(Role.objects.filter(code__in=roles))
    return user


def small_world() -> dict:
    """A few real places of 昌吉州 with one of everything, for tests.

    Two communities of 建国路街道 (嘉顺社区 and 建国社区) and one village of 玛纳斯县, each with
    a unit, a party branch, a grid and people, and a department of 昌吉市.
    """
    xj = region("650000000000", "新疆维吾尔自治区", Level.PROVINCE)
    cj = region("652300000000", "昌吉回族自治州", Level.PREFECTURE, xj)
    cjs = region("652301000000", "昌吉市", Level.COUNTY, cj)
    jgl = region("652301004000", "建国路街道", Level.TOWNSHIP, cjs, Kind.STREET)
    jiashun = region("652301004012", "嘉顺社区居委会", Level.VILLAGE, jgl, Kind.COMMUNITY)
    jianguo = region("652301004001", "建国社区居委会", Level.VILLAGE, jgl, Kind.COMMUNITY)
    mns = region("652324000000", "玛纳斯县", Level.COUNTY, cj)
    bjd = region("652324102000", "包家店镇", Level.TOWNSHIP, mns, Kind.TOWN)
    bjd_village = region("652324102200", "包家店村村民委员会", Level.VILLAGE, bjd, Kind.VILLAGE)

    world = {
        "xinjiang": xj,
        "changji": cj,
        "changji_city": cjs,
        "jianguolu": jgl,
        "jiashun": jiashun,
        "jianguo": jianguo,
        "manas": mns,
        "baojiadian": bjd,
        "baojiadian_village": bjd_village,
    }
    street_committee = party_org("建国路街道党工委", "党委", area=jgl)
    for key, area, type_code in [
        ("jiashun", jiashun, "community"),
        ("jianguo", jianguo, "community"),
        ("baojiadian_village", bjd_village, "village"),
    ]:
        u = unit(area, type_code, name=area.name.replace("居委会", "").replace("村民委员会", ""))
        branch = party_org(
            f"{u.name}党支部",
            area=area,
            parent=street_committee if area.parent_id == jgl.pk else None,
        )
        g = grid(area, 1)
        secretary = person(area)
        post(secretary, "书记", party_org=branch, source="内选" if type_code == "village" else "")
        worker = person(area)
        post(worker, "网格员", grid=g, unit=u)
        world[f"{key}_unit"] = u
        world[f"{key}_branch"] = branch
        world[f"{key}_grid"] = g
        world[f"{key}_secretary"] = secretary
        world[f"{key}_grid_worker"] = worker
    zjj = unit(cjs, "zjj", name="昌吉市住建局")
    world["changji_zjj"] = zjj
    property_company = unit(jiashun, "property", name="嘉顺物业服务有限公司")
    world["jiashun_property"] = property_company
    world["jiashun_property_branch"] = party_org(
        "嘉顺物业党支部", area=jiashun, unit=property_company, parent=street_committee
    )
    return world


def ticket(
    area: Region,
    *,
    at=None,
    title: str = "楼道灯不亮",
    content: str | None = None,
    channel: str = "hotline",
    urgency: str = "normal",
    category=None,
    phone: str = "13800138000",
    **fields,
):
    """A received ticket, taken in through the service layer as the system."""
    from jiceng.tickets import services

    intake = services.Intake(
        title=title,
        content=content or f"{area.name}{title}，请尽快处理。",
        region=area,
        channel=channel,
        urgency=urgency,
        category=category,
        requester_name=fields.pop("requester_name", "张女士"),
        requester_phone=phone,
        **fields,
    )
    made, _ = services.receive(None, intake, at=at)
    return made


def photo(name: str = "现场.jpg", fmt: str = "JPEG", size=(64, 48), *, gps: bool = False):
    """A real, decodable photo as an upload; with `gps`, its EXIF says where it was taken
    (as a phone's camera writes it)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    image = Image.new("RGB", size, (200, 120, 40))
    out = io.BytesIO()
    extra = {}
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "HUAWEI"  # Make
        exif[0x0132] = "2026:12:01 09:30:00"  # DateTime
        exif.get_ifd(0x8825).update({1: "N", 2: (44.0, 1.0, 12.0), 3: "E", 4: (87.0, 18.0, 30.0)})
        extra["exif"] = exif.tobytes()
    image.save(out, fmt, **extra)
    kind = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}[fmt]
    return SimpleUploadedFile(name, out.getvalue(), kind)


def random_histories(world, users, rng, n: int, now=None) -> None:
    """`n` tickets of spring 2026 with random histories through the services: dispatches,
    returns upheld, rejected or awaiting a ruling, accepts in and out of time, redispatches,
    replies, callbacks and reopenings, across month edges; nothing after `now`. For tests of
    the 三率 that compare two ways of counting."""
    from datetime import timedelta

    from jiceng.tickets import services
    from jiceng.tickets.states import Status

    until = now or datetime(2026, 5, 20, 12, tzinfo=SHANGHAI)
    erin, ivan = users["erin"], users["ivan"]
    units = [
        (world["jiashun_unit"], users["dave"]),
        (world["jianguo_unit"], users["gina"]),
        (world["changji_zjj"], users["zoe"]),
    ]
    for i in range(n):
        at = datetime(2026, 3, 20, 9, tzinfo=SHANGHAI) + timedelta(hours=rng.randint(0, 24 * 50))
        if at >= until:
            continue
        unit, person = rng.choice(units)
        made = ticket(world["jiashun"], at=at, title=f"第{i}件诉求")

        def step(hours):
            nonlocal at
            at = at + timedelta(hours=hours)
            return at if at < until else None

        if not (t := step(rng.choice([0.2, 1, 30]))):
            continue
        made = services.dispatch(erin, made, unit, at=t)
        for _ in range(rng.randint(0, 2)):  # returns, each upheld or rejected
            if not (t := step(rng.choice([0.5, 3]))):
                break
            made = services.return_ticket(person, made, "不属于本单位职责范围", at=t)
            if rng.random() < 0.3 or not (t := step(rng.choice([1, 50]))):
                break  # waits for its ruling
            if rng.random() < 0.5:
                unit, person = rng.choice([u for u in units if u[0] != unit])
                made = services.uphold_return(erin, made, unit, at=t)
            else:
                made = services.reject_return(erin, made, "属于本单位职责", at=t)
        if made.status != Status.DISPATCHED or rng.random() < 0.2:
            continue
        if not (t := step(rng.choice([0.5, 2, 40, 200]))):
            continue
        made = services.accept(person, made, at=t)
        if rng.random() < 0.15 and (t := step(1)):
            unit, person = rng.choice([u for u in units if u[0] != unit])
            made = services.redispatch(erin, made, unit, reason="改派给职能部门", at=t)
            if not (t := step(rng.choice([0.5, 60]))):
                continue
            made = services.accept(person, made, at=t)
        for _ in range(rng.randint(0, 2)):
            if not (t := step(rng.choice([5, 100, 400]))):
                break
            made = services.reply(person, made, "已到现场处理完毕", at=t)
            if not (t := step(rng.choice([10, 300]))):
                break
            solved = rng.random() < 0.7
            made = services.callback(
                ivan,
                made,
                solved=solved,
                satisfaction="满意" if solved else "不满意",
                at=t,
            )
            if solved or not (t := step(2)):
                break
            made = services.reopen(erin, made, "群众反映仍未解决", at=t)
