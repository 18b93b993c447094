"""Web forms. They parse and show errors; the rules live in the services."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiceng.core.text import long_enough
from jiceng.regions.models import Region

from .models import Satisfaction, Urgency


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def region_choices(parent_code: str | None, level: str) -> list[tuple[str, str]]:
    """The places of one level under a parent, named in the reader's language where an
    official name in it was entered, in Chinese otherwise."""
    qs = Region.objects.filter(level=level).exclude(name__startswith="兵团")
    if parent_code:
        qs = qs.filter(parent__code=parent_code)
    elif level != "county":
        return [("", _("请先选择上一级"))]
    label = {
        "county": _("选择县市"),
        "township": _("选择乡镇（街道）"),
        "village": _("选择村（社区）"),
    }[level]
    places = qs.order_by("code").only("code", "name", "name_ug", "name_kk")
    return [("", label), *[(r.code, r.local_name()) for r in places]]


# What Django would say itself, said in the resident's words: Django's own catalogs have no
# Kazakh in the Arabic script (it would fall back to Cyrillic Kazakh, or to Chinese).
RESIDENT_ERRORS = {
    "required": _("请填写这一项"),
    "max_length": _("最多 %(limit_value)d 个字（现有 %(show_value)d 个）"),
    "min_length": _("至少 %(limit_value)d 个字（现有 %(show_value)d 个）"),
    "invalid_choice": _("请从列表中选择"),
    "invalid": _("填写的内容不正确"),
    "missing": _("照片没有收到，请重新选择"),
    "empty": _("照片是空的，请重新选择"),
    "contradiction": _("照片没有收到，请重新选择"),
}


class ResidentErrors:
    """Every field of a resident form answers in the resident's language: a message the form
    gave a field stays, Django's own defaults are replaced by `RESIDENT_ERRORS`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            defaults = {}
            for cls in reversed(type(field).__mro__):
                defaults.update(getattr(cls, "default_error_messages", {}))
            for key, message in RESIDENT_ERRORS.items():
                # (max_length and min_length come from validators, not from the defaults)
                if key not in field.error_messages or field.error_messages[key] is defaults.get(
                    key
                ):
                    field.error_messages[key] = message


class PlaceMixin(forms.Form):
    county = forms.ChoiceField(label=_("县市"), required=True)
    township = forms.ChoiceField(label=_("乡镇（街道）"), required=False)
    village = forms.ChoiceField(label=_("村（社区）"), required=False)
    address = forms.CharField(
        label=_("详细地址"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：3号楼2单元，或路口、门店名称")}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        data = self.data if self.is_bound else {}
        self.fields["county"].choices = region_choices(None, "county")
        self.fields["township"].choices = region_choices(data.get("county"), "township")
        self.fields["village"].choices = region_choices(data.get("township"), "village")
        self.fields["county"].error_messages["required"] = _("请选择县市")

    def region(self) -> Region | None:
        code = (
            self.cleaned_data.get("village")
            or self.cleaned_data.get("township")
            or self.cleaned_data.get("county")
        )
        return Region.objects.filter(code=code).first() if code else None


class PublicRequestForm(ResidentErrors, PlaceMixin):
    content = forms.CharField(
        label=_("您的诉求"),
        max_length=2000,
        widget=forms.Textarea(
            attrs={
                "rows": 5,
                "placeholder": _("请写清楚什么地方、什么问题、持续多久、希望怎么解决"),
            }
        ),
        error_messages={"required": _("请填写您的诉求")},
    )
    name = forms.CharField(
        label=_("称呼"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("可不填")}),
    )
    phone = forms.CharField(
        label=_("手机号"),
        max_length=11,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "tel",
                "dir": "ltr",
                "placeholder": _("用于查询进度和回访"),
            }
        ),
        error_messages={"required": _("请填写 11 位手机号")},
    )
    photos = MultipleFileField(
        label=_("照片（最多 3 张）"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    website = forms.CharField(label="网站", required=False)  # honeypot: people never see it
    # the resident's position, when they press 使用我的位置 and allow it (site.js)
    latitude = forms.DecimalField(
        required=False, min_value=-90, max_value=90, decimal_places=6, widget=forms.HiddenInput
    )
    longitude = forms.DecimalField(
        required=False, min_value=-180, max_value=180, decimal_places=6, widget=forms.HiddenInput
    )

    def clean_content(self):
        content = self.cleaned_data["content"].strip()
        if not long_enough(content):  # Han by characters, Uyghur and Kazakh by words
            raise ValidationError(_("请把诉求写清楚（至少 5 个汉字，或 3 个词）"))
        return content

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
            raise ValidationError(_("请填写 11 位手机号"))
        return phone


class LookupForm(ResidentErrors, forms.Form):
    code = forms.CharField(
        label=_("查询码"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocapitalize": "characters",
                "dir": "ltr",
                "placeholder": _("提交后显示的 8 位查询码"),
            }
        ),
        error_messages={"required": _("请填写查询码")},
    )
    last4 = forms.CharField(
        label=_("手机号后 4 位"),
        min_length=4,
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr"}),
        error_messages={
            "required": _("请填写手机号后 4 位"),
            "min_length": _("请填写手机号后 4 位"),
            "max_length": _("请填写手机号后 4 位"),
        },
    )

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()


class CodeForm(ResidentErrors, forms.Form):
    code = forms.RegexField(
        label=_("短信验证码"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("验证码是 6 位数字"), "required": _("请填写短信验证码")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "dir": "ltr"}
        ),
    )


