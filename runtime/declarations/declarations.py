"""Declarations and their sections (DEC-2..19): create, see, save, check, submit.

Who may see a declaration: its applicant, and an organisation of its chain
that has held it. Anyone else gets 404, as if it did not exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, cast

from runtime.bundle import Form
from runtime.clock import iso
from runtime.declarations import bounds, concurrency, row_ids, rules, unit_names, uploads
from runtime.policy import versions
from runtime.review import workflow
from runtime.storage import dumps, loads
from runtime.storage.rows import Account, Declaration, declaration_row
from runtime.web.http import HttpError, Services
from vocabulary.validation import Error

HEADER = "header"


def not_found(svc: Services) -> HttpError:
    return HttpError(404, "not_found", svc.bundle.text("not_found"))


def visible(declaration: Declaration, account: Account) -> bool:
    if account["kind"] == "person":
        return bool(declaration["person_id"] == account["id"])
    chain = loads(declaration["chain"], [])
    org = account["org_id"]
    return org in chain and chain.index(org) <= int(declaration["reached"])


def load(svc: Services, declaration_id: str, account: Account) -> Declaration:
    if not isinstance(declaration_id, str) or len(declaration_id) > 64:
        raise not_found(svc)
    row = svc.storage.declaration(declaration_id)
    if row is None or not visible(row, account):
        raise not_found(svc)
    return row


def mine(svc: Services, account: Account) -> list[Declaration]:
    rows = svc.storage.all("SELECT * FROM declarations WHERE person_id = ? ORDER BY created_at DESC", (account["id"],))
    return [declaration_row(row) for row in rows]


def section_form(svc: Services, section_id: str) -> Form:
    form = svc.bundle.sections.get("declaration", {}).get(section_id)
    if form is None:
        raise HttpError(404, "unknown_section", svc.bundle.text("unknown_section"))
    return form


def create(svc: Services, account: Account, notice_id: str | None = None) -> str:
    """A new declaration for an open notice (DEC-2), stamped with the policy version."""
    if account["kind"] != "person":
        raise HttpError(403, "forbidden", svc.bundle.text("forbidden"))
    if not account["commitment_at"]:
        raise HttpError(403, "commitment_required", svc.bundle.text("commitment_required"))
    notices = workflow.open_notices(svc)
    chosen = next((n for n in notices if notice_id in (None, n["id"])), None)
    if chosen is None:
        raise HttpError(409, "no_notice", svc.bundle.text("no_notice"))
    declaration_id = uuid.uuid4().hex
    now = iso(svc.clock.now())
    with svc.storage.transaction():
        if svc.storage.one(
            "SELECT 1 AS x FROM declarations WHERE person_id = ? AND notice_id = ?",
            (account["id"], chosen["id"]),
        ):
            raise HttpError(409, "duplicate_declaration", svc.bundle.text("duplicate_declaration"))
        svc.storage.insert(
            "declarations",
            {
                "id": declaration_id,
                "person_id": account["id"],
                "notice_id": chosen["id"],
                "year": chosen["year"],
                "schema_hash": svc.bundle.schema_hash,
                "state": workflow.definition(svc)["initial"],
                "holder_org_id": None,
                "created_at": now,
                "updated_at": now,
                "state_since": now,
            },
        )
        for form in svc.bundle.declaration_sections():
            document = system_values(svc, form, {}, chosen["year"])
            svc.storage.insert(
                "sections",
                {
                    "declaration_id": declaration_id,
                    "section_id": form.id,
                    "data": dumps(document),
                    "error_count": len(_blocking(check(svc, form, document, chosen["year"]))),
                    "updated_at": now,
                },
            )
    return declaration_id


def system_values(svc: Services, form: Form, document: dict[str, Any], year: int) -> dict[str, Any]:
    """Fill what the system decides: constants (DEC-5), the notice year and computed fields
    (DEC-8 years of appointment); never user input."""
    result = dict(document)
    for field in form.compiled.get("fields") or []:
        if "const" in field:
            result[field["id"]] = field["const"]
        elif field.get("source") == "notice.year":
            result[field["id"]] = year
    return rules.computed(svc, form.compiled, result, year)


def sections(svc: Services, declaration_id: str) -> dict[str, dict[str, Any]]:
    """Every stored section; every row carries its `row_id` (rows saved before ids existed get
    theirs by position, as migration 8 gave their files)."""
    rows = svc.storage.all("SELECT * FROM sections WHERE declaration_id = ?", (declaration_id,))
    return {row["section_id"]: {**row, "data": row_ids.with_ids(loads(row["data"], {}))} for row in rows}


def section_data(svc: Services, declaration_id: str, section_id: str) -> dict[str, Any]:
    """One stored section's data as `sections` gives it (rows with their `row_id`); {} if none."""
    return row_ids.with_ids(_stored(svc, declaration_id, section_id))


