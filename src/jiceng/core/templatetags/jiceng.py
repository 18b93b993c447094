from django import template

from jiceng.core.text import mask_phone, mask_phones

register = template.Library()


@register.filter(name="mask_phone")
def mask_phone_filter(value: str) -> str:
    return mask_phone(value or "")


@register.filter(name="mask_phones")
def mask_phones_filter(value: str) -> str:
    """A resident's words with every mobile number in them masked (staff pages)."""
    return mask_phones(value or "")
