"""Rules across sections and the account, and eligibility tables, for one declaration.

The rules and tables are build/rules.json (ELIG-1, ELIG-2, DEC-20); the judging is
vocabulary's, the same code that ran their examples at build time. This module only
gathers what they read: the declaration's sections, the applicant's account
(registration fields, never passwords) and the declaration year.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runtime.storage import loads
from runtime.web.http import Services
from vocabulary.declaration_rules import context_data, run_declaration_rules, section_of, with_computed
from vocabulary.eligibility import assess, find_level, gaps_as_dicts, message
from vocabulary.validation import Error, fill_message, to_pointer

ELIGIBILITY_RULE = "ELIG-1"
ELIGIBILITY_PATH = "/sections/header/level"


def account_facts(svc: Services, person_id: str) -> dict[str, Any]:
    """What a rule may read of the applicant: the registration fields of the account."""
    row = svc.storage.one("SELECT name, mobile, data FROM accounts WHERE id = ?", (person_id,))
    if row is None:
        return {}
    facts = {k: v for k, v in loads(row["data"], {}).items() if "password" not in k}
    facts.update(name=row["name"], mobile=row["mobile"])
    return facts


def data_for(svc: Services, declaration: Mapping[str, Any], documents: Mapping[str, Any]) -> dict[str, Any]:
    return context_data(
        documents,
        account_facts(svc, str(declaration["person_id"])),
        int(declaration["year"]),
        svc.clock.today(),
    )


def computed(svc: Services, compiled: Mapping[str, Any], document: dict[str, Any], year: int) -> dict[str, Any]:
    """The section with its computed fields worked out from itself and the declaration year."""
    shape = svc.bundle.rules.get("shape") or {}
    if compiled.get("id") not in shape:
        return document
    return with_computed(compiled, document, shape, context_data({}, {}, year, svc.clock.today()))


def errors(svc: Services, declaration: Mapping[str, Any], documents: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every failed declaration-level rule, shaped like a section error (with its section)."""
    rules = svc.bundle.rules
    if not rules.get("rules"):
        return []
    found = []
    for finding in run_declaration_rules(rules["rules"], rules["shape"], data_for(svc, declaration, documents)):
        rule = finding.rule
        error = Error(
            path=finding.pointer,
            code="rule:" + str(rule["id"]),
            message=fill_message(str(rule["message"]), finding.params),
            rule=str(rule["rule"]),
            severity=str(rule.get("severity", "error")),
        )
        found.append({**error.as_dict(), "section": finding.section})
    return found


def eligibility(svc: Services, declaration: Mapping[str, Any], documents: Mapping[str, Any]) -> dict[str, Any] | None:
    """The ELIG-1 verdict for the declaration's series x level, or None when no table governs it."""
    rules = svc.bundle.rules
    header = documents.get("header") or {}
    found = find_level(rules.get("eligibility") or {}, header.get("series"), header.get("level"))
    if found is None:
        return None
    table_id, level = found
    texts = rules.get("texts") or {}
    outcome = assess(level, rules["shape"], data_for(svc, declaration, documents))
    return {
        "table": table_id,
        "series": header.get("series"),
        "level": header.get("level"),
        "met": outcome.met,
        "row": dict(outcome.row or {}),
        "missing": gaps_as_dicts(outcome.gaps, texts),
        "message": message(outcome, texts),
    }


def eligibility_errors(
    svc: Services, declaration: Mapping[str, Any], documents: Mapping[str, Any]
) -> list[dict[str, Any]]:
    verdict = eligibility(svc, declaration, documents)
    if verdict is None or verdict["met"]:
        return []
    error = Error(ELIGIBILITY_PATH, "eligibility", verdict["message"], ELIGIBILITY_RULE)
    return [{**error.as_dict(), "section": "header"}]


def section_errors(
    svc: Services, declaration: Mapping[str, Any], section_id: str, document: Mapping[str, Any]
) -> list[Error]:
    """The declaration-level rules that point into one section, judged with the section as
    it is being saved, so the applicant sees a wrong date where they typed it."""
    rules = svc.bundle.rules
    pointing = [rule for rule in rules.get("rules") or [] if section_of(rule) == section_id]
    if not pointing:  # nothing to judge here: the other sections and the account stay unread
        return []
    rows = svc.storage.all("SELECT section_id, data FROM sections WHERE declaration_id = ?", (declaration["id"],))
    documents = {row["section_id"]: loads(row["data"], {}) for row in rows}
    documents[section_id] = dict(document)
    found = []
    for finding in run_declaration_rules(pointing, rules["shape"], data_for(svc, declaration, documents)):
        rule = finding.rule
        found.append(
            Error(
                path=to_pointer(finding.path),
                code="rule:" + str(rule["id"]),
                message=fill_message(str(rule["message"]), finding.params),
                rule=str(rule["rule"]),
                severity=str(rule.get("severity", "error")),
            )
        )
    return found