# the three answers as a resident reads them (the stored values stay Chinese)
RESIDENT_SATISFACTION = {
    Satisfaction.SATISFIED.value: _("满意"),
    Satisfaction.BASIC.value: _("基本满意"),
    Satisfaction.UNSATISFIED.value: _("不满意"),
}


class RateForm(ResidentErrors, forms.Form):
    solved = forms.TypedChoiceField(
        label=_("问题解决了吗？"),
        choices=[("1", _("已解决")), ("0", _("未解决"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择问题是否解决")},
    )
    satisfaction = forms.ChoiceField(
        label=_("您对办理结果满意吗？"),
        choices=[(value, RESIDENT_SATISFACTION[value]) for value in Satisfaction.values],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择是否满意")},
    )
    remark = forms.CharField(
        label=_("还想说的话"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class HotlineForm(PlaceMixin):
    """The intake operator's hotline form: keyboard first, everything on one screen."""

    requester_name = forms.CharField(
        label=pgettext_lazy("staff", "来电人"), max_length=50, required=False
    )
    requester_phone = forms.CharField(
        label=pgettext_lazy("staff", "来电号码"), max_length=20, required=False
    )
    title = forms.CharField(label=pgettext_lazy("staff", "标题"), max_length=100, required=False)
    content = forms.CharField(
        label=pgettext_lazy("staff", "诉求内容"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    category = forms.CharField(
        label=pgettext_lazy("staff", "分类编码"), max_length=20, required=False
    )
    urgency = forms.ChoiceField(
        label=pgettext_lazy("staff", "紧急程度"), choices=Urgency.choices, initial=Urgency.NORMAL
    )
    channel = forms.ChoiceField(
        label=pgettext_lazy("staff", "渠道"),
        choices=[("hotline", "热线"), ("web", "网上"), ("grid", "网格员巡查")],
        initial="hotline",
    )

    def __init__(self, *args, channels: list[str] | None = None, **kwargs):
        """`channels`: the ones the signed-in account may file through (its role's)."""
        super().__init__(*args, **kwargs)
        # a caller often says the place before the problem: an address that names its county,
        # township or community places the request (regions/placing.py) without the pickers
        self.fields["county"].required = False
        self.fields["address"].widget.attrs["placeholder"] = pgettext_lazy(
            "staff", "如：建国路街道嘉顺社区5号楼；写明乡镇、村（社区）可不选上面的区划"
        )
        if channels is not None:
            field = self.fields["channel"]
            field.choices = [(v, label) for v, label in field.choices if v in channels]
            if field.choices:
                field.initial = field.choices[0][0]

    # the language the caller speaks: every message to them (receipt, reply) goes out in it
    language = forms.ChoiceField(
        label=pgettext_lazy("staff", "群众语言"),
        choices=[("zh-hans", "中文"), ("ug", "维吾尔语"), ("kk-arab", "哈萨克语")],
        initial="zh-hans",
        required=False,
    )


class MeetingForm(PlaceMixin):
    held_at = forms.DateTimeField(
        label=pgettext_lazy("staff", "召开时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    place = forms.CharField(label=pgettext_lazy("staff", "地点"), max_length=200, required=False)
    host = forms.CharField(label=pgettext_lazy("staff", "主持人"), max_length=50, required=False)
    attendees = forms.IntegerField(
        label=pgettext_lazy("staff", "参会人数"), min_value=0, max_value=100000, required=False
    )
    summary = forms.CharField(
        label=pgettext_lazy("staff", "会议纪要"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class GridReportForm(forms.Form):
    grid = forms.ModelChoiceField(
        label=pgettext_lazy("staff", "网格"),
        queryset=None,
        empty_label=pgettext_lazy("staff", "选择网格"),
    )
    content = forms.CharField(
        label=pgettext_lazy("staff", "发现的问题"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    address = forms.CharField(
        label=pgettext_lazy("staff", "具体位置"), max_length=200, required=False
    )
    photos = MultipleFileField(
        label=pgettext_lazy("staff", "照片（最多 3 张）"),
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}
        ),
    )
    # the browser's position, when the worker allows it (site.js fills these two)
    latitude = forms.DecimalField(
        required=False, min_value=-90, max_value=90, decimal_places=6, widget=forms.HiddenInput
    )
    longitude = forms.DecimalField(
        required=False, min_value=-180, max_value=180, decimal_places=6, widget=forms.HiddenInput
    )
    on_spot = forms.BooleanField(label=pgettext_lazy("staff", "小事已现场办结"), required=False)
    result = forms.CharField(
        label=pgettext_lazy("staff", "现场处置情况"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = grids
        self.fields["grid"].label_from_instance = lambda g: f"{g.region.name} {g.name}"
