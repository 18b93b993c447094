"""JSON shapes of the tickets API (STYLE.md, habit 4)."""

from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema

from jiceng.core.text import mask_phone, mask_phones

from .models import Ticket, TicketEvent


class CategoryOut(Schema):
    code: str
    name: str
    full_name: str
    level: int
    parent_code: str | None

    @staticmethod
    def resolve_parent_code(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None


class UnitRef(Schema):
    id: int
    code: str
    name: str


class FiledBy(Schema):
    kind: str = Field(
        ...,
        description="resident 群众本人（网上）/ client Open311 客户端 / hotline 热线中心 / "
        "staff 单位工作人员（见 unit）/ system 导入",
    )
    unit: str | None = Field(None, description="登记人所属单位（kind 为 staff 时）")


class TicketIn(Schema):
    title: str = Field("", max_length=100, description="标题；留空时取诉求内容的前 30 字")
    content: str = Field(..., description="诉求内容")
    region_code: str | None = Field(
        None,
        description="所在区划的 12 位代码；留空时按 address、content 中的地名及经纬度定位"
        "（在账号管辖范围内，定到所写最深的一级）",
    )
    requester_name: str = Field("", max_length=50)
    requester_phone: str = Field("", max_length=20)
    category_code: str | None = None
    urgency: str = Field("normal", description="urgent 紧急 / normal 一般 / complex 复杂")
    channel: str = Field(
        "",
        description="hotline 热线 / web 网上 / grid 网格员巡查；留空取账号角色的渠道"
        "（网格员只能 grid；hotline、web 仅限热线中心受理员）",
    )
    grid_code: str | None = None
    address: str = Field("", max_length=200)
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    language: str = Field(
        "zh-hans",
        description="诉求人使用的语言，发给诉求人的短信用它：zh-hans 中文 / ug 维吾尔语 / kk-arab 哈萨克语",
    )


class GridReportIn(Schema):
    title: str = Field("", max_length=100)
    content: str
    grid_code: str = Field(..., description="巡查所在网格的编码")
    address: str = Field("", max_length=200)
    category_code: str | None = None
    urgency: str = "normal"
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    handled_on_spot: bool = Field(
        False, description="小事现场办结：须附照片，请改用 /grid-reports/on-spot"
    )
    result: str = Field("", description="现场处置情况（现场办结时必填）")


class MatterIn(Schema):
    title: str = ""
    content: str
    region_code: str | None = Field(None, description="留空则为恳谈会所在区划")
    requester_name: str = ""
    requester_phone: str = ""
    category_code: str | None = None
    urgency: str = "normal"
    address: str = ""


class MeetingIn(Schema):
    region_code: str
    held_at: datetime
    place: str = ""
    host: str = ""
    attendees: int | None = Field(None, ge=0)
    summary: str = ""
    matters: list[MatterIn]


class MeetingOut(Schema):
    id: int
    region_code: str = Field(..., alias="region.code")
    held_at: datetime
    place: str
    host: str
    attendees: int | None
    summary: str
    tickets: list[str]

    @staticmethod
    def resolve_tickets(obj) -> list[str]:
        return [t.number for t in obj.tickets.order_by("id")]


class TicketOut(Schema):
    id: int
    number: str
    tracking_code: str
    channel: str
    title: str
    content: str
    category: CategoryOut | None
    urgency: str
    region_code: str = Field(..., alias="region.code")
    region_name: str = Field(..., alias="region.full_name")
    placed_by: str = Field(
        ...,
        description="所在区划如何确定：chosen 选定 / text 据地址文字 / coordinates 据经纬度 / "
        "default 未能定位（落在受理范围）",
    )
    place_certain: bool = Field(..., description="定位是否确定；否时应人工核实所在区划")
    grid_code: str | None
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    status: str
    status_label: str
    public_status: str
    language: str = Field(..., description="诉求人使用的语言：zh-hans / ug / kk-arab")
    text_language: str = Field(
        ..., description="诉求文字：zh 中文 / ug 维吾尔文 / kk 哈萨克文 / other"
    )
    summary: str = Field(..., description="双语受理员写的中文摘要（诉求不是中文时）")
    filed_by: FiledBy = Field(
        ...,
        description="谁登记的：本单位人员登记的工单，群众评价不计入该单位三率，以热线回访为准",
    )
    main_unit: UnitRef | None
    co_units: list[UnitRef]
    whistled_units: list[UnitRef]
    requester_name: str
    requester_phone: str = Field(..., description="已脱敏；完整号码见 /tickets/{id}/phone（留痕）")
    received_at: datetime
    accept_by: datetime | None
    reply_by: datetime | None
    deadlines_provisional: bool = Field(
        ..., description="时限算到了尚未录入官方放假安排的年份（按法定节假日暂定，录入后重算）"
    )
    accepted_at: datetime | None
    replied_at: datetime | None
    closed_at: datetime | None
    reply: str
    solved: bool | None
    satisfaction: str
    is_supervised: bool
    is_overdue: bool
    is_escalated: bool
    extension_requested_until: datetime | None
    duplicate_of: str | None
    photos: list[str]

    @staticmethod
    def resolve_filed_by(obj: Ticket) -> dict:
        unit = obj.filed_by_unit.name if obj.filed_by_unit_id else None
        return {"kind": obj.filed_by_kind, "unit": unit}

    @staticmethod
    def resolve_grid_code(obj: Ticket) -> str | None:
        return obj.grid.code if obj.grid_id else None

    @staticmethod
    def resolve_title(obj: Ticket) -> str:
        return mask_phones(obj.title)

    @staticmethod
    def resolve_content(obj: Ticket) -> str:
        return mask_phones(obj.content)

    @staticmethod
    def resolve_summary(obj: Ticket) -> str:
        return mask_phones(obj.summary)

    @staticmethod
    def resolve_requester_phone(obj: Ticket) -> str:
        return mask_phone(obj.requester_phone)

    @staticmethod
    def resolve_co_units(obj: Ticket) -> list:
        return [tu.unit for tu in obj.units.all() if tu.role == "co"]

    @staticmethod
    def resolve_whistled_units(obj: Ticket) -> list:
        return [tu.unit for tu in obj.units.all() if tu.role == "whistle"]

    @staticmethod
    def resolve_is_overdue(obj: Ticket) -> bool:
        return obj.overdue_at is not None

    @staticmethod
    def resolve_is_escalated(obj: Ticket) -> bool:
        return obj.escalated_at is not None

    @staticmethod
    def resolve_duplicate_of(obj: Ticket) -> str | None:
        return obj.duplicate_of.number if obj.duplicate_of_id else None

    @staticmethod
    def resolve_photos(obj: Ticket) -> list[str]:
        # served by the API (token or session), inside the scope; /media/ is never public
        return [f"/api/v1/tickets/{obj.pk}/photos/{p.pk}" for p in obj.photos.all()]


class TicketBrief(Schema):
    id: int
    number: str
    title: str
    status: str
    status_label: str
    urgency: str
    channel: str
    region_name: str = Field(..., alias="region.name")
    main_unit: UnitRef | None
    received_at: datetime
    accept_by: datetime | None
    reply_by: datetime | None
    deadlines_provisional: bool = Field(
        ..., description="时限算到了尚未录入官方放假安排的年份（按法定节假日暂定，录入后重算）"
    )
    is_supervised: bool
    is_overdue: bool

    @staticmethod
    def resolve_title(obj: Ticket) -> str:
        return mask_phones(obj.title)

    @staticmethod
    def resolve_is_overdue(obj: Ticket) -> bool:
        return obj.overdue_at is not None


class TicketEventOut(Schema):
    id: int
    action: str
    action_label: str
    actor: str = Field(..., alias="actor_label")
    at: datetime
    from_status: str
    to_status: str
    unit: UnitRef | None
    due_at: datetime | None
    reason: str
    data: dict

    @staticmethod
    def resolve_action_label(obj: TicketEvent) -> str:
        from .states import ACTIONS

        return ACTIONS[obj.action].label if obj.action in ACTIONS else obj.action


class PhoneOut(Schema):
    phone: str


class SuggestedCategory(Schema):
    code: str
    name: str
    probability: float


class SuggestionOut(Schema):
    model_version: int | None = Field(None, description="给出建议的模型版本；尚无建议时为空")
    categories: list[SuggestedCategory] = Field(..., description="最可能的三个一级分类，按概率排序")
    unit: UnitRef | None = Field(None, description="派单规则给出的承办单位")
    route: str = Field("", description="派单依据")
    auto_dispatched: bool = False
    problem: str = Field("", description="未能给出建议的原因（如模型文件缺失）")


class DispatchIn(Schema):
    unit_id: int
    category_code: str | None = None
    urgency: str | None = None
    co_unit_ids: list[int] | None = None
    reason: str = ""


class ReasonIn(Schema):
    reason: str


class TextIn(Schema):
    text: str


class EditIn(Schema):
    text: str
    expected: str | None = Field(
        None, description="修改前看到的内容；若他人已先改，返回 409，不覆盖"
    )


class ExtensionIn(Schema):
    until: datetime
    reason: str


class DecisionIn(Schema):
    approve: bool
    reason: str = ""


class WhistleIn(Schema):
    unit_ids: list[int]
    reason: str
    hours: float = Field(8, gt=0, le=240, description="报到时限（工作小时）")


class CoUnitsIn(Schema):
    unit_ids: list[int] = Field(description="调整后的全部协办单位；空表示不再有协办单位")
    reason: str = ""


class AskWhistleIn(Schema):
    reason: str = Field(description="提请事由：需要哪些部门报到、为什么")


class ReportIn(Schema):
    report: str


class CallbackIn(Schema):
    solved: bool
    satisfaction: str = Field(..., description="满意 / 基本满意 / 不满意")
    remark: str = ""


class MergeIn(Schema):
    into_id: int
    reason: str = ""


class RateRow(Schema):
    rank: int | None = Field(description="本组名次；样本不足或无得分时为空")
    key: str
    name: str
    kind: str = Field("", description="单位大类（community、township…）或区划层级")
    group: str = Field("", description="排名分组；同组内排名")
    dispatched: int = Field(description="计入响应率的派单数（不含待接单）")
    on_time: int
    pending: int = Field(description="已派单未接单、接单时限未到或退单待审核：不计入响应率")
    response_rate: float | None
    response_ci: list[float] | None = Field(description="响应率 95% Wilson 置信区间")
    callbacks: int
    solved: int
    solved_rate: float | None
    solved_ci: list[float] | None
    satisfied: float
    satisfied_rate: float | None
    satisfied_ci: list[float] | None
    score: float | None
    partial: bool
    sufficient: bool = Field(description="样本是否达到最少件数；否则不排名")
    sample: str = Field(description="“样本不足”或空")


class RatesOut(Schema):
    period: str = Field(description="统计期，规范写法：2026-10、2026-Q4 或 2026")
    period_label: str
    in_progress: bool = Field(description="统计期尚未结束，数字还会变化")
    by: str
    view: str = Field("", description="按组排名时：kind（单位类别）或 region（区划层级）")
    weights: dict
    minimum: dict = Field(description="参加排名的最少派单数、回访数")
    rows: list[RateRow]
