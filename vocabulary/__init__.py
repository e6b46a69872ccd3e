"""The domain vocabulary shared by the generator and the runtime.

Named formats (``formats``), conditions (``conditions``) and rule kinds (``rules``).
Generic machinery only: messages, names and limits come from the YAML schemas."""

from vocabulary.conditions import CONDITION_SCHEMA, as_text, holds, is_filled
from vocabulary.formats import (
    FORMATS,
    format_checker,
    id_card_birth_date,
    id_card_sex_parity,
    is_id_card,
    is_mobile_cn,
    is_uscc,
    is_year,
    parse_date,
    parse_rank,
    parse_when,
    parse_year_month,
    uscc_division,
    uscc_shape_ok,
)
from vocabulary.rules import RULE_KINDS, Context, Dictionaries, RuleKind, Violation, run_rule

__all__ = [
    "CONDITION_SCHEMA",
    "FORMATS",
    "RULE_KINDS",
    "Context",
    "Dictionaries",
    "RuleKind",
    "Violation",
    "as_text",
    "format_checker",
    "holds",
    "id_card_birth_date",
    "id_card_sex_parity",
    "is_filled",
    "is_id_card",
    "is_mobile_cn",
    "is_uscc",
    "is_year",
    "parse_date",
    "parse_rank",
    "parse_when",
    "parse_year_month",
    "run_rule",
    "uscc_division",
    "uscc_shape_ok",
]
