"""Tickets (工单) and their events, with the tables that drive them: categories, deadlines,
holidays and the engine's settings.

Nothing here changes a ticket's state: `services.py` does, one function per change.
"""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from jiceng.core import files
from jiceng.core.fields import BlindIndexField, EncryptedField
from jiceng.core.models import Event
from jiceng.orgs.models import Unit
from jiceng.regions import placing
from jiceng.regions.models import Grid, Region

from .states import ASSIGNING, PUBLIC_STATUS, STATUS_LABELS, PublicStatus, Status


class Category(models.Model):
    """A node of the category tree (一级/二级/三级分类). Its code is the Open311 service_code."""

    code = models.CharField("编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=50)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级分类",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    level = models.PositiveSmallIntegerField("层级", default=1)
    full_name = models.CharField("全称", max_length=200, editable=False)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "诉求分类"
        verbose_name_plural = "诉求分类"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_name_unique")
        ]

    def __str__(self) -> str:
        return self.full_name or self.name

    def save(self, *args, **kwargs):
        self.level = self.parent.level + 1 if self.parent_id else 1
        self.full_name = f"{self.parent.full_name}/{self.name}" if self.parent_id else self.name
        super().save(*args, **kwargs)

    def lineage(self) -> list["Category"]:
        """This category and its ancestors, nearest first."""
        chain, node = [], self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


class Urgency(models.TextChoices):
    URGENT = "urgent", "紧急"
    NORMAL = "normal", "一般"
    COMPLEX = "complex", "复杂"


class TimeUnit(models.TextChoices):
    WORK_HOURS = "work_hours", "工作小时"
    WORK_DAYS = "work_days", "工作日"
    CLOCK_HOURS = "clock_hours", "自然小时（不扣除节假日）"


