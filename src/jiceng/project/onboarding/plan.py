"""Checking a filled-in onboarding workbook: every problem, at its sheet, row and column, with a
Chinese reason; and, when there is none, the plan of what the file says should exist.

Nothing here writes. The database is read once (regions, unit types, categories, roles and the
records the file's codes may refer to), so a file of 20,000 rows is checked in seconds.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError

from jiceng.orgs import access
from jiceng.orgs.models import (
    PartyOrg,
    PartyOrgKind,
    Person,
    PostKind,
    Role,
    RoleCode,
    SecretarySource,
    Unit,
    UnitCategory,
    UnitType,
    User,
    WhistleRule,
)
from jiceng.regions.models import Grid, Level, Region
from jiceng.tickets.models import Category

from .book import SheetProblem

CODE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
MOBILE = re.compile(r"^1\d{10}$")
YES = {"是", "Y", "y", "1", "TRUE", "true", "启用"}
NO = {"否", "N", "n", "0", "FALSE", "false", "停用"}


@dataclass
class Plan:
    problems: list = field(default_factory=list)
    present: set = field(default_factory=set)  # the sheets the file holds
    units: dict = field(default_factory=dict)
    orgs: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)
    grids: dict = field(default_factory=dict)
    posts: dict = field(default_factory=dict)
    accounts: dict = field(default_factory=dict)
    routes: dict = field(default_factory=dict)
    whistles: dict = field(default_factory=dict)
    names: dict = field(default_factory=dict)
    rows: int = 0
    org_rows: dict = field(default_factory=dict)  # organisation code → its row, for the tree
    current: int | None = None  # the row being checked

    @property
    def ok(self) -> bool:
        return not self.problems


class Known:
    """What the database holds that the file may refer to, read once."""

    def __init__(self, actor):
        self.actor = actor
        scope = access.scope_of(actor) if actor is not None else None
        self.path = None if scope is None or scope.everything else (scope.path or "//none//")
        self.prefecture_wide = self.path is None or self.path.count("/") <= 3
        self.regions = {
            r.code: r for r in Region.objects.only("id", "code", "name", "level", "path")
        }
        self.types = {}
        for t in UnitType.objects.all():
            self.types[t.name] = t
            self.types[t.code] = t
        self.units = {u.code: u for u in Unit.objects.select_related("region", "type")}
        self.orgs = {o.code: o for o in PartyOrg.objects.select_related("region", "unit")}
        self.people = {p.code: p for p in Person.objects.select_related("region")}
        self.grids = {g.code: g for g in Grid.objects.select_related("region")}
        self.users = {u.username: u for u in User.objects.select_related("scope_region")}
        self.categories = {c.code: c for c in Category.objects.all()}
        self.roles = {}
        for role in Role.objects.all():
            self.roles[role.name] = role
            self.roles[role.code] = role
        for code in RoleCode:  # the names the product uses, even before a migration renamed one
            self.roles.setdefault(code.label, self.roles.get(code.value))

    def in_scope(self, region: Region | None) -> bool:
        return region is not None and (self.path is None or region.path.startswith(self.path))


def check(read, actor=None) -> Plan:
    """The plan of a read workbook (`book.read`), with every problem it has."""
    known = Known(actor)
    plan = Plan(problems=list(read.problems), present=set(read.sheets))
    plan.rows = sum(len(rows) for rows in read.sheets.values())
    for name, checker in CHECKERS:
        for number, row in read.sheets.get(name, []):
            problems = []

            def bad(column: str, message: str, _name=name, _number=number, _p=problems):
                _p.append(SheetProblem(_name, _number, column, message))

            plan.current = number
            checker(plan, known, row, bad)
            plan.problems.extend(problems)
    _check_org_tree(plan, known)
    _check_post_places(plan, known, read)
    return plan


# --- helpers -----------------------------------------------------------------------------------


def _flag(value: str, bad, column: str) -> bool:
    value = (value or "").strip()
    if not value or value in YES:
        return True
    if value in NO:
        return False
    bad(column, f"“{value}”应填 是 或 否")
    return True


def _date(value: str, bad, column: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    text = value.replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-")
    text = text.rstrip("日").split(" ")[0].split("T")[0]
    try:
        return date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        bad(column, f"日期“{value}”看不懂，请写成 2024-07-01")
        return None


def _region(known: Known, code: str, bad, column: str, *, required=True) -> Region | None:
    code = (code or "").strip()
    if not code:
        if required:
            bad(column, "不能为空")
        return None
    region = known.regions.get(code)
    if region is None:
        bad(column, f"区划代码“{code}”不存在（须为 12 位统计用区划代码）")
        return None
    if not known.in_scope(region):
        bad(column, f"区划“{region.name}”不在您的管辖范围内")
        return None
    return region


def _code(row: dict, key: str, seen: dict, bad, column: str) -> str | None:
    code = (row.get(key) or "").strip()
    if not code:
        bad(column, "不能为空")
        return None
    if not CODE.match(code):
        bad(column, f"编码“{code}”只能包含字母、数字、点、下划线和连字符，且不超过 40 个字符")
        return None
    if code in seen:
        bad(column, f"编码“{code}”重复（与本表其他行相同）")
        return None
    return code


def _text(row, key, bad, column, limit, required=False) -> str:
    value = (row.get(key) or "").strip()
    if required and not value:
        bad(column, "不能为空")
    if len(value) > limit:
        bad(column, f"不能超过 {limit} 个字")
    return value


# --- the sheets --------------------------------------------------------------------------------


def _unit(plan: Plan, known: Known, row: dict, bad) -> None:
    code = _code(row, "code", plan.units, bad, "单位编码")
    name = _text(row, "name", bad, "单位名称", 100, required=True)
    kind = (row.get("type") or "").strip()
    unit_type = known.types.get(kind)
    if not kind:
        bad("单位类型", "不能为空")
    elif unit_type is None:
        bad("单位类型", f"单位类型“{kind}”不存在；可选：{'、'.join(_type_names(known))}")
    region = _region(known, row.get("region"), bad, "所属区划代码")
    phone = (row.get("phone") or "").strip().replace(" ", "")
    if phone and not PHONE.match(phone):
        bad("联系电话", f"“{phone}”不是手机号或带区号的固定电话")
    active = _flag(row.get("active"), bad, "启用")
    existing = known.units.get(code) if code else None
    if existing is not None and not known.in_scope(existing.region):
        bad("单位编码", f"单位“{code}”已存在于您的管辖范围之外，不能修改")
        return
    if code and region is not None and name:
        twin = next(
            (
                other
                for other, fields in plan.units.items()
                if fields["region"] == region and fields["name"] == name
            ),
            None,
        )
        if twin:
            bad("单位名称", f"同一区划下已有同名单位（编码 {twin}）")
        else:
            for other in known.units.values():
                if other.region_id == region.pk and other.name == name and other.code != code:
                    if other.code not in plan.units:
                        bad("单位名称", f"该区划下系统中已有同名单位（编码 {other.code}）")
                    break
    if code:
        plan.units[code] = {
            "name": name,
            "type": unit_type,
            "region": region,
            "phone": phone,
            "address": _text(row, "address", bad, "地址", 200),
            "name_ug": _text(row, "name_ug", bad, "维吾尔文名称", 200),
            "name_kk": _text(row, "name_kk", bad, "哈萨克文名称", 200),
            "is_active": active,
        }


def _type_names(known: Known) -> list[str]:
    return sorted({t.name for t in known.types.values()})


def _org(plan: Plan, known: Known, row: dict, bad) -> None:
    code = _code(row, "code", plan.orgs, bad, "组织编码")
    name = _text(row, "name", bad, "组织名称", 100, required=True)
    kind = (row.get("kind") or "").strip()
    if kind not in PartyOrgKind.values:
        bad("组织类别", f"“{kind}”应为 党委、党总支 或 党支部" if kind else "不能为空")
    region = _region(known, row.get("region"), bad, "所在区划代码", required=False)
    unit_code = (row.get("unit") or "").strip()
    if unit_code and unit_code not in plan.units and unit_code not in known.units:
        bad("所在单位编码", f"单位“{unit_code}”不在单位表中，系统中也没有")
    if not region and not unit_code and not (row.get("region") or "").strip():
        bad("所在区划代码", "所在区划代码与所在单位编码至少填一项")
    parent = (row.get("parent") or "").strip()
    if parent and parent == code:
        bad("上级组织编码", "上级组织不能是自己")
    existing = known.orgs.get(code) if code else None
    if existing is not None:
        place = existing.region or (existing.unit.region if existing.unit_id else None)
        if place is not None and not known.in_scope(place):
            bad("组织编码", f"党组织“{code}”已存在于您的管辖范围之外，不能修改")
            return
    if code:
        plan.orgs[code] = {
            "name": name,
            "kind": kind,
            "parent": parent,
            "region": region,
            "unit": unit_code,
            "founded_on": _date(row.get("founded_on"), bad, "成立日期"),
            "is_active": _flag(row.get("active"), bad, "启用"),
        }
        plan.org_rows[code] = plan.current


def _check_org_tree(plan: Plan, known: Known) -> None:
    """Parents that exist, kinds that may sit under each other, no circle."""

    def kind_of(code):
        if code in plan.orgs:
            return plan.orgs[code]["kind"]
        org = known.orgs.get(code)
        return org.kind if org else None

    def parent_of(code):
        if code in plan.orgs:
            return plan.orgs[code]["parent"] or None
        org = known.orgs.get(code)
        return org.parent.code if org and org.parent_id else None

    rows = plan.org_rows
    for code, fields in plan.orgs.items():
        parent = fields["parent"]
        number = rows.get(code)
        if not parent:
            continue
        parent_kind = kind_of(parent)
        if parent_kind is None:
            plan.problems.append(
                SheetProblem("党组织", number, "上级组织编码", f"上级组织“{parent}”不存在")
            )
            continue
        if parent_kind == PartyOrgKind.BRANCH:
            plan.problems.append(
                SheetProblem("党组织", number, "上级组织编码", "党支部之下不能再设党组织")
            )
        elif fields["kind"] == PartyOrgKind.COMMITTEE and parent_kind != PartyOrgKind.COMMITTEE:
            plan.problems.append(
                SheetProblem("党组织", number, "上级组织编码", "党委的上级只能是党委")
            )
        seen, node = {code}, parent
        while node is not None:
            if node in seen:
                plan.problems.append(
                    SheetProblem("党组织", number, "上级组织编码", "上级组织形成了循环")
                )
                break
            seen.add(node)
            node = parent_of(node)


def _person(plan: Plan, known: Known, row: dict, bad) -> None:
    code = _code(row, "code", plan.people, bad, "人员编号")
    name = _text(row, "name", bad, "姓名", 50, required=True)
    gender = (row.get("gender") or "").strip()
    if gender and gender not in ("男", "女"):
        bad("性别", f"“{gender}”应填 男 或 女")
    year = (row.get("birth_year") or "").strip()
    birth_year = None
    if year:
        if year.isdigit() and 1900 <= int(year) <= date.today().year:
            birth_year = int(year)
        else:
            bad("出生年份", f"“{year}”应为四位年份，如 1985")
    phone = (row.get("phone") or "").strip().replace(" ", "").replace("-", "")
    if phone and not PHONE.match(phone):
        bad("手机号", f"“{row.get('phone')}”不是手机号（应为 11 位，以 1 开头）")
    region = _region(known, row.get("region"), bad, "所属区划代码")
    existing = known.people.get(code) if code else None
    if existing is not None and not known.in_scope(existing.region):
        bad("人员编号", f"人员“{code}”已存在于您的管辖范围之外，不能修改")
        return
    if code:
        plan.people[code] = {
            "name": name,
            "gender": gender,
            "ethnicity": _text(row, "ethnicity", bad, "民族", 20),
            "birth_year": birth_year,
            "phone": phone,
            "is_party_member": _flag(row.get("party"), bad, "中共党员")
            if (row.get("party") or "").strip()
            else False,
            "region": region,
        }


def _grid(plan: Plan, known: Known, row: dict, bad) -> None:
    code = _code(row, "code", plan.grids, bad, "网格编号")
    if code and len(code) > 20:
        bad("网格编号", "不能超过 20 个字符")
    name = _text(row, "name", bad, "网格名称", 100, required=True)
    region = _region(known, row.get("region"), bad, "所属村（社区）代码")
    if region is not None and region.level != Level.VILLAGE:
        bad("所属村（社区）代码", f"“{region.name}”不是社区或村：网格只能设在社区或村之下")
    households = (row.get("households") or "").strip()
    if households and not households.isdigit():
        bad("户数", f"“{households}”应为整数")
    existing = known.grids.get(code) if code else None
    if existing is not None and not known.in_scope(existing.region):
        bad("网格编号", f"网格“{code}”已存在于您的管辖范围之外，不能修改")
        return
    if code:
        plan.grids[code] = {
            "name": name,
            "region": region,
            "description": _text(row, "description", bad, "范围说明", 300),
            "households": int(households) if households.isdigit() else None,
            "is_active": _flag(row.get("active"), bad, "启用"),
        }


def _post(plan: Plan, known: Known, row: dict, bad) -> None:
    person = (row.get("person") or "").strip()
    if not person:
        bad("人员编号", "不能为空")
    elif person not in plan.people and person not in known.people:
        bad("人员编号", f"人员“{person}”不在人员表中，系统中也没有")
    kind = (row.get("kind") or "").strip()
    if kind not in PostKind.values:
        bad(
            "职务",
            f"职务“{kind}”不存在；可选：{'、'.join(PostKind.values)}" if kind else "不能为空",
        )
    unit = (row.get("unit") or "").strip()
    org = (row.get("party_org") or "").strip()
    grid = (row.get("grid") or "").strip()
    if not (unit or org or grid):
        bad("单位编码", "单位编码、党组织编码、网格编号至少填一项")
    if unit and unit not in plan.units and unit not in known.units:
        bad("单位编码", f"单位“{unit}”不在单位表中，系统中也没有")
    if org and org not in plan.orgs and org not in known.orgs:
        bad("党组织编码", f"党组织“{org}”不在党组织表中，系统中也没有")
    if grid and grid not in plan.grids and grid not in known.grids:
        bad("网格编号", f"网格“{grid}”不在网格表中，系统中也没有")
    if kind == PostKind.GRID_WORKER and not grid:
        bad("网格编号", "网格员须填写网格编号")
    source = (row.get("source") or "").strip()
    if source:
        if kind not in (PostKind.SECRETARY, PostKind.FIRST_SECRETARY):
            bad("书记来源", "只有书记需填写来源")
        elif source not in SecretarySource.values:
            bad("书记来源", f"“{source}”应为 内选、回引、跨任 或 下派")
    started = _date(row.get("started_on"), bad, "任职日期")
    ended = _date(row.get("ended_on"), bad, "离任日期")
    if started and ended and ended < started:
        bad("离任日期", "离任日期不能早于任职日期")
    key = (person, kind, unit, org, grid)
    if key in plan.posts:
        bad("人员编号", "同一人在同一处的同一职务重复出现")
        return
    plan.posts[key] = {
        "source": source,
        "started_on": started,
        "term_ends_on": _date(row.get("term_ends_on"), bad, "任期届满"),
        "ended_on": ended,
    }


def _check_post_places(plan: Plan, known: Known, read) -> None:
    """A grid worker's grid lies in the community or village of the unit the post names (a
    grid outside its community), and every place of a post is inside the importer's scope."""
    numbers = {}
    for number, row in read.sheets.get("任职", []):
        key = tuple(
            (row.get(k) or "").strip() for k in ("person", "kind", "unit", "party_org", "grid")
        )
        numbers.setdefault(key, number)

    def grid_region(code):
        if code in plan.grids:
            return plan.grids[code]["region"]
        grid = known.grids.get(code)
        return grid.region if grid else None

    def unit_region(code):
        if code in plan.units:
            return plan.units[code]["region"]
        unit = known.units.get(code)
        return unit.region if unit else None

    for key in plan.posts:
        _person_code, _kind, unit, _org, grid = key
        number = numbers.get(key)
        if grid and unit:
            g, u = grid_region(grid), unit_region(unit)
            if g is not None and u is not None and not g.path.startswith(u.path):
                plan.problems.append(
                    SheetProblem(
                        "任职", number, "网格编号", f"网格“{grid}”不在单位“{unit}”所在的{u.name}内"
                    )
                )
        for code, where, column in (
            (grid, grid_region, "网格编号"),
            (unit, unit_region, "单位编码"),
        ):
            region = where(code) if code else None
            if region is not None and not known.in_scope(region):
                plan.problems.append(
                    SheetProblem("任职", number, column, f"“{code}”不在您的管辖范围内")
                )


