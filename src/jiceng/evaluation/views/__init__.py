"""The evaluation's pages, one module per concern: `surveys` (满意度测评 and the ballot),
`periods` (star periods), `diagnoses` (五个好, coverage, 整改清单), `meetings` (organization
life), `selections` (担当我先行 and its 公示), `people` (a person's record). The names are
re-exported here for `jiceng.urls`."""

from .diagnoses import (
    diagnosis_coverage,
    diagnosis_detail,
    diagnosis_list,
    diagnosis_new,
    rectification_act,
    rectification_list,
)
from .meetings import meeting_list, meeting_new
from .people import person_record
from .periods import (
    period_act,
    period_annual,
    period_annual_export,
    period_detail,
    period_export,
    period_list,
    period_new,
    period_values,
    period_values_template,
)
from .secretaries import reserve_add, reserve_remove, secretary_overview
from .selections import publicity, selection_detail, selection_list, selection_new
from .surveys import (
    campaign_codes,
    campaign_detail,
    campaign_list,
    campaign_new,
    campaign_state,
    vote,
)

__all__ = [
    "campaign_codes",
    "campaign_detail",
    "campaign_list",
    "campaign_new",
    "campaign_state",
    "diagnosis_coverage",
    "diagnosis_detail",
    "diagnosis_list",
    "diagnosis_new",
    "meeting_list",
    "meeting_new",
    "period_act",
    "period_annual",
    "period_annual_export",
    "period_detail",
    "period_export",
    "period_list",
    "period_new",
    "period_values",
    "period_values_template",
    "person_record",
    "publicity",
    "rectification_act",
    "rectification_list",
    "reserve_add",
    "reserve_remove",
    "secretary_overview",
    "selection_detail",
    "selection_list",
    "selection_new",
    "vote",
]
