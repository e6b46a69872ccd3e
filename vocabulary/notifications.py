"""What a notification can be about, who can receive it and what its text may say.

Mechanisms, not policy: schemas/notifications.yaml chooses which of these events
notify whom, with which words, and how often SMS may go out. An event is either a
workflow step (by its id in schemas/workflow/) or one of the SYSTEM_EVENTS below;
the generator checks every name (E405-E407).
"""

from __future__ import annotations

# Placeholders every workflow step offers its texts.
STEP_PLACEHOLDERS = (
    "year",  # the declaration's year
    "applicant",  # the applicant's name
    "series",
    "level",
    "title",  # 申报职称
    "step",  # the step's title (退回, 上报 …)
    "state",  # the title of the state it reached
    "org",  # the organisation that took the step
    "holder",  # the organisation holding it afterwards (empty when the applicant does)
    "comment",
    "sections",  # titles of the sections a return reopened
)
# Who a workflow step can notify: the applicant, or the organisation holding it afterwards.
STEP_RECIPIENTS = ("applicant", "holder")
# `only_if` conditions a step's notification may carry.
STEP_CONDITIONS = ("held_by_applicant", "held_by_organisation")

SYSTEM_EVENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "certificate_issued": {
        "recipients": ("applicant",),
        "placeholders": ("year", "applicant", "series", "level", "title", "certificate_no"),
    },
    "permission_pending": {"recipients": ("region_hr",), "placeholders": ("unit", "region")},
    "permission_approved": {"recipients": ("unit",), "placeholders": ("unit", "comment")},
    "permission_rejected": {"recipients": ("unit",), "placeholders": ("unit", "comment")},
    "path_requested": {"recipients": ("upper",), "placeholders": ("unit", "series", "level", "upper")},
    "path_approved": {"recipients": ("unit",), "placeholders": ("unit", "series", "level", "upper", "comment")},
    "path_rejected": {"recipients": ("unit",), "placeholders": ("unit", "series", "level", "upper", "comment")},
    "unit_corrected": {"recipients": ("unit",), "placeholders": ("unit", "fields", "reason", "authority")},
}
