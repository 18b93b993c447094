"""Handling units, party organizations, people and their posts, accounts with roles and scopes."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from jiceng.core.fields import BlindIndexField, EncryptedField
from jiceng.regions.models import Grid, Region

phone_validator = RegexValidator(
    r"^(1\d{10}|0\d{2,3}-?\d{7,8})$", "请输入 11 位手机号或带区号的固定电话"
)


class UnitCategory(models.TextChoices):
    COMMUNITY = "community", "社区居委会"
    VILLAGE = "village", "村委会"
    PROPERTY = "property", "物业服务企业"
    TOWNSHIP = "township", "乡镇/街道"
    DEPARTMENT = "department", "政府部门"
    PUBLIC_SERVICE = "public_service", "公共服务企业"


class NotifyChannel(models.TextChoices):
    INBOX = "inbox", "仅站内消息"
    SMS = "sms", "站内消息 + 短信"
    WECOM = "wecom", "站内消息 + 政务微信群机器人"
    DINGTALK = "dingtalk", "站内消息 + 钉钉群机器人"


class UnitType(models.Model):
    """A kind of handling unit, such as 住建局 or 社区居委会: data, so a county can add its own."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    category = models.CharField("大类", max_length=20, choices=UnitCategory.choices)
    sort = models.PositiveSmallIntegerField("排序", default=100)

    class Meta:
        verbose_name = "承办单位类型"
        verbose_name_plural = "承办单位类型"
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A handling unit (承办单位): a community, a village, a property company, a department…"""

    code = models.CharField(
        "单位编码",
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Za-z0-9_.-]+$", "编码只能包含字母、数字、点、下划线和连字符")
        ],
    )
    name = models.CharField("单位名称", max_length=100)
    type = models.ForeignKey(UnitType, verbose_name="类型", on_delete=models.PROTECT)
    region = models.ForeignKey(
        Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="units"
    )
    phone = models.CharField("联系电话", max_length=20, blank=True, validators=[phone_validator])
    address = models.CharField("地址", max_length=200, blank=True)
    # the unit's official name in the residents' other languages (the tracking page shows it)
    name_ug = models.CharField("维吾尔文名称", max_length=200, blank=True)
    name_kk = models.CharField("哈萨克文名称", max_length=200, blank=True)
    # how the unit's staff hear of new work besides the in-app inbox (tickets.staff_channels)
    notify_channel = models.CharField(
        "消息渠道",
        max_length=10,
        choices=NotifyChannel.choices,
        default=NotifyChannel.INBOX,
        help_text="站内消息总会送达；另可发短信到本单位账号的手机，或发到政务微信/钉钉群机器人",
    )
    notify_webhook = EncryptedField(
        "群机器人地址",
        max_length=500,
        blank=True,
        help_text="政务微信或钉钉群机器人的 Webhook 地址（含 key 或 access_token）",
    )
    notify_secret = EncryptedField(
        "加签密钥", max_length=200, blank=True, help_text="钉钉机器人“加签”的密钥（SEC 开头）"
    )
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "承办单位"
        verbose_name_plural = "承办单位"
        ordering = ["region__code", "type__sort", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="unit_name_unique_in_region")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        robot = self.notify_channel in (NotifyChannel.WECOM, NotifyChannel.DINGTALK)
        if robot and not self.notify_webhook.startswith(("https://", "http://")):
            raise ValidationError({"notify_webhook": "请填写群机器人的 Webhook 地址（https://…）"})


class PartyOrgKind(models.TextChoices):
    COMMITTEE = "党委", "党委"
    GENERAL_BRANCH = "党总支", "党总支"
    BRANCH = "党支部", "党支部"


class PartyOrg(models.Model):
    """A party organization in the tree 党委 → 党总支 → 党支部.

    It is tied to a region (a village's 党支部) or to a unit (a department's), or both: a
    property company's 党支部 is tied to the company and to the community it serves
    (社区物业党建联建).
    """

    # the stable key of the onboarding workbook; given one when saved without
    code = models.CharField(
        "组织编码",
        max_length=40,
        unique=True,
        null=True,
        blank=True,
        validators=[
            RegexValidator(r"^[A-Za-z0-9_.-]+$", "编码只能包含字母、数字、点、下划线和连字符")
        ],
        help_text="上线数据表中的组织编码；不填则自动生成",
    )
    name = models.CharField("组织名称", max_length=100)
    kind = models.CharField("组织类别", max_length=10, choices=PartyOrgKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级党组织",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    region = models.ForeignKey(
        Region,
        verbose_name="所在区划",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_orgs",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name="所在单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_orgs",
    )
    founded_on = models.DateField("成立日期", null=True, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        ordering = ["region__code", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(region__isnull=False) | Q(unit__isnull=False),
                name="party_org_tied_to_region_or_unit",
                violation_error_message="党组织须关联所在区划或所在单位",
            ),
            models.UniqueConstraint(fields=["region", "unit", "name"], name="party_org_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.code:
            self.code = None
        super().save(*args, **kwargs)
        if self.code is None:  # a stable code the workbook can key on
            self.code = f"DZZ{self.pk:06d}"
            type(self).objects.filter(pk=self.pk).update(code=self.code)

    def clean(self):
        if not self.region_id and not self.unit_id:
            raise ValidationError("党组织须关联所在区划或所在单位")
        if self.parent_id and self.kind == PartyOrgKind.COMMITTEE and self.parent.kind != "党委":
            raise ValidationError({"parent": "党委的上级只能是党委"})
        if self.parent_id and self.parent.kind == PartyOrgKind.BRANCH:
            raise ValidationError({"parent": "党支部之下不能再设党组织"})
        node, seen = self.parent, {self.pk}
        while node is not None:
            if node.pk in seen:
                raise ValidationError({"parent": "上级党组织不能形成循环"})
            seen.add(node.pk)
            node = node.parent


class Gender(models.TextChoices):
    MALE = "男", "男"
    FEMALE = "女", "女"


class Person(models.Model):
    """A person who holds posts: a secretary, a 两委 member, a grid worker, a handler…"""

    code = models.CharField("人员编号", max_length=40, unique=True)
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=2, choices=Gender.choices, blank=True)
    ethnicity = models.CharField("民族", max_length=20, blank=True)
    birth_year = models.PositiveSmallIntegerField("出生年份", null=True, blank=True)
    phone = EncryptedField(  # SM4 at rest
        "手机号", max_length=20, blank=True, validators=[phone_validator]
    )
    phone_index = BlindIndexField(source="phone")
    is_party_member = models.BooleanField("中共党员", default=False)
    region = models.ForeignKey(
        Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="people"
    )

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["region__code", "name"]

    def __str__(self) -> str:
        return self.name


class PostKind(models.TextChoices):
    SECRETARY = "书记", "书记"
    DEPUTY_SECRETARY = "副书记", "副书记"
    FIRST_SECRETARY = "第一书记", "第一书记"
    DIRECTOR = "主任", "主任"
    COMMITTEE_MEMBER = "两委成员", "两委成员"
    GRID_WORKER = "网格员", "网格员"
    HANDLER = "承办人", "承办人"
    HEAD = "负责人", "负责人"
    STAFF = "工作人员", "工作人员"


class SecretarySource(models.TextChoices):
    INTERNAL = "内选", "内选"
    RETURNED = "回引", "回引"
    CROSS = "跨任", "跨任"
    SENT_DOWN = "下派", "下派"


class Post(models.Model):
    """One post a person holds in a unit, a party organization or a grid, with its term."""

    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="posts"
    )
    kind = models.CharField("职务", max_length=10, choices=PostKind.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name="单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
    )
    party_org = models.ForeignKey(
        PartyOrg,
        verbose_name="党组织",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
    )
    grid = models.ForeignKey(
        Grid,
        verbose_name="网格",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
    )
    source = models.CharField(
        "书记来源",
        max_length=4,
        choices=SecretarySource.choices,
        blank=True,
        help_text="村党组织书记的来源：内选、回引、跨任、下派",
    )
    started_on = models.DateField("任职日期", null=True, blank=True)
    term_ends_on = models.DateField(
        "任期届满", null=True, blank=True, help_text="本届任期届满（换届）的日期"
    )
    ended_on = models.DateField("离任日期", null=True, blank=True)

    class Meta:
        verbose_name = "任职"
        verbose_name_plural = "任职"
        ordering = ["person", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False)
                | Q(party_org__isnull=False)
                | Q(grid__isnull=False),
                name="post_has_a_place",
                violation_error_message="任职须关联单位、党组织或网格之一",
            ),
        ]

    def __str__(self) -> str:
        place = self.party_org or self.unit or self.grid
        return f"{place} {self.kind}"

    def clean(self):
        if not (self.unit_id or self.party_org_id or self.grid_id):
            raise ValidationError("任职须关联单位、党组织或网格之一")
        if self.kind == PostKind.GRID_WORKER and not self.grid_id:
            raise ValidationError({"grid": "网格员须关联网格"})
        if self.source and self.kind not in (PostKind.SECRETARY, PostKind.FIRST_SECRETARY):
            raise ValidationError({"source": "只有书记需填写来源"})
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": "离任日期不能早于任职日期"})


class RoleCode(models.TextChoices):
    INTAKE = "intake", "受理员"
    DISPATCHER = "dispatcher", "派单员"
    HANDLER = "handler", "承办人"
    GRID_WORKER = "grid_worker", "网格员"
    SUPERVISOR = "supervisor", "督办员"
    ASSESSOR = "assessor", "考评员"
    LEADER = "leader", "领导"
    ADMIN = "admin", "管理员"


class Role(models.Model):
    """One of the roles of PRODUCT.md; rows are created by a migration from RoleCode."""

    code = models.CharField("代码", max_length=20, primary_key=True, choices=RoleCode.choices)
    name = models.CharField("名称", max_length=20)

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A login, bound to a person, with roles and one scope: a region subtree or one unit."""

    person = models.OneToOneField(
        Person,
        verbose_name="对应人员",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="user",
    )
    roles = models.ManyToManyField(Role, verbose_name="角色", blank=True, related_name="users")
    scope_region = models.ForeignKey(
        Region,
        verbose_name="管辖区划",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="可见并可操作该区划及其下级的全部数据",
    )
    scope_unit = models.ForeignKey(
        Unit,
        verbose_name="所属单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text="仅可见并可操作本单位的数据",
    )
    # an account made with a one-time password (the onboarding workbook) must choose its own
    # at its first sign-in (core.middleware.PasswordChangeRequired)
    must_change_password = models.BooleanField("须修改密码", default=False)
    # reads Uyghur or Kazakh: may write the Chinese summary of the 双语受理 queue
    bilingual = models.BooleanField(
        "双语受理", default=False, help_text="能读维吾尔文或哈萨克文，负责双语受理队列"
    )

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"
        constraints = [
            models.CheckConstraint(
                condition=Q(scope_region__isnull=True) | Q(scope_unit__isnull=True),
                name="user_has_one_scope",
                violation_error_message="管辖区划与所属单位只能选其一",
            )
        ]

    def __str__(self) -> str:
        name = self.person.name if self.person_id else self.get_full_name()
        return f"{name}（{self.username}）" if name else self.username

    def clean(self):
        super().clean()
        if self.scope_region_id and self.scope_unit_id:
            raise ValidationError("管辖区划与所属单位只能选其一")

    def role_codes(self) -> set[str]:
        if not hasattr(self, "_role_codes"):
            self._role_codes = set(self.roles.values_list("code", flat=True))
        return self._role_codes

    def has_role(self, *codes: str) -> bool:
        return bool(self.role_codes() & set(codes))


