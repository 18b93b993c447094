from django.core.validators import RegexValidator
from django.db import models


class Level(models.TextChoices):
    PROVINCE = "province", "省级"
    PREFECTURE = "prefecture", "地级（州）"
    COUNTY = "county", "县级（县市）"
    TOWNSHIP = "township", "乡级（乡镇街道）"
    VILLAGE = "village", "村级（村社区）"


# Each level's parent level; the order of the official tree.
PARENT_LEVEL = {
    Level.PREFECTURE: Level.PROVINCE,
    Level.COUNTY: Level.PREFECTURE,
    Level.TOWNSHIP: Level.COUNTY,
    Level.VILLAGE: Level.TOWNSHIP,
}
LEVEL_DEPTH = {level: depth for depth, level in enumerate(Level)}


class Kind(models.TextChoices):
    STREET = "街道", "街道"
    TOWN = "镇", "镇"
    TOWNSHIP = "乡", "乡"
    TOWNSHIP_LIKE = "类似乡级单位", "类似乡级单位"
    COMMUNITY = "社区", "社区"
    VILLAGE = "村", "村"
    VILLAGE_LIKE = "类似村级单位", "类似村级单位"


code_validator = RegexValidator(r"^\d{12}$", "区划代码应为 12 位数字")


class Region(models.Model):
    """One node of the official division tree: province down to village or community.

    `path` lists the codes from the root to this node ("/650000000000/652300000000/…/"), so a
    subtree is one indexed prefix query. The importer and the admin keep it in step with
    `parent` through `Region.save()`.
    """

    code = models.CharField("区划代码", max_length=12, unique=True, validators=[code_validator])
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=12, choices=Level.choices)
    kind = models.CharField("类别", max_length=12, choices=Kind.choices, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级区划",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    full_name = models.CharField("全称", max_length=200, blank=True)
    path = models.CharField("路径", max_length=200, db_index=True, editable=False)
    # Official names in the region's other languages, entered by an administrator from the
    # official form (a gazetteer, the government's own site); blank shows the Chinese name.
    name_ug = models.CharField("维吾尔文名称", max_length=200, blank=True)
    name_kk = models.CharField("哈萨克文名称", max_length=200, blank=True)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        old_path = self.path
        self.path = self.compute_path()
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            rewrite_subtree_paths(old_path, self.path)

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.parent_id is None:
            if self.level != Level.PROVINCE:
                raise ValidationError({"parent": "除省级外，区划须有上级"})
            return
        if self.pk and self.path and self.parent.path.startswith(self.path):
            raise ValidationError({"parent": "上级不能是本区划或其下级"})
        expected = PARENT_LEVEL.get(self.level)
        if expected and self.parent.level != expected:
            raise ValidationError(
                {"parent": f"{self.get_level_display()}的上级应为{Level(expected).label}"}
            )

    def local_name(self, language: str | None = None) -> str:
        """The official name in `language` (the active one by default), if entered; the
        Chinese name otherwise."""
        from django.utils import translation

        code = language or translation.get_language() or ""
        local = {"ug": self.name_ug, "kk-arab": self.name_kk}.get(code, "")
        return local or self.name

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id else "/"
        return f"{prefix}{self.code}/"

    def subtree(self):
        """This region and every region below it."""
        return Region.objects.filter(path__startswith=self.path)

    def contains(self, other: "Region") -> bool:
        return other.path.startswith(self.path)

    def ancestor_codes(self) -> list[str]:
        return [code for code in self.path.strip("/").split("/") if code]

    def ancestor(self, level: str) -> "Region | None":
        """The region of `level` on the way up from here (itself included), if any."""
        return Region.objects.filter(code__in=self.ancestor_codes(), level=level).first()


def rewrite_subtree_paths(old_prefix: str, new_prefix: str) -> None:
    """After a region moves, give every descendant the new path prefix."""
    moved = list(Region.objects.filter(path__startswith=old_prefix).exclude(path=new_prefix))
    for region in moved:
        region.path = new_prefix + region.path[len(old_prefix) :]
    Region.objects.bulk_update(moved, ["path"], batch_size=500)


class Grid(models.Model):
    """A 网格: the patch of a community or village that one grid worker walks."""

    code = models.CharField("网格编号", max_length=20, unique=True)
    name = models.CharField("网格名称", max_length=100)
    region = models.ForeignKey(
        Region,
        verbose_name="所属村（社区）",
        on_delete=models.PROTECT,
        related_name="grids",
        limit_choices_to={"level": Level.VILLAGE},
    )
    description = models.CharField("范围说明", max_length=300, blank=True)
    households = models.PositiveIntegerField("户数", null=True, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "网格"
        verbose_name_plural = "网格"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.region.name}{self.name}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.region_id and self.region.level != Level.VILLAGE:
            raise ValidationError({"region": "网格只能设在社区或村之下"})


class PlaceAlias(models.Model):
    """Another name people use for a place: an old name, a market, a housing estate's name
    (嘉顺小区 → 嘉顺社区). The gazetteer reads these beside the official names and their short
    forms, so that a request naming it lands there."""

    region = models.ForeignKey(
        Region, verbose_name="区划", on_delete=models.CASCADE, related_name="aliases"
    )
    name = models.CharField(
        "别名", max_length=50, help_text="群众常用的叫法，至少 2 个字，如旧名、小区名、市场名"
    )
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "地名别名"
        verbose_name_plural = "地名别名"
        ordering = ["region__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="place_alias_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.region.name}"

    def clean(self):
        from django.core.exceptions import ValidationError

        self.name = (self.name or "").strip()
        if len(self.name) < 2:
            raise ValidationError({"name": "别名至少 2 个字，单字会误配普通词语"})