def _stored(svc: Services, declaration_id: str, section_id: str) -> dict[str, Any]:
    found = svc.storage.one(
        "SELECT data FROM sections WHERE declaration_id = ? AND section_id = ?", (declaration_id, section_id)
    )
    data = loads(found["data"], {}) if found else {}
    return data if isinstance(data, dict) else {}


def check(svc: Services, form: Form, document: Any, year: int) -> list[Error]:
    """Every error of one section: the compiled rules, plus organisation fields that must name a
    registered unit holding permission (DEC-4) — a fact only the database knows."""
    errors = form.validator.errors(document, svc.bundle.context(year=year, today=svc.clock.today()))
    if not isinstance(document, dict):
        return errors
    for field in form.compiled.get("fields") or []:
        value = document.get(field["id"])
        if field["type"] == "org" and value not in (None, "") and _unit_id(svc, value) is None:
            path = f"/{field['id']}"
            if not any(e.path == path for e in errors):
                code, message = unit_refusal(svc, value)
                errors.append(Error(path, code, message, field.get("rule", "")))
    return errors


def unit_refusal(svc: Services, value: Any) -> tuple[str, str]:
    """Why a typed declaring unit is refused: a registered unit without permission, or a name that
    matches no permitted unit — then the closest permitted names, so a typo is easy to fix."""
    text = str(value)[:64]
    if svc.storage.one("SELECT 1 AS x FROM organisations WHERE id = ? OR name = ?", (text, text)):
        return "unit_not_permitted", svc.bundle.text("unit_not_permitted")
    message = svc.bundle.text("unit_not_found", name=text)
    close = unit_names.close_names(svc, text)
    if close:
        names = svc.bundle.text("list_separator").join(close)
        message += svc.bundle.text("message_separator") + svc.bundle.text("unit_suggestions", names=names)
    return "unit_not_found", message


def _blocking(errors: list[Error]) -> list[Error]:
    return [e for e in errors if e.severity == "error"]


def well_formed(svc: Services, form: Form, document: Any) -> None:
    """Shape only: an object of known fields holding text, numbers or rows. Else 422, nothing saved."""
    bad = HttpError(422, "invalid_document", svc.bundle.text("invalid_document"))
    if not isinstance(document, dict):
        raise bad
    known = set(form.field_index) | ({"rows"} if form.rows else set())
    for key, value in document.items():
        if key not in known:
            raise HttpError(
                422,
                "validation_failed",
                svc.bundle.text("validation_failed"),
                errors=[
                    {
                        "path": f"/{key}",
                        "code": "additionalProperties",
                        "message": svc.bundle.text("unknown_field"),
                        "rule": form.compiled["rule"],
                    }
                ],
            )
        if key == "rows":
            limit = (form.rows or {}).get("max") or 100
            if not isinstance(value, list) or len(value) > max(limit, 1) * 2:
                raise HttpError(
                    422,
                    "validation_failed",
                    svc.bundle.text("validation_failed"),
                    errors=[
                        {
                            "path": "/rows",
                            "code": "maxItems",
                            "message": svc.bundle.text("too_many_rows", limit=limit),
                            "rule": form.compiled["rule"],
                        }
                    ],
                )
            for row in value:
                if not isinstance(row, dict) or not all(_scalar(v) for v in row.values()):
                    raise bad
        elif form.field_index[key]["type"] == "group":
            if not (value in (None, "") or (isinstance(value, dict) and all(_scalar(v) for v in value.values()))):
                raise bad
        elif not _scalar(value):
            raise bad


def _scalar(value: Any) -> bool:
    return value is None or (isinstance(value, (str, int)) and len(str(value)) <= 10000)


@dataclass(frozen=True)
class Saved:
    """What a section save found and, unless its errors refused it, what it stored and the
    declaration's version after it: the page and the API answer with these, not a second read."""

    errors: list[Error]
    document: dict[str, Any] | None = None  # as stored, with the system's values
    declaration: Declaration | None = None  # its row as the save left it

    @property
    def version(self) -> int | None:
        return None if self.declaration is None else int(self.declaration["version"])


