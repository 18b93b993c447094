"""Applying a checked onboarding plan: all of it in one transaction, or nothing.

A record whose fields already match the file is left alone, so applying the same file twice
changes nothing; a changed row updates its record. Records in the importer's scope that the
file (a sheet it holds) no longer lists are never removed silently: they are listed, and only
`deactivate_missing` deactivates them (units, organisations, grids, accounts and whistle rules
are switched off, posts are ended today, routing rules are removed; people stay, listed).
Every apply is an `OnboardingRun`: who, when, the file's checksum and the counts per sheet.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction

from jiceng.core import crypto
from jiceng.core.tabular import ImportRefused, Problem
from jiceng.dispatch.models import RoutingRule
from jiceng.orgs import access, passwords, services
from jiceng.orgs.models import (
    OnboardingRun,
    PartyOrg,
    Person,
    Post,
    Role,
    Unit,
    User,
    WhistleRule,
)
from jiceng.regions.models import Grid, Region
from jiceng.tickets.models import Notification

from .plan import Plan

BATCH = 500
SHEETS = ("单位", "党组织", "人员", "网格", "任职", "账号", "派单规则", "吹哨规则", "区划名称")


class Tally(Counter):
    """Counts of created, updated, unchanged and deactivated rows of one sheet."""

    same: set


@dataclass
class Result:
    counts: dict = field(default_factory=lambda: {name: Tally() for name in SHEETS})
    missing: dict = field(default_factory=dict)  # sheet → keys in scope the file lacks
    passwords: list = field(default_factory=list)  # (username, name, password) to print
    texted: list = field(default_factory=list)  # usernames whose password goes by SMS
    run: OnboardingRun | None = None

    def summary(self) -> str:
        parts = []
        for name in SHEETS:
            c = self.counts[name]
            if sum(c.values()):
                bits = [f"{label} {c[k]}" for k, label in LABELS if c[k]]
                parts.append(f"{name}：{'，'.join(bits)}")
        return "；".join(parts) or "没有任何变化"


LABELS = (("created", "新增"), ("updated", "更新"), ("unchanged", "未变"), ("deactivated", "停用"))


def apply(
    plan: Plan,
    actor=None,
    *,
    file_name: str,
    checksum: str,
    deactivate_missing: bool = False,
    progress=None,
    actor_label: str = "",
) -> Result:
    if not plan.ok:
        raise ImportRefused([Problem(None, str(p)) for p in plan.problems])
    say = progress or (lambda text: None)
    result = Result()
    scope = access.scope_of(actor) if actor is not None else None
    path = None if scope is None or scope.everything else scope.path
    try:
        with transaction.atomic():
            units = _units(plan, result)
            say(f"单位 {len(plan.units)} 行")
            orgs = _orgs(plan, result, units)
            say(f"党组织 {len(plan.orgs)} 行")
            people = _people(plan, result)
            say(f"人员 {len(plan.people)} 行")
            grids = _grids(plan, result)
            say(f"网格 {len(plan.grids)} 行")
            _posts(plan, result, people, units, orgs, grids, path)
            say(f"任职 {len(plan.posts)} 行")
            _accounts(plan, result, people, units, actor, path)
            say(f"账号 {len(plan.accounts)} 行")
            _routes(plan, result, units, path)
            _whistles(plan, result)
            _names(plan, result)
            say("派单规则、吹哨规则、区划名称")
            _missing(plan, result, path, deactivate_missing)
            result.run = OnboardingRun.objects.create(
                actor=actor,
                actor_label=actor_label[:100],
                file_name=file_name[:200],
                checksum=checksum,
                counts={k: dict(v) for k, v in result.counts.items() if sum(v.values())},
                missing=result.missing,
                deactivated=deactivate_missing,
            )
    except IntegrityError as exc:  # a race with an edit in the admin, or a rule we missed
        raise ImportRefused([Problem(None, f"数据冲突，未保存任何数据：{exc}")]) from exc
    return result


class _Rollback(Exception):
    pass


def preview(plan: Plan, actor=None, *, deactivate_missing: bool = False) -> Result:
    """What applying would do, counted exactly by applying it in a transaction that is then
    rolled back: nothing stays, no password is kept, no message is queued."""
    try:
        with transaction.atomic():
            result = apply(
                plan,
                actor,
                file_name="（预览）",
                checksum="",
                deactivate_missing=deactivate_missing,
            )
            raise _Rollback(result)
    except _Rollback as done:
        result = done.args[0]
    result.passwords, result.run = [], None
    return result


def _sync(model, existing: dict, wanted: dict, make, fields: list[str], counts: Counter) -> dict:
    """Create what is new, update what differs, leave the rest; returns key → object. The
    keys left unchanged are in `counts.same` (a later pass may still change them)."""
    new, changed = [], []
    counts.same = set()
    for key, values in wanted.items():
        obj = existing.get(key)
        if obj is None:
            new.append(make(key, values))
            continue
        differs = [f for f in fields if getattr(obj, f) != values[f]]
        if differs:
            for f in fields:
                setattr(obj, f, values[f])
            changed.append(obj)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
            counts.same.add(key)
    if new:
        model.objects.bulk_create(new, batch_size=BATCH)
        counts["created"] += len(new)
    if changed:
        model.objects.bulk_update(changed, fields, batch_size=BATCH)
    out = dict(existing)
    for obj in new:
        out[_key(obj)] = obj
    return out


def _key(obj):
    return getattr(obj, "code", None) or getattr(obj, "username", None)


def _units(plan: Plan, result: Result) -> dict:
    existing = {u.code: u for u in Unit.objects.all()}
    wanted = {
        code: {
            "name": f["name"],
            "type_id": f["type"].pk,
            "region_id": f["region"].pk,
            "phone": f["phone"],
            "address": f["address"],
            "name_ug": f["name_ug"],
            "name_kk": f["name_kk"],
            "is_active": f["is_active"],
        }
        for code, f in plan.units.items()
    }
    return _sync(
        Unit,
        existing,
        wanted,
        lambda code, v: Unit(code=code, **v),
        list(next(iter(wanted.values()), {}).keys()),
        result.counts["单位"],
    )


def _orgs(plan: Plan, result: Result, units: dict) -> dict:
    existing = {o.code: o for o in PartyOrg.objects.all()}
    wanted = {
        code: {
            "name": f["name"],
            "kind": f["kind"],
            "region_id": f["region"].pk if f["region"] else None,
            "unit_id": units[f["unit"]].pk if f["unit"] else None,
            "founded_on": f["founded_on"],
            "is_active": f["is_active"],
        }
        for code, f in plan.orgs.items()
    }
    counts = result.counts["党组织"]
    orgs = _sync(
        PartyOrg,
        existing,
        wanted,
        lambda code, v: PartyOrg(code=code, **v),
        ["name", "kind", "region_id", "unit_id", "founded_on", "is_active"],
        counts,
    )
    # parents, once every organisation of the file exists
    moved = []
    for code, f in plan.orgs.items():
        org = orgs[code]
        parent = orgs[f["parent"]].pk if f["parent"] else None
        if org.parent_id != parent:
            org.parent_id = parent
            moved.append(org)
            if code in counts.same:  # only its parent changed
                counts["unchanged"] -= 1
                counts["updated"] += 1
    if moved:
        PartyOrg.objects.bulk_update(moved, ["parent_id"], batch_size=BATCH)
    return orgs


def _people(plan: Plan, result: Result) -> dict:
    existing = {p.code: p for p in Person.objects.all()}
    fields = ["name", "gender", "ethnicity", "birth_year", "phone", "is_party_member", "region_id"]
    wanted = {
        code: {
            "name": f["name"],
            "gender": f["gender"],
            "ethnicity": f["ethnicity"],
            "birth_year": f["birth_year"],
            "phone": f["phone"],
            "is_party_member": f["is_party_member"],
            "region_id": f["region"].pk,
        }
        for code, f in plan.people.items()
    }
    people = _sync(
        Person,
        existing,
        wanted,
        lambda code, v: Person(code=code, **v),
        fields,
        result.counts["人员"],
    )
    # bulk_update writes no blind index: keep it in step for the phones that changed
    stale = [
        p
        for code, p in people.items()
        if code in wanted and p.pk and p.phone_index != crypto.blind(p.phone or "")
    ]
    for person in stale:
        person.phone_index = crypto.blind(person.phone or "")
    if stale:
        Person.objects.bulk_update(stale, ["phone_index"], batch_size=BATCH)
    return people


def _grids(plan: Plan, result: Result) -> dict:
    existing = {g.code: g for g in Grid.objects.all()}
    wanted = {
        code: {
            "name": f["name"],
            "region_id": f["region"].pk,
            "description": f["description"],
            "households": f["households"],
            "is_active": f["is_active"],
        }
        for code, f in plan.grids.items()
    }
    return _sync(
        Grid,
        existing,
        wanted,
        lambda code, v: Grid(code=code, **v),
        ["name", "region_id", "description", "households", "is_active"],
        result.counts["网格"],
    )


def post_key(post: Post) -> tuple:
    return (
        post.person.code,
        post.kind,
        post.unit.code if post.unit_id else "",
        post.party_org.code if post.party_org_id else "",
        post.grid.code if post.grid_id else "",
    )


def _posts(plan, result, people, units, orgs, grids, path) -> None:
    query = Post.objects.select_related("person", "unit", "party_org", "grid")
    existing = {post_key(p): p for p in query}
    counts = result.counts["任职"]
    fields = ["source", "started_on", "term_ends_on", "ended_on"]
    new, changed = [], []
    for key, f in plan.posts.items():
        post = existing.get(key)
        if post is None:
            person, kind, unit, org, grid = key
            new.append(
                Post(
                    person=people[person],
                    kind=kind,
                    unit=units[unit] if unit else None,
                    party_org=orgs[org] if org else None,
                    grid=grids[grid] if grid else None,
                    **{k: f[k] for k in fields},
                )
            )
        elif any(getattr(post, k) != f[k] for k in fields):
            for k in fields:
                setattr(post, k, f[k])
            changed.append(post)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    Post.objects.bulk_create(new, batch_size=BATCH)
    Post.objects.bulk_update(changed, fields, batch_size=BATCH)
    counts["created"] += len(new)


def _accounts(plan, result, people, units, actor, path) -> None:
    existing = {u.username: u for u in User.objects.select_related("scope_region", "scope_unit")}
    roles = {r.code: r for r in Role.objects.all()}
    counts = result.counts["账号"]
    through = User.roles.through
    site = getattr(settings, "SITE_URL", "").rstrip("/")
    for username, f in plan.accounts.items():
        person = people.get(f["person"]) if f["person"] else None
        region = f["region"]
        unit = units[f["unit"]] if f["unit"] else None
        user = existing.get(username)
        if user is None:
            user = User(
                username=username,
                person=person,
                scope_region=region,
                scope_unit=unit,
                is_active=f["is_active"],
                bilingual=f["bilingual"],
                must_change_password=True,
            )
            user.set_unusable_password()
            user.save()
            through.objects.bulk_create(
                [through(user_id=user.pk, role_id=roles[c].pk) for c in sorted(f["roles"])]
            )
            counts["created"] += 1
            before = {"roles": set(), "region": None, "unit": None}
            if f["delivery"] == "短信" and person is not None and person.phone:
                Notification.objects.create(
                    kind="account_password",
                    account=user,
                    recipient=person.phone,
                    subject="账号开通",
                    body=(
                        f"您的基层治理平台账号 {username} 已开通，临时密码 {passwords.PLACEHOLDER}，"
                        f"仅可使用一次，首次登录须修改。登录：{site}/login/"
                    ),
                )
                result.texted.append(username)
            else:
                result.passwords.append(
                    (username, person.name if person else "", passwords.issue(user))
                )
        else:
            before = {
                "roles": {roles[c].name for c in user.role_codes()},
                "region": user.scope_region,
                "unit": user.scope_unit,
            }
            same = (
                user.person_id == (person.pk if person else None)
                and user.scope_region_id == (region.pk if region else None)
                and user.scope_unit_id == (unit.pk if unit else None)
                and user.is_active == f["is_active"]
                and user.bilingual == f["bilingual"]
                and user.role_codes() == f["roles"]
            )
            if same:
                counts["unchanged"] += 1
                continue
            user.person, user.scope_region, user.scope_unit = person, region, unit
            user.is_active, user.bilingual = f["is_active"], f["bilingual"]
            user.save(
                update_fields=["person", "scope_region", "scope_unit", "is_active", "bilingual"]
            )
            user.roles.set([roles[c] for c in f["roles"]])
            counts["updated"] += 1
        if actor is not None:
            after = {"roles": {roles[c].name for c in f["roles"]}, "region": region, "unit": unit}
            services.record_account_change(actor, user, before, after)


def route_key(rule: RoutingRule) -> tuple:
    return (rule.category.code, rule.region.code if rule.region_id else "", rule.keywords or "")


def _routes(plan, result, units, path) -> None:
    existing = {route_key(r): r for r in RoutingRule.objects.select_related("category", "region")}
    counts = result.counts["派单规则"]
    fields = ["unit_type_id", "unit_id", "note"]
    new, changed = [], []
    for key, f in plan.routes.items():
        values = {
            "unit_type_id": f["unit_type"].pk if f["unit_type"] else None,
            "unit_id": units[f["unit"]].pk if f["unit"] else None,
            "note": f["note"],
        }
        rule = existing.get(key)
        if rule is None:
            new.append(
                RoutingRule(category=f["category"], region=f["region"], keywords=key[2], **values)
            )
        elif any(getattr(rule, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(rule, k, v)
            changed.append(rule)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    RoutingRule.objects.bulk_create(new, batch_size=BATCH)
    RoutingRule.objects.bulk_update(changed, fields, batch_size=BATCH)
    counts["created"] += len(new)


def _whistles(plan, result) -> None:
    existing = {(w.caller, w.called, w.mode): w for w in WhistleRule.objects.all()}
    counts = result.counts["吹哨规则"]
    for key, f in plan.whistles.items():
        rule = existing.get(key)
        if rule is None:
            WhistleRule.objects.create(caller=key[0], called=key[1], mode=key[2], **f)
            counts["created"] += 1
        elif (rule.reach, rule.is_active) != (f["reach"], f["is_active"]):
            rule.reach, rule.is_active = f["reach"], f["is_active"]
            rule.save(update_fields=["reach", "is_active"])
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1


def _names(plan, result) -> None:
    counts = result.counts["区划名称"]
    regions = {r.code: r for r in Region.objects.filter(code__in=list(plan.names))}
    changed = []
    for code, f in plan.names.items():
        region = regions[code]
        if (region.name_ug, region.name_kk) != (f["name_ug"], f["name_kk"]):
            region.name_ug, region.name_kk = f["name_ug"], f["name_kk"]
            changed.append(region)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    Region.objects.bulk_update(changed, ["name_ug", "name_kk"], batch_size=BATCH)


def _missing(plan: Plan, result: Result, path: str | None, deactivate: bool) -> None:
    """What the importer's scope holds that the sheets of the file no longer list."""

    def inside(model, query):
        if path is None:
            return query
        return query.filter(access.scope_q(access.Scope(path=path), model))

    checks = [
        ("单位", inside(Unit, Unit.objects.filter(is_active=True)), plan.units),
        ("网格", inside(Grid, Grid.objects.filter(is_active=True)), plan.grids),
        ("党组织", inside(PartyOrg, PartyOrg.objects.filter(is_active=True)), plan.orgs),
        ("人员", inside(Person, Person.objects.all()), plan.people),
    ]
    for sheet, query, listed in checks:
        if sheet not in plan.present:
            continue
        gone = [obj for obj in query if obj.code not in listed]
        if not gone:
            continue
        result.missing[sheet] = sorted(o.code for o in gone)
        if deactivate and sheet != "人员":
            type(gone[0]).objects.filter(pk__in=[o.pk for o in gone]).update(is_active=False)
            result.counts[sheet]["deactivated"] += len(gone)
    if "账号" in plan.present:
        users = User.objects.filter(is_active=True, is_superuser=False)
        if path is not None:
            users = users.filter(access.scope_q(access.Scope(path=path), User))
        gone = [u for u in users if u.username not in plan.accounts]
        if gone:
            result.missing["账号"] = sorted(u.username for u in gone)
            if deactivate:
                User.objects.filter(pk__in=[u.pk for u in gone]).update(is_active=False)
                result.counts["账号"]["deactivated"] += len(gone)
    if "任职" in plan.present:
        posts = Post.objects.filter(ended_on__isnull=True).select_related(
            "person", "unit", "party_org", "grid"
        )
        if path is not None:
            posts = posts.filter(access.scope_q(access.Scope(path=path), Post))
        gone = [p for p in posts if post_key(p) not in plan.posts]
        if gone:
            result.missing["任职"] = sorted("/".join(filter(None, post_key(p))) for p in gone)
            if deactivate:
                Post.objects.filter(pk__in=[p.pk for p in gone]).update(ended_on=date.today())
                result.counts["任职"]["deactivated"] += len(gone)
    if "派单规则" in plan.present:
        rules = RoutingRule.objects.select_related("category", "region")
        if path is not None:
            rules = rules.filter(region__path__startswith=path)
        gone = [r for r in rules if route_key(r) not in plan.routes]
        if gone:
            result.missing["派单规则"] = sorted("/".join(filter(None, route_key(r))) for r in gone)
            if deactivate:
                RoutingRule.objects.filter(pk__in=[r.pk for r in gone]).delete()
                result.counts["派单规则"]["deactivated"] += len(gone)
    if "吹哨规则" in plan.present and path is None:
        gone = [
            w
            for w in WhistleRule.objects.filter(is_active=True)
            if (w.caller, w.called, w.mode) not in plan.whistles
        ]
        if gone:
            result.missing["吹哨规则"] = sorted(str(w) for w in gone)
            if deactivate:
                WhistleRule.objects.filter(pk__in=[w.pk for w in gone]).update(is_active=False)
                result.counts["吹哨规则"]["deactivated"] += len(gone)
