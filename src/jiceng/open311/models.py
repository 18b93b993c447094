"""Keys for Open311 clients (third-party apps that file requests)."""

import hashlib
import secrets

from django.db import models

from jiceng.regions.models import Region


class Open311Key(models.Model):
    """An `api_key` for POST requests. Requests filed with it are placed in `region` (or a
    region below it that the request names) and signed with the key's name."""

    name = models.CharField("客户端名称", max_length=100, unique=True)
    region = models.ForeignKey(
        Region,
        verbose_name="受理区划",
        on_delete=models.PROTECT,
        help_text="通过该密钥提交的诉求只能落在此区划及其下级",
    )
    prefix = models.CharField("前缀", max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "Open311 密钥"
        verbose_name_plural = "Open311 密钥"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def digest_of(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, name: str, region: Region) -> tuple["Open311Key", str]:
        key = "o311_" + secrets.token_urlsafe(24)
        row = cls.objects.create(
            name=name, region=region, prefix=key[:10], digest=cls.digest_of(key)
        )
        return row, key

    @classmethod
    def find(cls, key: str) -> "Open311Key | None":
        if not key:
            return None
        return (
            cls.objects.filter(digest=cls.digest_of(key), is_active=True)
            .select_related("region")
            .first()
        )
