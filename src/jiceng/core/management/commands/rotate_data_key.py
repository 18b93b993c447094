from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from jiceng.core import crypto
from jiceng.core.fields import EncryptedField, reencrypt


def encrypted_columns():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedField):
                yield model, field


def rows_under(kid: str) -> int:
    """How many stored values a key sealed (read straight from the columns)."""
    total = 0
    with connection.cursor() as cursor:
        for model, field in encrypted_columns():
            table = connection.ops.quote_name(model._meta.db_table)
            column = connection.ops.quote_name(field.column)
            cursor.execute(
                f"SELECT COUNT(*) FROM {table} WHERE {column} LIKE %s",
                [f"{crypto.PREFIX}{kid}:%"],
            )
            total += cursor.fetchone()[0]
    return total


class Command(BaseCommand):
    help = (
        "用当前数据密钥重新加密全部个人信息（手机号等），并按当前索引密钥重算盲索引。"
        "--new 先在密钥文件中生成新密钥（未设置 DATA_KEYS 时）；--prune 删除不再使用的旧密钥"
    )

    def add_arguments(self, parser):
        parser.add_argument("--new", action="store_true", help="生成新密钥并置为当前密钥")
        parser.add_argument("--prune", action="store_true", help="删除已无数据使用的旧密钥")

    def handle(self, *args, new, prune, **options):
        if new:
            try:
                kid = crypto.add_file_key()
            except ImproperlyConfigured as exc:
                raise CommandError(f"不能生成新密钥：{exc}") from None
            self.stdout.write(f"新密钥 {kid} 已置为当前密钥（旧密钥保留，用于解密旧数据）")
        crypto.reload()
        current = crypto.key_id(crypto.keyring()[0])
        seen = {m for m, _ in encrypted_columns()}
        for model in sorted(seen, key=lambda m: m._meta.label):
            with transaction.atomic():
                count = reencrypt(model)
            self.stdout.write(f"{model._meta.label}: {count} 行已用密钥 {current} 重新加密")
        old = [crypto.key_id(k) for k in crypto.keyring()[1:]]
        unused = {kid for kid in old if rows_under(kid) == 0}
        for kid in old:
            left = rows_under(kid)
            self.stdout.write(f"旧密钥 {kid}: 仍有 {left} 条数据" + ("" if left else "，可以删除"))
        if prune and unused:
            dropped = crypto.drop_file_keys(unused)
            if dropped:
                self.stdout.write(f"已从密钥文件删除：{', '.join(dropped)}")
            else:
                self.stdout.write("密钥来自 DATA_KEYS：请从中删去上述可删除的密钥后重启")
        self.stdout.write(self.style.SUCCESS(f"完成：当前数据密钥 {current}"))