def save_section(
    svc: Services,
    declaration: Declaration,
    account: Account,
    section_id: str,
    document: Any,
    *,
    keep_invalid: bool,
    expected_version: int | str | None = None,
) -> Saved:
    """Save one section as a draft (DEC-2). With keep_invalid (pages) a draft with errors is
    kept so nothing typed is lost; otherwise (API default) errors mean nothing is saved.
    With expected_version, concurrency.StaleVersion when another save came first (issue 13)."""
    svc = versions.scoped(svc, declaration)
    form = section_form(svc, section_id)
    editable = workflow.editable_sections(svc, declaration, account)
    if editable is None or section_id not in editable:
        raise HttpError(409, "not_editable", svc.bundle.text("not_editable"))
    well_formed(svc, form, document)
    if form.rows:  # ids the server vouches for, before anything judges the rows (issue 13)
        document = row_ids.assign(_stored(svc, declaration["id"], section_id), document)
    bounds.check_fields(svc, form, document)  # drafts too: nothing over a limit is stored
    document = _keep_frozen_and_system(svc, form, declaration, document)
    errors = check(svc, form, document, int(declaration["year"]))
    errors.extend(rules.section_errors(svc, declaration, section_id, document))
    blocking = _blocking(errors)
    if blocking and not keep_invalid:
        return Saved(errors)
    now = iso(svc.clock.now())
    with svc.storage.transaction():
        current = svc.storage.one(
            "SELECT state, holder_org_id, version FROM declarations WHERE id = ?", (declaration["id"],)
        )
        if current is None or current["state"] != declaration["state"]:
            raise HttpError(409, "conflict_state", svc.bundle.text("conflict_state"))
        concurrency.check(int(current["version"]), expected_version)
        bounds.check_total(svc, declaration["id"], section_id, document)
        if form.rows:
            # again inside the transaction: a row another save removed meanwhile is new here
            document = row_ids.assign(_stored(svc, declaration["id"], section_id), document)
            uploads.drop_removed_rows(svc, declaration["id"], section_id, row_ids.ids(document))
        svc.storage.execute(
            "UPDATE sections SET data = ?, error_count = ?, updated_at = ? WHERE declaration_id = ? AND section_id = ?",
            (dumps(document), len(blocking), now, declaration["id"], section_id),
        )
        changed: dict[str, Any] = {"updated_at": now, "version": int(current["version"]) + 1}
        if section_id == HEADER:  # the queue's columns follow the header (issue 14)
            changed |= {
                "unit_id": _unit_id(svc, document.get("unit")),
                "series": _text_or_none(document.get("series")),
                "level": _text_or_none(document.get("level")),
            }
            svc.storage.execute(
                "UPDATE declarations SET unit_id = ?, series = ?, level = ?, updated_at = ?, version = version + 1"
                " WHERE id = ?",
                (changed["unit_id"], changed["series"], changed["level"], now, declaration["id"]),
            )
        else:
            svc.storage.execute(
                "UPDATE declarations SET updated_at = ?, version = version + 1 WHERE id = ?", (now, declaration["id"])
            )
    saved = cast(Declaration, {**declaration, **changed})
    return Saved(errors, document, saved)


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _unit_id(svc: Services, value: Any) -> str | None:
    """The id of a registered unit (not an authority) holding permission (DEC-4, UNIT-2)."""
    if not isinstance(value, str) or not value or len(value) > 64:
        return None
    row = svc.storage.one("SELECT id FROM organisations WHERE id = ? AND permitted = 1 AND authority = 0", (value,))
    return str(row["id"]) if row else None


def _keep_frozen_and_system(
    svc: Services, form: Form, declaration: Declaration, document: dict[str, Any]
) -> dict[str, Any]:
    return system_values(svc, form, document, int(declaration["year"]))


def history(svc: Services, declaration_id: str) -> list[dict[str, Any]]:
    rows = svc.storage.all(
        "SELECT h.*, a.name AS actor_name, o.name AS org_name FROM history h"
        " LEFT JOIN accounts a ON a.id = h.actor_id LEFT JOIN organisations o ON o.id = h.org_id"
        " WHERE h.declaration_id = ? ORDER BY h.id",
        (declaration_id,),
    )
    for row in rows:
        row["sections"] = loads(row["sections"], None)
        step = workflow.transition(svc, row["transition"])
        # not a workflow step (a policy migration, VER-3): its title is a page text
        row["transition_title"] = (
            step["title"] if step else svc.bundle.ui.get(f"history_{row['transition']}", row["transition"])
        )
    return rows


def summary(svc: Services, declaration: Declaration, *, holder: str | None = None) -> dict[str, Any]:
    """`holder`: the holding organisation's name when the caller read it already (a page of rows
    in one query); else it is looked up here."""
    svc = versions.scoped(svc, declaration)
    if declaration["holder_org_id"] and holder is None:
        org = svc.storage.one("SELECT name FROM organisations WHERE id = ?", (declaration["holder_org_id"],))
        holder = org["name"] if org else None
    return {
        "id": declaration["id"],
        "year": declaration["year"],
        "notice_id": declaration["notice_id"],
        "state": declaration["state"],
        "state_title": workflow.state_title(svc, declaration["state"]),
        "holder_org_id": declaration["holder_org_id"],
        "holder": holder,
        "series": declaration["series"],
        "level": declaration["level"],
        "schema_hash": declaration["schema_hash"],
        "policy_version": declaration["schema_hash"],
        "notice": workflow.notice(svc, declaration["notice_id"]),
        "certificate_no": declaration["certificate_no"],
        "reopened": loads(declaration["reopened"], None),
        "created_at": declaration["created_at"],
        "updated_at": declaration["updated_at"],
        "version": declaration["version"],
    }