USERNAME = UnicodeUsernameValidator()


def _account(plan: Plan, known: Known, row: dict, bad) -> None:
    username = (row.get("username") or "").strip()
    if not username:
        bad("用户名", "不能为空")
    else:
        try:
            USERNAME(username)
        except ValidationError:
            bad("用户名", f"用户名“{username}”只能包含字母、数字和 @.+-_")
            username = ""
        if len(username) > 150:
            bad("用户名", "不能超过 150 个字符")
        if username in plan.accounts:
            bad("用户名", f"用户名“{username}”重复（与本表其他行相同）")
            username = ""
    person = (row.get("person") or "").strip()
    if person and person not in plan.people and person not in known.people:
        bad("人员编号", f"人员“{person}”不在人员表中，系统中也没有")
    roles = set()
    for name in re.split(r"[、,，;；\s]+", (row.get("roles") or "").strip()):
        if not name:
            continue
        role = known.roles.get(name)
        if role is None:
            names = "、".join(code.label for code in RoleCode)
            bad("角色", f"角色“{name}”不存在；可选：{names}")
        else:
            roles.add(role.code)
    if not (row.get("roles") or "").strip():
        bad("角色", "不能为空")
    region_code = (row.get("region") or "").strip()
    unit_code = (row.get("unit") or "").strip()
    region = None
    if region_code and unit_code:
        bad("管辖区划代码", "管辖区划代码与所属单位编码只填一项")
    elif not region_code and not unit_code:
        bad("管辖区划代码", "管辖区划代码与所属单位编码须填一项")
    elif region_code:
        region = _region(known, region_code, bad, "管辖区划代码")
    elif unit_code not in plan.units and unit_code not in known.units:
        bad("所属单位编码", f"单位“{unit_code}”不在单位表中，系统中也没有")
    delivery = (row.get("delivery") or "").strip() or "打印"
    if delivery not in ("短信", "打印"):
        bad("密码发送", f"“{delivery}”应填 短信 或 打印")
    existing = known.users.get(username) if username else None
    if existing is not None and existing.is_superuser:
        bad("用户名", f"“{username}”是超级管理员，不能由上线数据修改")
        return
    if existing is not None and known.actor is not None:
        scope = access.scope_of(existing)
        if scope.path is None or (known.path and not scope.path.startswith(known.path)):
            bad("用户名", f"账号“{username}”已存在于您的管辖范围之外，不能修改")
            return
    # a scope wider than the person granting it; guarded roles only from a wider scope
    if known.actor is not None and (region is not None or unit_code):
        unit_obj = known.units.get(unit_code)
        if unit_code in plan.units and plan.units[unit_code]["region"] is not None:
            unit_obj = Unit(region=plan.units[unit_code]["region"])  # as the file will make it
        for problem in access.account_change_problems(
            known.actor, existing, roles, region, unit_obj
        ):
            bad("角色", problem)
    if username:
        plan.accounts[username] = {
            "person": person,
            "roles": roles,
            "region": region,
            "unit": unit_code if not region_code else "",
            "is_active": _flag(row.get("active"), bad, "启用"),
            "delivery": delivery,
            "bilingual": _flag(row.get("bilingual"), bad, "双语受理")
            if (row.get("bilingual") or "").strip()
            else False,
        }