class ApiToken(models.Model):
    """A bearer token for machines (`Authorization: Bearer …`). Only its hash is stored; the
    token itself is printed once by `jiceng create-token`."""

    user = models.ForeignKey(
        User, verbose_name="账号", on_delete=models.CASCADE, related_name="tokens"
    )
    name = models.CharField("用途", max_length=100, blank=True)
    prefix = models.CharField("前缀", max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}…（{self.user}）"


class WhistleRule(models.Model):
    """Who may call whom in (吹哨报到): one row per kind of caller and kind of unit called.

    A township or street office whistles the departments and public-service companies of its
    county; a community or village asks its township to whistle (提请). An administrator edits
    these rows; the services read them and nothing else (`orgs.whistling`)."""

    class Mode(models.TextChoices):
        CALL = "call", "直接吹哨"
        ASK = "ask", "提请吹哨"

    class Reach(models.TextChoices):
        TOWNSHIP = "township", "所在乡镇（街道）"
        COUNTY = "county", "本县（市）"
        PREFECTURE = "prefecture", "本州"

    caller = models.CharField("吹哨单位大类", max_length=20, choices=UnitCategory.choices)
    called = models.CharField("报到单位大类", max_length=20, choices=UnitCategory.choices)
    mode = models.CharField("方式", max_length=10, choices=Mode.choices, default=Mode.CALL)
    reach = models.CharField(
        "范围",
        max_length=12,
        choices=Reach.choices,
        default=Reach.COUNTY,
        help_text="报到单位须在吹哨单位所在的这一级区划之内",
    )
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "吹哨规则"
        verbose_name_plural = "吹哨规则"
        ordering = ["caller", "mode", "called"]
        constraints = [
            models.UniqueConstraint(fields=["caller", "called", "mode"], name="whistle_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_caller_display()} {self.get_mode_display()} {self.get_called_display()}"


class OnboardingRun(models.Model):
    """One apply of the onboarding workbook (上线数据.xlsx): who, when, which file (by its
    checksum), and what changed on each sheet. Dry runs change nothing and are not recorded."""

    actor = models.ForeignKey(
        User, verbose_name="导入人", on_delete=models.SET_NULL, null=True, blank=True
    )
    actor_label = models.CharField("导入人（命令行）", max_length=100, blank=True)
    at = models.DateTimeField("导入时间", auto_now_add=True)
    file_name = models.CharField("文件名", max_length=200)
    checksum = models.CharField("文件 SHA-256", max_length=64)
    counts = models.JSONField("各表变更", default=dict)
    missing = models.JSONField("文件中没有的记录", default=dict)
    deactivated = models.BooleanField("已停用文件中没有的记录", default=False)

    class Meta:
        verbose_name = "上线数据导入记录"
        verbose_name_plural = "上线数据导入记录"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.at:%Y-%m-%d %H:%M}）"
