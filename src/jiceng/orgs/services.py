"""Every change to units, people and accounts that does not go through the admin's forms.

Each change is one transaction, checks the actor's scope through `access`, validates the
model, and writes an entry in the admin history (LogEntry), the audit trail of master data.
"""

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction

from jiceng.core.errors import Forbidden

from . import access
from .models import Unit, User

UNIT_EDITABLE = {"name", "phone", "address", "is_active"}


def _log(actor: User, obj, action: int, message: str) -> None:
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[obj],
        action_flag=action,
        change_message=message,
        single_object=True,
    )


def _require_manager(actor: User) -> None:
    if not access.can_manage_master_data(actor):
        raise Forbidden("not_permitted", "只有管理员可以修改基础数据")


def update_unit(actor: User, unit_id: int, **changes) -> Unit:
    """Change a unit's name, phone, address or active flag."""
    _require_manager(actor)
    unknown = set(changes) - UNIT_EDITABLE
    if unknown:
        raise Forbidden("field_not_editable", f"不能修改字段：{'、'.join(sorted(unknown))}")
    nulls = sorted(field for field, value in changes.items() if value is None)
    if nulls:
        raise ValidationError({f: "不能为 null；要清空请传空字符串" for f in nulls})
    with transaction.atomic():
        unit = access.get_for_user(actor, Unit.objects.select_for_update(), pk=unit_id)
        changed = [field for field, value in changes.items() if getattr(unit, field) != value]
        for field in changed:
            setattr(unit, field, changes[field])
        unit.full_clean()
        if changed:
            unit.save(update_fields=changed)
            _log(actor, unit, CHANGE, f"修改了 {'、'.join(changed)}")
    return unit


def create_unit(actor: User, **fields) -> Unit:
    _require_manager(actor)
    with transaction.atomic():
        unit = Unit(**fields)
        unit.full_clean()
        if not access.region_in_scope(actor, unit.region):
            raise Forbidden("out_of_scope", "所属区划不在您的管辖范围内", status=404)
        unit.save()
        _log(actor, unit, ADDITION, "新增单位")
    return unit


ACCOUNT_CHANGE = "角色与管辖范围变更"


def _scope_label(region, unit) -> str:
    if unit is not None:
        return f"单位：{unit.name}"
    if region is not None:
        return f"区划：{region.name}"
    return "（无）"


def record_account_change(actor: User, account: User, before: dict, after: dict) -> bool:
    """The audit entry of a change of an account's roles or scope (each a dict of `roles`, a
    set of role names, `region` and `unit`), in the admin history. False when nothing changed."""
    parts = []
    if before["roles"] != after["roles"]:
        old = "、".join(sorted(before["roles"])) or "（无）"
        new = "、".join(sorted(after["roles"])) or "（无）"
        parts.append(f"角色：{old} → {new}")
    old_scope = _scope_label(before["region"], before["unit"])
    new_scope = _scope_label(after["region"], after["unit"])
    if old_scope != new_scope:
        parts.append(f"管辖范围：{old_scope} → {new_scope}")
    if not parts:
        return False
    _log(actor, account, CHANGE, f"{ACCOUNT_CHANGE}：" + "；".join(parts))
    return True


def account_changes(account: User):
    """The audited changes of an account's roles and scope, newest first."""
    return (
        LogEntry.objects.filter(
            object_id=str(account.pk),
            content_type__app_label="orgs",
            content_type__model="user",
            change_message__startswith=ACCOUNT_CHANGE,
        )
        .select_related("user")
        .order_by("-action_time")
    )