def _route(plan: Plan, known: Known, row: dict, bad) -> None:
    code = (row.get("category") or "").strip()
    category = known.categories.get(code)
    if not code:
        bad("诉求分类编码", "不能为空")
    elif category is None:
        bad("诉求分类编码", f"诉求分类“{code}”不存在")
    region_code = (row.get("region") or "").strip()
    region = _region(known, region_code, bad, "适用区划代码", required=False)
    if not region_code and not known.prefecture_wide:
        bad("适用区划代码", "全州通用的派单规则只能由州级管理员填写：请填写本县（市）的区划代码")
    kind = (row.get("unit_type") or "").strip()
    unit_type = known.types.get(kind) if kind else None
    if kind and unit_type is None:
        bad("承办单位类型", f"单位类型“{kind}”不存在")
    unit = (row.get("unit") or "").strip()
    if unit and unit not in plan.units and unit not in known.units:
        bad("指定承办单位编码", f"单位“{unit}”不在单位表中，系统中也没有")
    if kind and unit:
        bad("指定承办单位编码", "承办单位类型和指定承办单位只填一项")
    keywords = " ".join(w for w in re.split(r"[\s,，、]+", row.get("keywords") or "") if w)
    if len(keywords) > 200:
        bad("关键词", "不能超过 200 个字")
    key = (code, region_code, keywords)
    if key in plan.routes:
        bad("诉求分类编码", "同一分类、区划、关键词的规则重复出现")
        return
    plan.routes[key] = {
        "category": category,
        "region": region,
        "unit_type": unit_type,
        "unit": unit,
        "note": _text(row, "note", bad, "说明", 200),
    }


