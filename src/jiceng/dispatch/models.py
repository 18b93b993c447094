"""Intelligent dispatch: trained model versions, each ticket's suggestion, the routing table,
the auto-dispatch setting, and the examples dispatchers teach the model."""

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from jiceng.orgs.models import Unit, UnitType
from jiceng.regions.models import Region
from jiceng.tickets.models import Category, Ticket


class ModelVersion(models.Model):
    """One trained classifier: its file, what it learned from, and its cross-validated scores.
    The newest active version serves suggestions."""

    version = models.PositiveIntegerField("版本", unique=True)
    file = models.CharField("模型文件", max_length=200)
    sha256 = models.CharField("文件校验值", max_length=64)
    trained_at = models.DateTimeField("训练时间", auto_now_add=True)
    examples = models.PositiveIntegerField("训练样本数", default=0)
    corrections = models.PositiveIntegerField("其中派单员确认或纠正", default=0)
    labels = models.JSONField("分类", default=list)
    scores = models.JSONField("交叉验证结果", default=dict, blank=True)
    fit_seconds = models.FloatField("训练耗时（秒）", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "派单模型版本"
        verbose_name_plural = "派单模型版本"
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version}"


class Suggestion(models.Model):
    """What the model said when the ticket came in, and where routing sent it."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="suggestion")
    model_version = models.ForeignKey(
        ModelVersion, verbose_name="模型版本", on_delete=models.SET_NULL, null=True, blank=True
    )
    top = models.JSONField("候选分类", default=list)  # [{"code", "name", "p"}], best first
    category = models.ForeignKey(
        Category, verbose_name="建议分类", on_delete=models.SET_NULL, null=True, blank=True
    )
    probability = models.FloatField("置信度", null=True, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name="建议承办单位", on_delete=models.SET_NULL, null=True, blank=True
    )
    route = models.CharField("派单依据", max_length=200, blank=True)
    auto_dispatched = models.BooleanField("已自动派单", default=False)
    problem = models.CharField("未能给出建议的原因", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "派单建议"
        verbose_name_plural = "派单建议"

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.category or self.problem}"


class RoutingRule(models.Model):
    """Category → the kind of unit that handles it, optionally for one place and for requests
    that use certain words. The most specific rule wins: the deepest category first, then a
    rule whose keywords the request uses, then the deepest place. A rule with neither a unit
    type nor a unit sends the matter to the local community or village."""

    category = models.ForeignKey(
        Category,
        verbose_name="诉求分类",
        on_delete=models.CASCADE,
        related_name="routing_rules",
        help_text="本分类及其下级分类",
    )
    region = models.ForeignKey(
        Region,
        verbose_name="适用区划",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text="留空为全州通用；填写后只适用于该区划及其下级",
    )
    unit_type = models.ForeignKey(
        UnitType,
        verbose_name="承办单位类型",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text="派给诉求所在地最近的这类单位，例如所在县市的住建局",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name="指定承办单位",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text="直接指定单位时，不再按类型查找",
    )
    keywords = models.CharField(
        "关键词",
        max_length=200,
        blank=True,
        help_text="用空格或逗号分隔；填写后，只有诉求内容含其中任一词时才用这条规则（如 暖气 供暖 → 供热公司）",
    )
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "派单规则"
        verbose_name_plural = "派单规则（分类 → 承办单位）"
        ordering = ["category__code", "region__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "region", "keywords"], name="one_rule_per_category_place"
            ),
            models.UniqueConstraint(
                fields=["category", "keywords"],
                condition=models.Q(region__isnull=True),
                name="one_general_rule_per_category",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} → {self.target_label()}"

    def words(self) -> list[str]:
        return [w for w in re.split(r"[\s,，、]+", self.keywords or "") if w]

    def target_label(self) -> str:
        if self.unit_id:
            return self.unit.name
        if self.unit_type_id:
            return f"所在地{self.unit_type.name}"
        return "所在村（社区）"

    def clean(self):
        if self.unit_id and self.unit_type_id:
            raise ValidationError({"unit": "指定承办单位和承办单位类型只填一项"})
        if (
            self.unit_id
            and self.region_id
            and not self.unit.region.path.startswith(self.region.path)
            and not self.region.path.startswith(self.unit.region.path)
        ):
            raise ValidationError({"unit": "指定的承办单位与适用区划不相干"})


class DispatchSettings(models.Model):
    """One row (pk=1): whether a confident suggestion is dispatched without a person."""

    auto_dispatch = models.BooleanField("自动派单", default=True)
    threshold = models.DecimalField(
        "自动派单置信度",
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.90"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("1"))],
        help_text="模型对首选分类的把握不低于此值、且派单规则能找到承办单位时，自动派单",
    )
    similar_days = models.PositiveSmallIntegerField(
        "疑似重复：回看天数", default=30, help_text="在这么多天内同一乡镇（街道）的未办结工单中查找"
    )
    similar_threshold = models.DecimalField(
        "疑似重复：相似度", max_digits=3, decimal_places=2, default=Decimal("0.30")
    )

    class Meta:
        verbose_name = "智能派单设置"
        verbose_name_plural = "智能派单设置"

    def __str__(self) -> str:
        return "智能派单设置"

    @classmethod
    def current(cls) -> "DispatchSettings":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class Example(models.Model):
    """A ticket whose category a dispatcher confirmed or corrected: a labelled example the next
    training learns from. One per ticket; the latest dispatcher decision wins."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="example")
    text = models.TextField("文本")
    label = models.CharField("分类（一级）", max_length=50)
    suggested = models.CharField("模型当时的首选", max_length=50, blank=True)
    corrected = models.BooleanField("纠正了模型", default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField("时间", auto_now=True)

    class Meta:
        verbose_name = "派单员标注"
        verbose_name_plural = "派单员标注"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.label}: {self.text[:20]}"
