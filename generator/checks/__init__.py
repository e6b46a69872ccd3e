"""Cross-reference checks, one per module, run in this order."""

from __future__ import annotations

from collections.abc import Callable

from generator.checks import (
    committee,
    contracts,
    coverage,
    declaration_rules,
    dictionaries,
    faq,
    fields,
    migrations,
    notifications,
    passwords,
    placeholders,
    platform,
    printing,
    routing,
    rules,
    sections,
    workflow,
)
from generator.model import Model

CHECKS: tuple[Callable[[Model], None], ...] = (
    platform.check,
    passwords.check,
    dictionaries.check,
    sections.check,
    fields.check,
    rules.check,
    declaration_rules.check,
    placeholders.check,
    routing.check,
    workflow.check,
    printing.check,
    contracts.check,
    coverage.check,
    faq.check,
    committee.check,
    notifications.check,
    migrations.check,
)
