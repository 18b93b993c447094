"""Evaluation of party organizations and their people. First part: satisfaction surveys.

满意度测评: a campaign names the people rated (a village's 两委 members) and issues one-time
voter codes. Votes are anonymous by construction: a cast ballot is not stored as a row at all.
It only adds one to a tally per (person, answer), and marks its code used. Nothing stored can
link a ballot to a code, to a voter, or to the moment or order it was cast.
"""

import hashlib

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from jiceng.orgs.models import Person
from jiceng.regions.models import Region

ANSWERS = ["满意", "基本满意", "不满意"]


class Campaign(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "准备中"
        OPEN = "open", "投票中"
        CLOSED = "closed", "已结束"

    name = models.CharField("测评名称", max_length=100)
    region = models.ForeignKey(
        Region, verbose_name="村（社区）", on_delete=models.PROTECT, related_name="campaigns"
    )
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFT)
    flag_below = models.DecimalField(
        "满意率预警线（%）",
        max_digits=5,
        decimal_places=2,
        default=60,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="满意率（满意+基本满意）低于此线的人员标红",
    )
    salt = models.CharField(max_length=32, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "满意度测评"
        verbose_name_plural = "满意度测评"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    def digest(self, code: str) -> str:
        return hashlib.sha256(f"{self.salt}:{code.strip().upper()}".encode()).hexdigest()


class Ratee(models.Model):
    """A person rated in a campaign, with the post they are rated in."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="ratees")
    person = models.ForeignKey(
        Person, verbose_name="被测评人", on_delete=models.PROTECT, related_name="ratings"
    )
    post = models.CharField("职务", max_length=30, blank=True)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "被测评人"
        verbose_name_plural = "被测评人"
        ordering = ["sort", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "person"], name="ratee_once")]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.post}）" if self.post else self.person.name


class VoterCode(models.Model):
    """A one-time code, kept only as a salted hash; `used` is all it records of a vote."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64)
    used = models.BooleanField(default=False)

    class Meta:
        verbose_name = "投票码"
        verbose_name_plural = "投票码"
        constraints = [models.UniqueConstraint(fields=["campaign", "digest"], name="code_once")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.digest[:8]}…"


class Tally(models.Model):
    """How many ballots gave `answer` to one ratee. The only trace a ballot leaves."""

    ratee = models.ForeignKey(Ratee, on_delete=models.CASCADE, related_name="tallies")
    answer = models.CharField(max_length=6, choices=[(a, a) for a in ANSWERS])
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "计票"
        verbose_name_plural = "计票"
        constraints = [models.UniqueConstraint(fields=["ratee", "answer"], name="tally_once")]

    def __str__(self) -> str:
        return f"{self.ratee} {self.answer} {self.count}"
