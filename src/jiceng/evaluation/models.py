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
from django.utils import timezone

from jiceng.core import files
from jiceng.core.models import Event
from jiceng.orgs.models import Person
from jiceng.regions.models import Region

ANSWERS = ["满意", "基本满意", "不满意"]


class VoterGroup(models.TextChoices):
    """Who holds a code: counted apart, combined by the campaign's weights."""

    MEMBER = "member", "党员"
    REPRESENTATIVE = "representative", "村（居）民代表"
    PUBLIC = "public", "群众"


class Recorded:
    """A record whose steps are kept as `EvaluationEvent` rows under its `FLOW`."""

    FLOW = ""

    @property
    def events(self):
        return EvaluationEvent.objects.filter(flow=self.FLOW, object_id=self.pk)


class Campaign(Recorded, models.Model):
    FLOW = "campaign"

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
    weight_member = models.DecimalField(
        "党员权重",
        max_digits=4,
        decimal_places=2,
        default=0.3,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    weight_representative = models.DecimalField(
        "村（居）民代表权重",
        max_digits=4,
        decimal_places=2,
        default=0.3,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    weight_public = models.DecimalField(
        "群众权重",
        max_digits=4,
        decimal_places=2,
        default=0.4,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
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

    def weights(self) -> dict[str, float]:
        return {
            VoterGroup.MEMBER: float(self.weight_member),
            VoterGroup.REPRESENTATIVE: float(self.weight_representative),
            VoterGroup.PUBLIC: float(self.weight_public),
        }


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
    group = models.CharField(
        "投票人类别", max_length=16, choices=VoterGroup.choices, default=VoterGroup.PUBLIC
    )
    # issued after voting opened: its ballot is counted apart from the others and shown apart
    late = models.BooleanField("开始投票后补发", default=False)

    class Meta:
        verbose_name = "投票码"
        verbose_name_plural = "投票码"
        constraints = [models.UniqueConstraint(fields=["campaign", "digest"], name="code_once")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.digest[:8]}…"


class Tally(models.Model):
    """How many ballots of one voter group gave `answer` to one ratee. The only trace a
    ballot leaves."""

    ratee = models.ForeignKey(Ratee, on_delete=models.CASCADE, related_name="tallies")
    answer = models.CharField(max_length=6, choices=[(a, a) for a in ANSWERS])
    group = models.CharField(
        "投票人类别", max_length=16, choices=VoterGroup.choices, default=VoterGroup.PUBLIC
    )
    count = models.PositiveIntegerField(default=0)
    # the ballots of codes issued after voting opened, counted apart (`VoterCode.late`)
    late = models.BooleanField(default=False)

    class Meta:
        verbose_name = "计票"
        verbose_name_plural = "计票"
        constraints = [
            models.UniqueConstraint(
                fields=["ratee", "answer", "group", "late"], name="tally_once_per_group_and_time"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ratee} {self.answer} {self.count}"


# --- star schemes and assessment periods -----------------------------------------------------


class Indicator(models.Model):
    """What is measured, where the value comes from, and how it becomes 0–100."""

    class Kind(models.TextChoices):
        TICKETS = "tickets", "计算：接诉即办三率"
        SURVEY = "survey", "测评：满意度测评"
        CHECKLIST = "checklist", "五个好：好的维度数"
        MEETINGS = "meetings", "计算：组织生活次数"
        ENTERED = "entered", "录入：附佐证的数值"
        VETO = "veto", "一票否决"

    class Source(models.TextChoices):
        SCORE = "score", "综合得分"
        RESPONSE = "response", "响应率"
        SOLVED = "solved", "解决率"
        SATISFIED = "satisfied", "满意率"

    code = models.SlugField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    source = models.CharField(
        "取值",
        max_length=10,
        choices=Source.choices,
        blank=True,
        help_text="计算类指标取三率中的哪一项",
    )
    meeting_kinds = models.CharField(
        "会议类型",
        max_length=100,
        blank=True,
        help_text="组织生活类指标统计哪些会议，类型代码以逗号分隔，如 members,lecture",
    )
    low = models.DecimalField("归一化下限", max_digits=12, decimal_places=2, default=0)
    high = models.DecimalField("归一化上限", max_digits=12, decimal_places=2, default=100)
    higher_is_better = models.BooleanField("越高越好", default=True)
    unit_label = models.CharField("计量单位", max_length=20, blank=True)

    class Meta:
        verbose_name = "考评指标"
        verbose_name_plural = "考评指标"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Scheme(models.Model):
    """A star scheme for one kind of organization and cycle, in one region: data, not code."""

    class Cycle(models.TextChoices):
        MONTH = "month", "月度"
        QUARTER = "quarter", "季度"
        HALF = "half", "半年"
        YEAR = "year", "年度"

    name = models.CharField("方案名称", max_length=100)
    org_kind = models.CharField("考评对象", max_length=30, default="村（社区）党组织")
    region = models.ForeignKey(
        Region,
        verbose_name="适用区划",
        on_delete=models.PROTECT,
        related_name="schemes",
        help_text="其下的村（社区）参加考评",
    )
    cycle = models.CharField("周期", max_length=10, choices=Cycle.choices, default=Cycle.QUARTER)
    star5 = models.DecimalField("五星线", max_digits=5, decimal_places=2, default=90)
    star4 = models.DecimalField("四星线", max_digits=5, decimal_places=2, default=80)
    star3 = models.DecimalField("三星线", max_digits=5, decimal_places=2, default=70)
    star2 = models.DecimalField("二星线", max_digits=5, decimal_places=2, default=60)
    excellent_share = models.DecimalField(
        "361 优秀比例", max_digits=4, decimal_places=3, default=0.30
    )
    poor_share = models.DecimalField("361 差比例", max_digits=4, decimal_places=3, default=0.10)
    min_group = models.PositiveSmallIntegerField("强制评差的最小组规模", default=10)
    floor = models.DecimalField("小组评差分数线", max_digits=5, decimal_places=2, default=60)
    separate_duties = models.BooleanField(
        "职责分离",
        default=True,
        help_text="计算考评期的人不能审核或发布；审核人可以发布",
    )
    missing_policy = models.CharField(
        "缺数据的指标",
        max_length=10,
        choices=[("rescale", "不计分，其余指标按权重折算"), ("zero", "按 0 分计")],
        default="rescale",
        help_text="某村（社区）本期某项指标没有数据时如何计分；全部指标都没有数据的不参加排名",
    )

    class Meta:
        verbose_name = "考评方案"
        verbose_name_plural = "考评方案"

    def __str__(self) -> str:
        return self.name


class SchemeIndicator(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(Indicator, verbose_name="指标", on_delete=models.PROTECT)
    weight = models.DecimalField("权重", max_digits=5, decimal_places=3, default=0)

    class Meta:
        verbose_name = "方案指标"
        verbose_name_plural = "方案指标"
        constraints = [
            models.UniqueConstraint(fields=["scheme", "indicator"], name="scheme_indicator_once")
        ]

    def __str__(self) -> str:
        return f"{self.indicator}（{self.weight}）"


class AssessmentPeriod(Recorded, models.Model):
    """One round of a scheme: open → inputs collected → computed → reviewed → published.

    Published results are a frozen snapshot; a correction is a new period that revises it."""

    FLOW = "period"

    class State(models.TextChoices):
        OPEN = "open", "录入中"
        COLLECTED = "collected", "已收齐"
        COMPUTED = "computed", "已计算"
        REVIEWED = "reviewed", "已审核"
        PUBLISHED = "published", "已发布"

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="periods")
    label = models.CharField("名称", max_length=60)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期", help_text="含当日")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    revision_of = models.ForeignKey(
        "self",
        verbose_name="更正自",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions",
    )
    results = models.JSONField("结果", default=dict, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "考评期"
        verbose_name_plural = "考评期"
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return f"{self.scheme.name} · {self.label}"


class EnteredValue(models.Model):
    """A figure typed in for one village in one period, with its evidence."""

    period = models.ForeignKey(AssessmentPeriod, on_delete=models.CASCADE, related_name="values")
    region = models.ForeignKey(Region, verbose_name="村（社区）", on_delete=models.PROTECT)
    indicator = models.ForeignKey(Indicator, verbose_name="指标", on_delete=models.PROTECT)
    value = models.DecimalField("数值", max_digits=14, decimal_places=2)
    evidence = models.TextField("佐证", blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "录入数值"
        verbose_name_plural = "录入数值"
        constraints = [
            models.UniqueConstraint(
                fields=["period", "region", "indicator"], name="entered_value_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.indicator} {self.value}"


class EvaluationEvent(Event):
    """One step taken in an evaluation workflow (`flows.py`), written by `transitions.apply` in
    the same transaction as the change: who, when, from which state to which, and why. One
    table for every workflow: `flow` names it and `object_id` is the period, selection or
    campaign."""

    flow = models.CharField("流程", max_length=20)
    object_id = models.PositiveBigIntegerField("对象编号")
    # an account that took an evaluation step is never removed: it has no display name to
    # fall back on (unlike a ticket's `actor_label`)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField("时间", default=timezone.now)
    from_state = models.CharField("原状态", max_length=12, blank=True)
    to_state = models.CharField("新状态", max_length=12, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "考评办理记录"
        verbose_name_plural = "考评办理记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["flow", "object_id", "at"], name="evaluation_event_object")]

    def __str__(self) -> str:
        return f"{self.flow}:{self.object_id} {self.action}"

    @property
    def label(self) -> str:
        from . import flows

        step = flows.FLOWS[self.flow].steps.get(self.action) if self.flow in flows.FLOWS else None
        return step.label if step else self.action

    @property
    def from_label(self) -> str:
        from . import flows

        return flows.FLOWS[self.flow].states.get(self.from_state, self.from_state or "—")

    @property
    def to_label(self) -> str:
        from . import flows

        return flows.FLOWS[self.flow].states.get(self.to_state, self.to_state)


# --- 五个好 checklists ------------------------------------------------------------------------


class Dimension(models.Model):
    """One of the five 好: its items are scored, and it is 好 at or above `threshold` points."""

    name = models.CharField("维度", max_length=20, unique=True)
    threshold = models.DecimalField("达到“好”的分数", max_digits=6, decimal_places=2)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "五个好维度"
        verbose_name_plural = "五个好维度"
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    dimension = models.ForeignKey(
        Dimension, verbose_name="维度", on_delete=models.PROTECT, related_name="items"
    )
    text = models.CharField("考评内容", max_length=200)
    points = models.DecimalField("分值", max_digits=6, decimal_places=2)
    sort = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "五个好考评项"
        verbose_name_plural = "五个好考评项"
        ordering = ["dimension__sort", "sort", "id"]

    def __str__(self) -> str:
        return f"{self.dimension.name}：{self.text}"


class Diagnosis(Recorded, models.Model):
    """把脉问诊 of one party organization: each item's score and evidence, and the grade. It is
    整改中 until every item of its 整改清单 is verified."""

    FLOW = "diagnosis"

    class State(models.TextChoices):
        RECTIFYING = "rectifying", "整改中"
        RECTIFIED = "rectified", "整改完成"

    party_org = models.ForeignKey(
        "orgs.PartyOrg", verbose_name="党组织", on_delete=models.PROTECT, related_name="diagnoses"
    )
    assessed_on = models.DateField("诊断日期")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="考评员",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    good_dimensions = models.PositiveSmallIntegerField("“好”的维度数")
    grade = models.CharField("等次", max_length=10)
    summary = models.JSONField("各维度得分", default=list)
    state = models.CharField(
        "整改状态", max_length=12, choices=State.choices, default=State.RECTIFYING
    )

    class Meta:
        verbose_name = "把脉问诊"
        verbose_name_plural = "把脉问诊"
        ordering = ["-assessed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.party_org} {self.assessed_on} {self.grade}"

    @property
    def region(self):
        """Where the organization sits, for the scope of its steps."""
        org = self.party_org
        return org.region or (org.unit.region if org.unit_id else None)


def diagnosis_path(instance, filename: str) -> str:
    return files.random_name("diagnoses", filename)


def meeting_path(instance, filename: str) -> str:
    return files.random_name("meetings", filename)


class DiagnosisScore(models.Model):
    diagnosis = models.ForeignKey(Diagnosis, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField("得分", max_digits=6, decimal_places=2)
    evidence = models.TextField("佐证", blank=True)
    attachment = models.FileField("附件", upload_to=diagnosis_path, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["diagnosis", "item"], name="score_once")]

    def __str__(self) -> str:
        return f"{self.item} {self.score}"


def rectification_path(instance, filename: str) -> str:
    return files.random_name("rectifications", filename)


class Rectification(Recorded, models.Model):
    """整改清单: a weak item to put right by a date, by a responsible person. Reported done
    with evidence, then verified by an assessor, or sent back with the reason."""

    FLOW = "rectification"

    class State(models.TextChoices):
        OPEN = "open", "整改中"
        REPORTED = "reported", "已报完成，待核验"
        VERIFIED = "verified", "已核验"

    diagnosis = models.ForeignKey(
        Diagnosis, on_delete=models.CASCADE, related_name="rectifications"
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name="考评项", on_delete=models.PROTECT, related_name="+"
    )
    problem = models.CharField("问题", max_length=300)
    due_on = models.DateField("整改期限")
    done_on = models.DateField("核验完成日期", null=True, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    responsible = models.ForeignKey(
        Person,
        verbose_name="责任人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rectifications",
    )
    evidence = models.TextField("整改佐证", blank=True)
    attachment = models.FileField("佐证附件", upload_to=rectification_path, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_at = models.DateTimeField("报完成时间", null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_back = models.CharField("退回理由", max_length=300, blank=True)

    class Meta:
        verbose_name = "整改事项"
        verbose_name_plural = "整改清单"
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.problem

    @property
    def region(self):
        return self.diagnosis.region

    @property
    def overdue(self) -> bool:
        return self.state != self.State.VERIFIED and self.due_on < timezone.localdate()


# --- organization life ---------------------------------------------------------------------


class MeetingKind(models.TextChoices):
    MEMBERS = "members", "支部党员大会"
    COMMITTEE = "committee", "支委会"
    GROUP = "group", "党小组会"
    LECTURE = "lecture", "党课"
    THEME_DAY = "theme_day", "主题党日"
    STUDY = "study", "理论学习中心组/集体学习"


class OrgMeeting(Recorded, models.Model):
    """A meeting a party organization held: the evidence behind the meeting indicators."""

    FLOW = "meeting"

    party_org = models.ForeignKey(
        "orgs.PartyOrg", verbose_name="党组织", on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField("类型", max_length=12, choices=MeetingKind.choices)
    held_on = models.DateField("日期")
    topic = models.CharField("主题", max_length=200)
    speaker = models.CharField("主讲人/主持人", max_length=50, blank=True)
    minutes = models.TextField("会议记录", blank=True)
    attachment = models.FileField("附件", upload_to=meeting_path, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "组织生活记录"
        verbose_name_plural = "组织生活记录"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.party_org} {self.get_kind_display()} {self.held_on}"


class Attendance(models.Model):
    meeting = models.ForeignKey(OrgMeeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.PROTECT, related_name="+"
    )
    present = models.BooleanField("出席", default=True)
    absence_reason = models.CharField("缺席原因", max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} {'出席' if self.present else '缺席'}"


# --- 担当我先行 selection ---------------------------------------------------------------------


class Selection(Recorded, models.Model):
    """Nomination → eligibility review → vote → 公示 (objections) → result."""

    FLOW = "selection"

    class State(models.TextChoices):
        NOMINATING = "nominating", "推荐提名"
        REVIEWING = "reviewing", "资格审查"
        VOTING = "voting", "投票"
        RUNOFF = "runoff", "平票加试"
        PUBLICITY = "publicity", "公示"
        DONE = "done", "已公布结果"

    name = models.CharField("评选名称", max_length=100)
    region = models.ForeignKey(
        Region, verbose_name="评选范围", on_delete=models.PROTECT, related_name="selections"
    )
    seats = models.PositiveSmallIntegerField("评选名额", default=10)
    state = models.CharField("环节", max_length=12, choices=State.choices, default=State.NOMINATING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    runoff_seats = models.PositiveSmallIntegerField(
        "加试名额", default=0, editable=False, help_text="平票加试时，加试所争的名额数"
    )
    publicity_days = models.PositiveSmallIntegerField(
        "公示期（工作日）",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="结束投票后公示的工作日数，按节假日与调休日历计算",
    )
    publicity_starts = models.DateField("公示开始", null=True, blank=True, editable=False)
    publicity_ends = models.DateField("公示截止（含当日）", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "“担当我先行”评选"
        verbose_name_plural = "“担当我先行”评选"
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.name


class Nomination(models.Model):
    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="nominations")
    person = models.ForeignKey(
        Person, verbose_name="被推荐人", on_delete=models.PROTECT, related_name="+"
    )
    deeds = models.TextField("主要事迹")
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    eligible = models.BooleanField("资格审查通过", null=True)
    review_note = models.CharField("审查意见", max_length=200, blank=True)
    votes = models.PositiveIntegerField("得票", default=0)
    in_runoff = models.BooleanField("参加平票加试", default=False)
    runoff_votes = models.PositiveIntegerField("加试得票", default=0)
    tie_decided = models.BooleanField("平票裁定当选", null=True)

    class Meta:
        verbose_name = "推荐人选"
        verbose_name_plural = "推荐人选"
        ordering = ["-votes", "id"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "person"], name="nominated_once")
        ]

    def __str__(self) -> str:
        return self.person.name


class SelectionVote(models.Model):
    """That an account has voted (one each); whom it voted for is only in the tallies."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="voters")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField("轮次", default=1)  # 1 the vote, 2 the run-off

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["selection", "voter", "round"], name="one_vote_each_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.selection_id}:{self.voter_id}"


class Objection(models.Model):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="objections")
    text = models.TextField("异议内容")
    contact = models.CharField("联系方式", max_length=50, blank=True)
    upheld = models.BooleanField("异议成立", null=True)
    spam = models.BooleanField(
        "视为灌水", default=False, help_text="考评员认定为灌水或与人选无关，理由记入处理意见"
    )
    resolution = models.CharField("处理意见", max_length=300, blank=True)

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"

    def __str__(self) -> str:
        return self.text[:30]


class TrainingRecord(models.Model):
    """A course a secretary or 两委 member attended: part of their record."""

    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.PROTECT, related_name="trainings"
    )
    course = models.CharField("培训内容", max_length=100)
    provider = models.CharField("举办单位", max_length=100, blank=True)
    held_on = models.DateField("日期")
    hours = models.DecimalField(
        "学时",
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(500)],
    )

    class Meta:
        verbose_name = "培训记录"
        verbose_name_plural = "培训记录"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.person} {self.course} {self.hours}学时"


class ReservePerson(Recorded, models.Model):
    """后备力量: a person kept in a village's reserve pool for its secretary (四个一批), from
    the day they were added until they are taken out, with the reason."""

    FLOW = "reserve"

    class State(models.TextChoices):
        ACTIVE = "active", "在库"
        REMOVED = "removed", "已出库"

    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.PROTECT, related_name="reserve_entries"
    )
    region = models.ForeignKey(
        Region, verbose_name="储备村（社区）", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.ACTIVE)
    added_on = models.DateField("入库日期", default=timezone.localdate)
    note = models.CharField("说明", max_length=200, blank=True)
    removed_on = models.DateField("出库日期", null=True, blank=True)

    class Meta:
        verbose_name = "后备力量"
        verbose_name_plural = "后备力量"
        ordering = ["region", "added_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(state="active"),
                name="reserve_once_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.person}"