class DeadlineRule(models.Model):
    """Accept-by and reply-by for one category (or all, when empty) and one urgency.

    The most specific rule wins: the ticket's category, then its ancestors, then the rule
    without a category.
    """

    category = models.ForeignKey(
        Category,
        verbose_name="分类",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text="留空表示适用于所有分类",
    )
    urgency = models.CharField("紧急程度", max_length=10, choices=Urgency.choices)
    accept_amount = models.DecimalField(
        "接单时限", max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    accept_unit = models.CharField("接单时限单位", max_length=12, choices=TimeUnit.choices)
    reply_amount = models.DecimalField(
        "答复时限", max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    reply_unit = models.CharField("答复时限单位", max_length=12, choices=TimeUnit.choices)

    class Meta:
        verbose_name = "办理时限"
        verbose_name_plural = "办理时限"
        ordering = ["category__code", "urgency"]
        constraints = [
            models.UniqueConstraint(fields=["category", "urgency"], name="deadline_rule_unique"),
            models.UniqueConstraint(
                fields=["urgency"],
                condition=models.Q(category__isnull=True),
                name="deadline_rule_default_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category or '全部分类'}·{self.get_urgency_display()}"


class Holiday(models.Model):
    """One day that differs from the weekly rhythm: a holiday, or a 调休 working weekend day.

    Entered by an administrator for years `chinesecalendar` does not know yet, or to correct it.
    """

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("上班", help_text="勾选表示调休上班；不勾选表示放假")
    name = models.CharField("名称", max_length=30, blank=True)

    class Meta:
        verbose_name = "节假日与调休"
        verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name or ''}{'上班' if self.is_workday else '放假'}"


class CalendarYear(models.Model):
    """A year whose holidays and 调休 days the holiday table lists in full."""

    year = models.PositiveSmallIntegerField(
        "年份", primary_key=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    note = models.CharField("说明", max_length=100, blank=True)

    class Meta:
        verbose_name = "已录入完整安排的年份"
        verbose_name_plural = "已录入完整安排的年份"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year} 年"


class EngineSettings(models.Model):
    """The engine's tunable numbers, one row (pk=1): working hours, escalation, 三率 weights."""

    day_start = models.TimeField("上班时间", default="09:00")
    day_end = models.TimeField("下班时间", default="18:00")
    escalate_after_days = models.PositiveSmallIntegerField(
        "超时升级（工作日）", default=3, help_text="答复时限过后再超过这么多个工作日，升级督办"
    )
    remind_before_hours = models.DecimalField(
        "到期前提醒（工作小时）",
        max_digits=4,
        decimal_places=1,
        default=Decimal("2"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="接单、答复时限前这么多个工作小时，提醒承办单位；0 为不提醒",
    )
    staff_messages_per_hour = models.PositiveSmallIntegerField(
        "每小时消息上限",
        default=6,
        help_text="一个单位一小时内经短信或群机器人收到的消息超过这个数，其余合并为一条汇总；0 为不限",
    )
    weight_response = models.DecimalField(
        "响应率权重", max_digits=4, decimal_places=3, default=Decimal("0.10")
    )
    weight_solved = models.DecimalField(
        "解决率权重", max_digits=4, decimal_places=3, default=Decimal("0.45")
    )
    weight_satisfied = models.DecimalField(
        "满意率权重", max_digits=4, decimal_places=3, default=Decimal("0.45")
    )
    credit_satisfied = models.DecimalField(
        "“满意”计入满意率", max_digits=4, decimal_places=3, default=Decimal("1")
    )
    credit_basic = models.DecimalField(
        "“基本满意”计入满意率", max_digits=4, decimal_places=3, default=Decimal("1")
    )
    credit_unsatisfied = models.DecimalField(
        "“不满意”计入满意率", max_digits=4, decimal_places=3, default=Decimal("0")
    )
    last_sweep_at = models.DateTimeField(
        "上次超时巡检", null=True, blank=True, help_text="jiceng sweep 每次运行结束时写入"
    )
    is_demo = models.BooleanField(
        "演示数据库",
        default=False,
        help_text="由 jiceng seed-demo 建立：每个页面都显示“演示数据”提示",
    )
    # Replaced whenever these settings, a holiday, a calendar year or a deadline rule change:
    # each process keeps its calendar and rules under it (`deadlines.inputs`).
    inputs_token = models.CharField(max_length=32, default="", editable=False)

    class Meta:
        verbose_name = "接诉即办设置"
        verbose_name_plural = "接诉即办设置"

    def __str__(self) -> str:
        return "接诉即办设置"

    def save(self, *args, **kwargs):
        # a new token on every save, so no process keeps a calendar of the old working hours
        self.inputs_token = uuid.uuid4().hex
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "inputs_token"}
        super().save(*args, **kwargs)

    def clean(self):
        if self.day_start and self.day_end and self.day_start >= self.day_end:
            raise ValidationError({"day_end": "下班时间必须晚于上班时间"})
        total = (
            (self.weight_response or 0) + (self.weight_solved or 0) + (self.weight_satisfied or 0)
        )
        if total != 1:
            raise ValidationError("三项权重之和必须等于 1")

    @classmethod
    def current(cls) -> "EngineSettings":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class RankingSettings(models.Model):
    """How the 三率 rankings treat small samples and volumes, one row (pk=1). An assessor's
    setting, not the measured units': only prefecture-wide assessors change it."""

    min_dispatched = models.PositiveSmallIntegerField(
        "响应率最少派单数",
        default=10,
        help_text="统计期内计入响应率的派单少于此数的单位，列为“样本不足”，不参加排名",
    )
    min_callbacks = models.PositiveSmallIntegerField(
        "解决率、满意率最少回访数",
        default=5,
        help_text="统计期内回访少于此数的单位，列为“样本不足”，不参加排名",
    )
    volume_groups = models.BooleanField(
        "按件量分大小组排名",
        default=False,
        help_text="开启后，每组单位再按派单量分为“件量较大”“件量较小”两组分别排名",
    )
    volume_split = models.PositiveIntegerField(
        "大件量组门槛（每月派单数）",
        default=30,
        help_text="季度、全年按月数折算：季度 ×3，全年 ×12",
    )
    # each group's window (rates.WINDOWS): {"社区和村": 0, …}; 0 (the default) widens a group
    # whose units are mostly 样本不足 to the smallest window that ranks most of them
    windows = models.JSONField("各组排名窗口", default=dict, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "三率排名设置"
        verbose_name_plural = "三率排名设置"

    def __str__(self) -> str:
        return "三率排名设置"

    @classmethod
    def current(cls) -> "RankingSettings":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class Channel(models.TextChoices):
    HOTLINE = "hotline", "热线"
    WEB = "web", "网上"
    GRID = "grid", "网格员巡查"
    MEETING = "meeting", "民情恳谈"
    OPEN311 = "open311", "Open311"
    IMPORT = "import", "导入"
    # 未诉先办: work staff open before anyone complains; handled like a ticket, never in 三率
    PROACTIVE = "proactive", "主动治理"


class Satisfaction(models.TextChoices):
    SATISFIED = "满意", "满意"
    BASIC = "基本满意", "基本满意"
    UNSATISFIED = "不满意", "不满意"


class Meeting(models.Model):
    """A 民情恳谈 meeting: where, when, who chaired it; the matters raised become tickets."""

    region = models.ForeignKey(Region, verbose_name="地点（区划）", on_delete=models.PROTECT)
    held_at = models.DateTimeField("召开时间")
    place = models.CharField("地点", max_length=200, blank=True)
    host = models.CharField("主持人", max_length=50, blank=True)
    attendees = models.PositiveIntegerField("参会人数", null=True, blank=True)
    summary = models.TextField("会议纪要", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "民情恳谈会"
        verbose_name_plural = "民情恳谈会"
        ordering = ["-held_at"]

    def __str__(self) -> str:
        return f"{self.region.name}民情恳谈会（{self.held_at:%Y-%m-%d}）"


STATUS_CHOICES = [(s.value, STATUS_LABELS[s]) for s in Status]


class TextLanguage(models.TextChoices):
    CHINESE = "zh", "中文"
    UYGHUR = "ug", "维吾尔文"
    KAZAKH = "kk", "哈萨克文"
    OTHER = "other", "其他文字"


# the residents' languages as staff read them (settings.LANGUAGES names each in its own script)
LANGUAGE_NAMES = {"zh-hans": "中文", "ug": "维吾尔语", "kk-arab": "哈萨克语"}
RESIDENT_LANGUAGE_LABELS = {"ug": "群众用维吾尔语", "kk-arab": "群众用哈萨克语"}

# the languages a bilingual operator summarises before anyone dispatches
NEEDS_SUMMARY = (TextLanguage.UYGHUR, TextLanguage.KAZAKH, TextLanguage.OTHER)


class Ticket(models.Model):
    """One resident request (诉求/工单)."""

    number = models.CharField("工单编号", max_length=40, unique=True)
    tracking_code = models.CharField("查询码", max_length=12, unique=True)
    channel = models.CharField("来源渠道", max_length=10, choices=Channel.choices)
    requester_name = models.CharField("诉求人", max_length=50, blank=True)
    requester_phone = EncryptedField("联系电话", max_length=20, blank=True)  # SM4 at rest
    requester_phone_index = BlindIndexField(source="requester_phone")
    title = models.CharField("标题", max_length=100)
    content = models.TextField("诉求内容")
    category = models.ForeignKey(
        Category,
        verbose_name="分类",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    urgency = models.CharField(
        "紧急程度", max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    region = models.ForeignKey(
        Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="tickets"
    )
    grid = models.ForeignKey(
        Grid, verbose_name="网格", on_delete=models.SET_NULL, null=True, blank=True
    )
    address = models.CharField("详细地址", max_length=200, blank=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    # how the region was found (regions/placing.py): chosen, read from the words, from the
    # coordinates, or a default; and whether that reading was certain
    placed_by = models.CharField(
        "定位方式", max_length=12, choices=placing.How.choices, default=placing.How.CHOSEN
    )
    place_certain = models.BooleanField(
        "定位确定",
        default=True,
        help_text="不确定时（地名有重名、经纬度在边界附近）应人工核实所在区划",
    )
    status = models.CharField(
        "状态", max_length=12, choices=STATUS_CHOICES, default=Status.RECEIVED
    )
    main_unit = models.ForeignKey(
        Unit,
        verbose_name="主办单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="main_tickets",
        db_index=False,  # indexed first in ticket_unit_status
    )
    received_at = models.DateTimeField("受理时间", db_index=True)
    accept_by = models.DateTimeField("接单时限", null=True, blank=True)
    reply_by = models.DateTimeField("答复时限", null=True, blank=True)
    accepted_at = models.DateTimeField("接单时间", null=True, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    reply = models.TextField("答复内容", blank=True)
    solved = models.BooleanField("是否解决", null=True, blank=True)
    satisfaction = models.CharField(
        "满意度", max_length=6, choices=Satisfaction.choices, blank=True
    )
    is_supervised = models.BooleanField("督办", default=False)
    overdue_at = models.DateTimeField("标记超时", null=True, blank=True)
    escalated_at = models.DateTimeField("超时升级", null=True, blank=True)
    extension_requested_until = models.DateTimeField("申请延期至", null=True, blank=True)
    clocks_started_at = models.DateTimeField(
        "时限起算", null=True, blank=True, help_text="接单与答复时限从此刻起算（派单或重办时）"
    )
    public_description = models.TextField(
        "公开描述",
        blank=True,
        help_text="经工作人员审核、去除个人信息后公开的描述；诉求原文不变",
    )
    published_at = models.DateTimeField(
        "公开时间", null=True, blank=True, help_text="审核公开后才出现在 Open311 公开列表中"
    )
    deadlines_provisional = models.BooleanField(
        "时限暂定",
        default=False,
        help_text="时限算到了尚未录入官方放假安排的年份，录入后自动重算",
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name="重复于",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name="民情恳谈会",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Provenance: the unit of the account that filed the ticket (its scope unit, or the unit
    # of a grid worker's post), kept as it was at filing. A rating counts for a unit only when
    # it comes from someone independent of it: on a ticket its own staff (or a co-handler's)
    # filed, only the hotline centre's 回访 counts (docs/metrics.md).
    filed_by_unit = models.ForeignKey(
        Unit,
        verbose_name="登记人所属单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # Set at intake, cleared by the background follow-up (the model's advice, a confident
    # auto-dispatch, the 每月一题 it belongs to): `tickets.followup`.
    follow_up_pending = models.BooleanField("待后台处理", default=False, editable=False)
    # The resident's language: the pages they used, and the one every message to them is in.
    language = models.CharField(
        "群众语言", max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    # The language the request is written in, read from its script at intake (`scripts`). A
    # request in Uyghur or Kazakh waits in the 双语受理 queue for a bilingual operator's
    # Chinese summary; the model reads the summary, never the original.
    text_language = models.CharField(
        "诉求文字", max_length=8, choices=TextLanguage.choices, default=TextLanguage.CHINESE
    )
    summary = models.TextField(
        "中文摘要", blank=True, help_text="双语受理员据原文写的中文摘要；原文不变"
    )
    reply_local = models.TextField(
        "答复译文", blank=True, help_text="双语受理员把答复译成群众的语言；答复原文不变"
    )

    class Meta:
        verbose_name = "工单"
        verbose_name_plural = "工单"
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(
                fields=["received_at"],
                name="ticket_follow_up_pending",
                condition=models.Q(follow_up_pending=True),
            ),
            models.Index(
                fields=["received_at"],
                name="ticket_awaiting_summary",
                condition=models.Q(summary="") & ~models.Q(text_language="zh"),
            ),
            # 三率 leave out 主动治理 items (rates.COUNTED): a sub-select of these few ids,
            # which without this index is a scan of every ticket in each count (0.3 s at 1M)
            models.Index(
                fields=["id"], name="ticket_proactive", condition=models.Q(channel="proactive")
            ),
            models.Index(fields=["status", "reply_by"], name="ticket_status_reply_by"),
            # the workbench queues: one status, newest first (2.2 s → 0.08 s at 1M tickets)
            models.Index(fields=["status", "-received_at", "-id"], name="ticket_status_received"),
            models.Index(fields=["main_unit", "status"], name="ticket_unit_status"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def filed_by_kind(self) -> str:
        """Who filed the ticket: "resident" (the public form), "client" (an Open311 client),
        "hotline" (the hotline centre, an account of no handling unit), "staff" (an account of
        a unit: `filed_by_unit`), or "system" (an import)."""
        if self.filed_by_unit_id:
            return "staff"
        if self.channel == Channel.WEB and self.created_by_id is None:
            return "resident"
        if self.channel == Channel.OPEN311:
            return "client"
        if self.channel == Channel.IMPORT or self.created_by_id is None:
            return "system"
        return "hotline"

    @property
    def public_status(self) -> PublicStatus:
        if self.status == Status.MERGED and self.duplicate_of_id:
            return self.duplicate_of.public_status
        return PUBLIC_STATUS[Status(self.status)]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[Status(self.status)]

    @property
    def resident_language_label(self) -> str:
        """群众用维吾尔语 / 群众用哈萨克语, or '' for Chinese."""
        return RESIDENT_LANGUAGE_LABELS.get(self.language, "")

    @property
    def language_mark(self) -> str:
        """What staff see beside a ticket whose resident reads or writes another language
        than Chinese: the language of its words, else the language of its pages."""
        if self.text_language != TextLanguage.CHINESE:
            return self.get_text_language_display()
        return RESIDENT_LANGUAGE_LABELS.get(self.language, "")


class TicketUnit(models.Model):
    """A unit on a ticket besides the main one: a co-handler (协办) or a whistled department."""

    class Role(models.TextChoices):
        CO = "co", "协办"
        WHISTLE = "whistle", "吹哨报到"
        ASKED = "asked", "提请吹哨"  # a township asked by a community or village to whistle

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    role = models.CharField("角色", max_length=10, choices=Role.choices)
    report_by = models.DateTimeField("报到时限", null=True, blank=True)
    reported_at = models.DateTimeField("报到时间", null=True, blank=True)
    report = models.TextField("报到情况", blank=True)

    class Meta:
        verbose_name = "协办与吹哨单位"
        verbose_name_plural = "协办与吹哨单位"
        constraints = [
            models.UniqueConstraint(fields=["ticket", "unit", "role"], name="ticket_unit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit}（{self.get_role_display()}）"


def photo_path(instance: "TicketPhoto", filename: str) -> str:
    """A random name: never the tracking code, never the uploader's file name."""
    return files.random_name("tickets", filename)


def thumbnail_path(instance: "TicketPhoto", filename: str) -> str:
    return files.random_name("thumbs", filename)


class TicketPhoto(models.Model):
    """A photo, re-encoded when it came in (no EXIF, no GPS), with its thumbnail. Served
    only through the views that check the scope (staff) or the session (the resident)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField("照片", upload_to=photo_path)
    thumbnail = models.FileField("缩略图", upload_to=thumbnail_path, blank=True)
    content_type = models.CharField("类型", max_length=30)
    size = models.PositiveIntegerField("大小（字节）")

    class Meta:
        verbose_name = "照片"
        verbose_name_plural = "照片"

    def __str__(self) -> str:
        return self.image.name


class TicketEvent(Event):
    """One change of a ticket: who, when, from, to, why. The audit trail and the only source
    of the 三率.

    `unit` is the unit the event is about (dispatched to, accepted by, returned by, the main
    unit at a callback). `due_at` is the deadline an assigning event sets (accept-by).

    Two columns are derived from the later events of the same ticket, written by the service
    that writes those events, in the same transaction (`services.base._event`), so the 三率
    read one row per ticket instead of probing for later events:
    - `superseded_at` (assigning and callback events): the earliest time of a later event of
      the same kind. An assignment without one is the ticket's last: its unit kept it. A
      callback is the last of [start, end) when it has none before `end`.
    - `accepted_at` (assigning events): when the assigned unit accepted the ticket.
    A callback's answer is also kept in `solved` and `satisfaction` (as in `data`), so the
    三率 of a period are read from the two partial indexes alone.
    """

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="events", db_index=False
    )  # indexed first in event_ticket_action
    actor_label = models.CharField("操作人（显示）", max_length=60, blank=True)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12)
    unit = models.ForeignKey(
        Unit,
        verbose_name="涉及单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    due_at = models.DateTimeField("时限", null=True, blank=True)
    reason = models.TextField("理由", blank=True)
    superseded_at = models.DateTimeField("被后续事件取代", null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField("接单时间", null=True, blank=True, editable=False)
    # a callback's answer, as in `data`, in columns the 三率 index can hold
    solved = models.BooleanField("是否解决", null=True, blank=True, editable=False)
    satisfaction = models.CharField("满意度", max_length=4, blank=True, editable=False)
    # a callback: whether it counts in the 三率 (not the rating of a ticket the unit's own
    # staff filed: `data["counted"]` is False there), and whether the resident gave it
    # (`data["by_resident"]`), so the share of the residents' own answers is read by index
    counted = models.BooleanField("计入三率", default=True, editable=False)
    by_resident = models.BooleanField("群众本人评价", default=False, editable=False)

    class Meta:
        verbose_name = "工单事件"
        verbose_name_plural = "工单事件"
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["action", "at"], name="event_action_at"),
            # Covers the 三率 probes ("a later assignment?", "accepted in time?") so that
            # PostgreSQL answers them from the index alone (docs/benchmarks.md).
            models.Index(
                fields=["ticket", "action", "id"],
                include=["unit", "at"],
                name="event_ticket_action",
            ),
            # The 三率: a period's last assignments and its callbacks, read from one index.
            models.Index(
                fields=["at"],
                include=["unit", "due_at", "accepted_at", "ticket"],
                condition=models.Q(action__in=sorted(ASSIGNING), superseded_at__isnull=True),
                name="event_final_assignment",
            ),
            models.Index(
                fields=["at"],
                include=[
                    "unit",
                    "superseded_at",
                    "ticket",
                    "solved",
                    "satisfaction",
                    "by_resident",
                ],
                condition=models.Q(action="callback", counted=True),
                name="event_callback_counted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class IntakeKey(models.Model):
    """An `Idempotency-Key` a client sent with a new ticket: a retry finds the same ticket."""

    client = models.CharField(max_length=80)
    key = models.CharField(max_length=200)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    # SHA-256 of what was asked: the same key with another request is refused, not answered
    # with the first ticket
    fingerprint = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="intake_key_unique")]

    def __str__(self) -> str:
        return f"{self.client}:{self.key}"


class Notification(models.Model):
    """The outbox: a message waiting to be sent by `jiceng send-notifications`."""

    class State(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    kind = models.CharField("类型", max_length=20)
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # an account's one-time password (onboarding): made when the message is sent, never stored
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    recipient = EncryptedField("接收人", max_length=200, blank=True)  # a phone: SM4 at rest
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    dedupe_key = models.CharField(max_length=120, unique=True, null=True, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True)  # after a failure
    last_error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    # how a unit's message went besides the inbox (Unit.notify_channel at sending; "" = backend)
    channel = models.CharField("发送渠道", max_length=10, blank=True)
    # a message sent inside an hourly digest rather than on its own (staff_channels)
    digest = models.ForeignKey(
        "self",
        verbose_name="并入汇总",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="digested",
    )

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "created_at"], name="notification_state")]

    def __str__(self) -> str:
        return self.subject


class InboxItem(models.Model):
    """A message to one member of staff: the bell on every staff page (消息), read or unread,
    linking to its ticket. A message to a unit reaches each active account of the unit."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox"
    )
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField("类型", max_length=30)
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    # where a message about something other than a ticket leads (a rectification item)
    link = models.CharField("链接", max_length=200, blank=True)
    # a reminder's key (as Notification.dedupe_key): said once even when no outbox row is made
    dedupe_key = models.CharField(max_length=120, blank=True, db_index=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="inbox_unread")]

    def __str__(self) -> str:
        return self.subject


class PhoneRead(models.Model):
    """A look at a resident's full phone number: who, when, which ticket, from where."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="phone_reads")
    at = models.DateTimeField("时间", auto_now_add=True)
    via = models.CharField("途径", max_length=40)

    class Meta:
        verbose_name = "号码查看记录"
        verbose_name_plural = "号码查看记录"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} {self.ticket_id} {self.at:%Y-%m-%d %H:%M}"


class ResidentToken(models.Model):
    """A secret that went only to the resident's phone: the rating link in the reply message,
    or a one-time code sent on request. It proves the person holds the phone, so only it opens
    the resident's own rating. Only a digest is stored; staff never see the secret."""

    class Kind(models.TextChoices):
        LINK = "link", "评价链接"
        CODE = "code", "短信验证码"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="resident_tokens")
    kind = models.CharField("类型", max_length=4, choices=Kind.choices)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("发出时间")
    expires_at = models.DateTimeField("失效时间")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("验证次数", default=0)

    class Meta:
        verbose_name = "群众评价凭证"
        verbose_name_plural = "群众评价凭证"
        indexes = [models.Index(fields=["ticket", "kind", "created_at"], name="resident_token")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.ticket_id}"


class RateMonth(models.Model):
    """The current token of a month's 三率 cells (`rollup.py`). Any event that changes what a
    month counts replaces the token in its own transaction; cells computed under an older
    token are never read."""

    month = models.DateField(unique=True)
    token = models.CharField(max_length=32)
    filled = models.CharField(max_length=32, blank=True)  # the token the cells were stored under

    class Meta:
        verbose_name = "三率月度汇总版本"
        verbose_name_plural = "三率月度汇总版本"

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class RateCell(models.Model):
    """One month's 三率 counts for one unit, place (the tickets' village) and channel, computed
    from the events (`rollup.py`). Callbacks are counted three ways: as the last of their
    month, of their quarter and of their year, so that a quarter and a year are sums of
    months exactly as if computed from the events."""

    month = models.DateField()
    token = models.CharField(max_length=32)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", db_index=False)
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", db_index=False)
    channel = models.CharField(max_length=10)
    dispatched = models.IntegerField(default=0)  # final assignments, pending ones left out
    on_time = models.IntegerField(default=0)
    pending = models.IntegerField(default=0)
    # callbacks: n, solved, 满意, 基本满意, 不满意, each as last of the month / quarter / year
    m_n = models.IntegerField(default=0)
    m_solved = models.IntegerField(default=0)
    m_s1 = models.IntegerField(default=0)
    m_s2 = models.IntegerField(default=0)
    m_s3 = models.IntegerField(default=0)
    q_n = models.IntegerField(default=0)
    q_solved = models.IntegerField(default=0)
    q_s1 = models.IntegerField(default=0)
    q_s2 = models.IntegerField(default=0)
    q_s3 = models.IntegerField(default=0)
    y_n = models.IntegerField(default=0)
    y_solved = models.IntegerField(default=0)
    y_s1 = models.IntegerField(default=0)
    y_s2 = models.IntegerField(default=0)
    y_s3 = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["month", "token"], name="ratecell_month_token")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.unit_id} {self.region_id} {self.channel}"


class Theme(models.Model):
    """每月一题: a problem residents keep raising, taken on as a theme with a lead unit,
    co-units, a plan and a deadline. Its tickets are those it was raised from and the new ones
    that match it (its place, its category if it has one, and one of its keywords), linked as
    they come in. Every change is a `ThemeEvent`."""

    class State(models.TextChoices):
        OPEN = "open", "推进中"
        DONE = "done", "已完成"

    title = models.CharField("题目", max_length=100)
    month = models.CharField("所属月份", max_length=7, help_text="如 2026-12")
    description = models.TextField("问题描述", blank=True)
    plan = models.TextField("治理方案")
    region = models.ForeignKey(
        Region, verbose_name="范围（区划）", on_delete=models.PROTECT, related_name="themes"
    )
    category = models.ForeignKey(
        Category, verbose_name="分类", on_delete=models.PROTECT, null=True, blank=True
    )
    keywords = models.CharField(
        "关键词", max_length=200, help_text="以空格分隔；新诉求含其中任一词且在范围内即自动关联"
    )
    lead_unit = models.ForeignKey(
        Unit, verbose_name="牵头单位", on_delete=models.PROTECT, related_name="led_themes"
    )
    co_units = models.ManyToManyField(
        Unit, verbose_name="协同单位", blank=True, related_name="co_themes"
    )
    deadline = models.DateField("完成时限")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    planned_at = models.DateTimeField("立题时间")
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="立题人", on_delete=models.PROTECT, related_name="+"
    )
    tickets = models.ManyToManyField(
        "Ticket", through="ThemeTicket", related_name="themes", verbose_name="工单"
    )

    class Meta:
        verbose_name = "每月一题"
        verbose_name_plural = "每月一题"
        ordering = ["-planned_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def words(self) -> list[str]:
        return [w for w in self.keywords.split() if w]


class ThemeTicket(models.Model):
    class How(models.TextChoices):
        RAISED = "raised", "立题时选入"
        MANUAL = "manual", "人工关联"
        AUTO = "auto", "自动关联"
        PROACTIVE = "proactive", "主动治理事项"

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="links")
    ticket = models.ForeignKey("Ticket", on_delete=models.CASCADE, related_name="theme_links")
    how = models.CharField("关联方式", max_length=10, choices=How.choices)
    linked_at = models.DateTimeField("关联时间")

    class Meta:
        verbose_name = "每月一题关联工单"
        verbose_name_plural = "每月一题关联工单"
        constraints = [
            models.UniqueConstraint(fields=["theme", "ticket"], name="theme_ticket_unique")
        ]

    def __str__(self) -> str:
        return f"{self.theme} · {self.ticket}"


class ThemeEvent(Event):
    """One change of a theme: raised, a progress note, tickets linked, done."""

    class Action(models.TextChoices):
        RAISE = "raise", "立题"
        NOTE = "note", "推进情况"
        LINK = "link", "关联工单"
        PROACTIVE = "proactive", "主动治理事项"
        FINISH = "finish", "确认完成"

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    actor_label = models.CharField("操作人", max_length=60)
    text = models.TextField("内容", blank=True)

    class Meta:
        verbose_name = "每月一题记录"
        verbose_name_plural = "每月一题记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.theme} {self.action}"


def text_for_model(ticket: Ticket) -> str:
    """What the classifier and the router read: the Chinese summary of a request written in
    another language, the request itself otherwise."""
    if ticket.summary:
        return ticket.summary
    return f"{ticket.title}\n{ticket.content}"


class ExportJob(models.Model):
    """A large export of the work list's search, made by the background worker: the page shows
    its progress and offers the file when it is ready. The file is the requester's alone and is
    kept for `KEEP` (the sweep deletes it after)."""

    KEEP = timedelta(days=1)

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports"
    )
    query = models.TextField("检索条件", blank=True)  # the work list's GET parameters
    title = models.CharField("标题", max_length=200)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField("工单数", default=0)
    done = models.PositiveIntegerField("已处理", default=0)
    file = models.FileField("文件", upload_to="exports/", blank=True)
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台导出"
        verbose_name_plural = "后台导出"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.total)) if self.total else 0

    @property
    def expires_at(self):
        return (self.finished_at or self.created_at) + self.KEEP
