"""Submitting a declaration (DEC-18): every error of every section, required uploads,
the rules across sections and eligibility, what the applicant is shown before confirming, and the
workflow's submit step."""

from __future__ import annotations

from typing import Any

from runtime.bundle import Form
from runtime.declarations import concurrency, row_ids, rules
from runtime.declarations.declarations import _blocking, check, sections, system_values
from runtime.paths import routing
from runtime.policy import versions
from runtime.review import workflow
from runtime.storage.rows import Account, Declaration
from runtime.web.http import HttpError, Services


def all_errors(svc: Services, declaration: Declaration) -> list[dict[str, Any]]:
    """Every blocking error of every section, paths prefixed by the section (DEC-18), every upload
    the policy marks required that is missing (per section, or per row for per-row kinds), then
    the rules across sections (ELIG-2, DEC-20) and the eligibility table (ELIG-1)."""
    svc = versions.scoped(svc, declaration)
    stored = sections(svc, declaration["id"])
    files = svc.storage.all(
        "SELECT section_id, kind, row_id FROM attachments WHERE declaration_id = ?", (declaration["id"],)
    )
    result: list[dict[str, Any]] = []
    documents = {}
    for form in svc.bundle.declaration_sections():
        document = (stored.get(form.id) or {}).get("data") or {}
        documents[form.id] = document
        found = [error.as_dict() for error in _blocking(check(svc, form, document, int(declaration["year"])))]
        found += missing_uploads(svc, form, document, [f for f in files if f["section_id"] == form.id])
        for item in found:
            item["path"] = f"/sections/{form.id}{item['path']}"
            item["section"] = form.id
            result.append(item)
    result.extend(e for e in rules.errors(svc, declaration, documents) if e["severity"] == "error")
    if not result:
        # Eligibility is judged on a declaration that is otherwise complete: before that,
        # "what is missing" would name fields the applicant simply has not reached yet.
        result.extend(rules.eligibility_errors(svc, declaration, documents))
    return result


def missing_uploads(
    svc: Services, form: Form, document: dict[str, Any], files: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The required uploads of one section not yet given: a per-row kind needs one file per row."""
    result = []
    for spec in form.uploads:
        if not spec.get("required"):
            continue
        rule = spec.get("rule") or form.compiled.get("rule", "")
        kinds = [f for f in files if f["kind"] == spec["kind"]]
        if not spec.get("per_row"):
            if not kinds:
                message = svc.bundle.text("upload_required", title=spec["title"])
                result.append(
                    {"path": f"/uploads/{spec['kind']}", "code": "upload_required", "message": message, "rule": rule}
                )
            continue
        proven = {f["row_id"] for f in kinds}  # by the row's id: a deleted row's proof proves no other
        for index, row_id in enumerate(row_ids.ids(document)):
            if row_id not in proven:
                message = svc.bundle.text("upload_required_row", title=spec["title"], row=index + 1)
                result.append(
                    {
                        "path": f"/uploads/{spec['kind']}/{index}",
                        "code": "upload_required",
                        "message": message,
                        "rule": rule,
                    }
                )
    return result


def touched_sections(svc: Services, declaration: Declaration) -> set[str]:
    """Sections holding anything the applicant gave: a value the system did not set, or a file."""
    stored = sections(svc, declaration["id"])
    result = {
        str(row["section_id"])
        for row in svc.storage.all(
            "SELECT DISTINCT section_id FROM attachments WHERE declaration_id = ?", (declaration["id"],)
        )
    }
    for form in svc.bundle.declaration_sections():
        document = (stored.get(form.id) or {}).get("data") or {}
        system = system_values(svc, form, {}, int(declaration["year"]))
        if any(_given(v) for k, v in document.items() if k not in system):
            result.add(form.id)
    return result


def _given(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_given(v) for v in value.values())
    if isinstance(value, list):
        return any(_given(v) for v in value)
    return value not in (None, "")


def submit_plan(svc: Services, declaration: Declaration, account: Account) -> list[str]:
    """What submitting would do now, without doing it (DEC-18): the chain of organisation ids it
    would travel, or the HttpError it would fail with. The confirmation page shows the one, and
    offers no confirm button on the other (issue 16)."""
    svc = versions.scoped(svc, declaration)  # its own rules, routing and workflow (VER-1)
    step = workflow.transition(svc, "submit") or {}
    if declaration["state"] not in step.get("from", []) or not workflow.holds(declaration, account):
        raise HttpError(409, "conflict_state", svc.bundle.text("conflict_state"))  # e.g. submitted twice
    if "notice_open" in (step.get("guards") or []) and not workflow.notice_is_open(svc, declaration["notice_id"]):
        raise HttpError(409, "outside_window", svc.bundle.text("outside_window"))
    errors = all_errors(svc, declaration)
    if errors:
        raise HttpError(422, "validation_failed", svc.bundle.text("validation_failed"), errors=errors)
    if not declaration["unit_id"]:
        return []
    unit = svc.storage.organisation(declaration["unit_id"])
    try:
        if unit is None:
            raise routing.NoPath("no_region")
        return routing.chain_for(svc, unit, declaration["series"] or "", declaration["level"] or "")
    except routing.NoPath as exc:
        raise HttpError(409, "no_route", svc.bundle.text("no_route")) from exc


def submit(
    svc: Services, declaration: Declaration, account: Account, expected_version: int | str | None = None
) -> Declaration:
    """submit (DEC-18): the workflow's submit step, with the chain worked out now."""
    svc = versions.scoped(svc, declaration)
    chain = submit_plan(svc, declaration, account)
    context: dict[str, Any] = {"section_errors": []}
    if chain:
        context["chain"] = chain
    with svc.storage.transaction():
        fresh = svc.storage.declaration(declaration["id"])
        assert fresh is not None
        concurrency.check(int(fresh["version"]), expected_version)
        return workflow.apply(svc, fresh, account, "submit", guard_context=context)
