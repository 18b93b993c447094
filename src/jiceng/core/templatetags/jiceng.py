from django import template
from django.utils.html import format_html

from jiceng.core.text import mask_phone, mask_phones

register = template.Library()


@register.filter(name="mask_phone")
def mask_phone_filter(value: str) -> str:
    return mask_phone(value or "")


@register.filter(name="mask_phones")
def mask_phones_filter(value: str) -> str:
    """A resident's words with every mobile number in them masked (staff pages)."""
    return mask_phones(value or "")


# A rate of a ranking row: (rate, interval, numerator, numerator's measure, denominator,
# denominator's measure, what the numerator counts, what the denominator counts)
RATES = {
    "response": (
        "response_rate",
        "response_ci",
        "on_time",
        "on_time",
        "dispatched",
        "dispatched",
        "按时接单",
        "派单",
    ),
    "solved": (
        "solved_rate",
        "solved_ci",
        "solved",
        "solved",
        "callbacks",
        "callbacks",
        "已解决",
        "回访",
    ),
    "satisfied": (
        "satisfied_rate",
        "satisfied_ci",
        "satisfied",
        "",
        "callbacks",
        "callbacks",
        "满意计分",
        "回访",
    ),
}


def _number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


RATE_NAMES = {"response": "响应率", "solved": "解决率", "satisfied": "满意率"}


@register.simple_tag
def rate_cell(row: dict, which: str, drill: str = "") -> str:
    """A rate as the 通报 shows it: the percentage, its counts k/n (each linking to its
    tickets when `drill` is the list's address), and a tooltip with the 95 % interval.
    "—" only where there is no denominator."""
    rate_key, ci_key, k_key, k_measure, n_key, n_measure, k_label, n_label = RATES[which]
    value, ci, k, n = row[rate_key], row[ci_key], row[k_key], row[n_key]
    name = RATE_NAMES[which]
    if value is None:
        return format_html(
            '<td class="rate" data-label="{}" title="没有{}，无法计算">—</td>', name, n_label
        )
    tip = f"{k_label} {_number(k)} / {n_label} {n}；95% 置信区间 {ci[0]}–{ci[1]}%"
    if drill:
        k_html = (
            format_html('<a href="{}&measure={}">{}</a>', drill, k_measure, _number(k))
            if k_measure
            else _number(k)
        )
        n_html = format_html('<a href="{}&measure={}">{}</a>', drill, n_measure, n)
    else:
        k_html, n_html = _number(k), str(n)
    # the interval opens on a tap (a phone has no hover) and on hover, through the title
    return format_html(
        '<td class="rate" data-label="{}" title="{}"><details class="ci"><summary>{}</summary>'
        "<small>95% 置信区间 {}–{}%</small></details>"
        '<small class="kn">{}/{}</small></td>',
        name,
        tip,
        value,
        ci[0],
        ci[1],
        k_html,
        n_html,
    )
