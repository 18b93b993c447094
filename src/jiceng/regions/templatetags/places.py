"""Place names as the reader reads them: `{% local_full_name region %}`."""

from django import template

from jiceng.regions.names import local_full_name as _local_full_name

register = template.Library()


@register.simple_tag
def local_full_name(region):
    return _local_full_name(region) if region is not None else ""