CATEGORY = {label: value for value, label in UnitCategory.choices}
MODE = {label: value for value, label in WhistleRule.Mode.choices}
REACH = {label: value for value, label in WhistleRule.Reach.choices}


def _whistle(plan: Plan, known: Known, row: dict, bad) -> None:
    if not known.prefecture_wide:
        bad("吹哨单位大类", "吹哨规则全州通用，只能由州级管理员修改：请删去此表或保持为空")
        return
    values = {}
    for key, column, table in (
        ("caller", "吹哨单位大类", CATEGORY),
        ("called", "报到单位大类", CATEGORY),
        ("mode", "方式", MODE),
        ("reach", "范围", REACH),
    ):
        text = (row.get(key) or "").strip()
        value = table.get(text) or (text if text in table.values() else None)
        if value is None:
            bad(column, f"“{text}”应为 {'、'.join(table)} 之一" if text else "不能为空")
        values[key] = value
    key = (values["caller"], values["called"], values["mode"])
    if key in plan.whistles:
        bad("吹哨单位大类", "同一吹哨单位、报到单位与方式的规则重复出现")
        return
    plan.whistles[key] = {
        "reach": values["reach"],
        "is_active": _flag(row.get("active"), bad, "启用"),
    }


def _names(plan: Plan, known: Known, row: dict, bad) -> None:
    region = _region(known, row.get("code"), bad, "区划代码")
    if region is None:
        return
    if region.code in plan.names:
        bad("区划代码", "同一区划重复出现")
        return
    plan.names[region.code] = {
        "name_ug": _text(row, "name_ug", bad, "维吾尔文名称", 200),
        "name_kk": _text(row, "name_kk", bad, "哈萨克文名称", 200),
    }


CHECKERS = [
    ("单位", _unit),
    ("党组织", _org),
    ("人员", _person),
    ("网格", _grid),
    ("任职", _post),
    ("账号", _account),
    ("派单规则", _route),
    ("吹哨规则", _whistle),
    ("区划名称", _names),
]
