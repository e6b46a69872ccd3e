"""Names the runtime machinery understands, shared with the generator's checks.

These are mechanisms, not policy: which guard a transition uses, which step a
chain takes and which source a printed column shows are chosen in schemas/.
"""

from __future__ import annotations

import re

GUARDS = (
    "notice_open",
    "sections_valid",
    "path_approved",
    "at_chain_end",
    "not_at_chain_end",
    "comment_given",
    "no_integrity_record",  # INT-1: the applicant has no integrity record in force
    "unit_publicity_done",  # PUB-1: at the declaring unit, a finished publicity with its report form
    "objections_settled",  # PUB-2: every objection of the result's publicity decided, none upheld
)
PARAMETRISED_GUARDS = {"working_days": re.compile(r"^working_days:([1-9][0-9]?)$")}

HOLDERS = ("declaring_unit", "next_on_path", "previous", "keep")

CHAIN_STEPS = ("supervisor", "region_hr")
TABLE_STEP = re.compile(r"^table:([a-z][a-z0-9_]*)$")

DECLARATION_ATTRIBUTES = ("id", "year", "state", "holder", "schema_version", "unit")
CERTIFICATE_ATTRIBUTES = ("no", "date", "committee", "issuer")
PLAIN_SOURCES = ("row_number", "printed_at")


def is_guard(name: str) -> bool:
    return name in GUARDS or any(p.match(name) for p in PARAMETRISED_GUARDS.values())


# Field ids the runtime relies on, per form: a contract between schemas/ and the
# machinery (like the API's field ids). The generator checks they exist.
CONTRACT_FIELDS: dict[str, tuple[str, ...]] = {
    "person_registration": ("login_name", "id_number", "name", "mobile", "password", "password_confirm"),
    "unit_registration": ("login_name", "unit_name", "uscc", "mobile", "password", "password_confirm"),
    "permission_request": ("uscc", "region", "supervisor"),
    "path_request": ("series", "level", "upper_unit"),
    "declaration/header": ("year", "unit", "series", "level", "title"),
}

# Roles, organisation kinds and workflow steps the runtime names (review, units, seed):
# schemas/platform.yaml and schemas/workflow/declaration.yaml must keep them. Their titles,
# who may take a step and its guards stay policy. The generator checks they exist (E322).
CONTRACT_ROLES = ("applicant", "unit_admin", "reviewer", "hr_admin", "committee_office", "support")
CONTRACT_ORG_KINDS = ("employer", "supervisor", "region_hr", "department", "support")
CONTRACT_TRANSITIONS = (
    "submit",
    "pass",
    "return",
    "report",
    "record_pass",
    "record_fail",
    "confirm_pass",  # COM-5: a result becomes final; a pass gets its certificate number
    "confirm_fail",
)
