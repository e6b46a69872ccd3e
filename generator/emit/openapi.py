"""openapi.json: the JSON API contract (docs: ../shared API.md) with bodies from the compiled forms."""

from __future__ import annotations

from typing import Any

from generator.emit import Artifacts, as_json, openapi_committee
from generator.model import Model

ERRORS = {"$ref": "#/components/schemas/Errors"}
ID_PARAM = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}


def _op(
    summary: str,
    *,
    body: Any = None,
    ok: str = "200",
    response: Any = None,
    errors: tuple[str, ...] = ("401", "403", "404"),
    params: Any = None,
    auth: bool = True,
    content: str = "application/json",
) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "responses": {}}
    if params:
        op["parameters"] = params
    if body is not None:
        op["requestBody"] = {"required": True, "content": {content: {"schema": body}}}
    op["responses"][ok] = {
        "description": "OK",
        "content": {"application/json": {"schema": response or {"type": "object"}}},
    }
    for code in errors:
        op["responses"][code] = {
            "description": {
                "401": "no or bad token",
                "403": "not allowed",
                "404": "not found",
                "409": "state conflict",
                "413": "file too large",
                "415": "unsupported file type",
                "422": "validation failed",
                "423": "account locked",
                "429": "too many attempts",
            }[code],
            "content": {"application/json": {"schema": ERRORS}},
        }
    if not auth:
        op["security"] = []
    return op


def _no_content(op: dict[str, Any]) -> dict[str, Any]:
    """An operation that answers 204 with no body when it succeeds."""
    op["responses"].pop("200", None)
    op["responses"] = {"204": {"description": "done"}, **op["responses"]}
    return op


def _printed(op: dict[str, Any]) -> dict[str, Any]:
    """A PDF laid out by the print workers (issue 13, finding 3): refused before layout when over
    the print budget (print_too_large), or while its owner has its share printing (print_busy)."""
    for code, text in (
        ("422", "the document is over the print budget (print_too_large)"),
        ("429", "documents of the same applicant or organisation are printing (print_busy)"),
    ):
        op["responses"].setdefault(code, {"description": text, "content": {"application/json": {"schema": ERRORS}}})
    return op


PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file_op(
    summary: str, media_type: str, params: Any, errors: tuple[str, ...] = ("401", "403", "404")
) -> dict[str, Any]:
    """A download: the file on 200, JSON errors otherwise; 503 when rendering runs out of time
    or memory."""
    op = _op(summary, params=params, errors=errors)
    op["responses"]["200"] = {
        "description": "OK",
        "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
    }
    op["responses"]["503"] = {
        "description": "rendering took too long (render_timeout) or failed, e.g. out of memory (render_failed)",
        "content": {"application/json": {"schema": ERRORS}},
    }
    return op


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _texts(*names: str) -> dict[str, Any]:
    return {"type": "object", "properties": {n: {"type": "string"} for n in names}}


def _query(*names: str) -> list[dict[str, Any]]:
    return [{"name": n, "in": "query", "required": False, "schema": {"type": "string"}} for n in names]


def emit(model: Model) -> Artifacts:
    schemas: dict[str, Any] = {
        "Errors": {
            "type": "object",
            "properties": {
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["path", "code", "message"],
                        "properties": {
                            "path": {"type": "string"},
                            "code": {"type": "string"},
                            "message": {"type": "string"},
                            "rule": {"type": "string"},
                            "severity": {"type": "string"},
                        },
                    },
                },
                "retry_after": {"type": "integer"},
            },
        },
        "Comment": {
            "type": "object",
            "properties": {
                "comment": {"type": "string"},
                "sections": {"type": "array", "items": {"type": "string"}},
            },
        },
        "Created": {"type": "object", "properties": {"id": {"type": "string"}}},
        "Overview": {
            "type": "object",
            "properties": {
                "title": {"type": "string"},
                "series": {"type": "string"},
                "level": {"type": "string"},
                "columns": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"title": {"type": "string"}, "source": {"type": "string"}},
                    },
                },
                "rows": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}},
            },
        },
    }
    for form_id, compiled in sorted(model.forms.items()):
        if compiled["kind"] in ("form", "section"):
            schemas[f"form_{form_id}"] = _clean(compiled["schema"])
    section_refs = []
    for form_id, sections in sorted(model.sections.items()):
        for section_id, compiled in sections.items():
            name = f"{form_id}_{section_id}"
            schemas[name] = _clean(compiled["schema"])
            section_refs.append(_ref(name))
    login = {
        "type": "object",
        "required": ["account", "password", "captcha_id", "captcha_answer"],
        "properties": {k: {"type": "string"} for k in ("account", "password", "captcha_id", "captcha_answer")},
    }
    v = "/api/v1"
    paths: dict[str, Any] = {
        f"{v}/openapi.json": {"get": _op("This document", auth=False, errors=())},
        f"{v}/forms": {
            "get": _op(
                "Forms and sections; `version` names a past policy version still in use (VER-1)",
                auth=False,
                errors=("404",),
                params=_query("version"),
            )
        },
        f"{v}/forms/{{form_id}}": {
            "get": _op(
                "A compiled form schema",
                auth=False,
                errors=("404",),
                params=[{**ID_PARAM, "name": "form_id"}, *_query("version")],
            )
        },
        f"{v}/dictionaries/{{name}}": {
            "get": _op("A code list", auth=False, errors=("404",), params=[{**ID_PARAM, "name": "name"}])
        },
        f"{v}/notices": {"get": _op("Open declaration notices", auth=False, errors=())},
        f"{v}/contacts": {"get": _op("Support phone numbers (HELP-1)", auth=False, errors=())},
        f"{v}/captcha": {"get": _op("A captcha image", auth=False, errors=())},
        f"{v}/persons": {
            "post": _op(
                "Register an applicant (REG-1..3)",
                auth=False,
                body=_ref("form_person_registration"),
                ok="201",
                response=_ref("Created"),
                errors=("409", "422"),
            )
        },
        f"{v}/units": {
            "post": _op(
                "Register a unit (UNIT-1)",
                auth=False,
                body=_ref("form_unit_registration"),
                ok="201",
                response=_ref("Created"),
                errors=("409", "422"),
            ),
            "get": _op("Fuzzy search of permitted units (DEC-4)", params=_query("q"), errors=("401",)),
        },
        f"{v}/login": {
            "post": _op("Log in (REG-4, REG-5)", auth=False, body=login, errors=("401", "422", "423", "429"))
        },
        f"{v}/logout": {"post": _op("End this bearer token", errors=("401",))},
        f"{v}/password-reset": {
            "post": _op(
                "Request an SMS code (REG-6)",
                auth=False,
                body=_texts("account", "mobile"),
                ok="202",
                errors=("422", "429"),
            )
        },
        f"{v}/password-reset/confirm": {
            "post": _op(
                "Reset with the SMS code", auth=False, body=_texts("account", "code", "new_password"), errors=("422",)
            )
        },
        f"{v}/me": {
            "get": _op("Own basic info"),
            "patch": _op("Edit basic info except name and ID number (REG-3, REG-7)", errors=("401", "422")),
        },
        f"{v}/persons/{{id}}/name": {
            "patch": _op(
                "Correct an applicant's name, platform support only, audited (REG-3)",
                params=[ID_PARAM],
                body=_texts("name", "reason"),
                errors=("401", "403", "404", "422"),
            )
        },
        f"{v}/me/commitment": {"post": _op("Agree to the commitment letter (DEC-1)")},
        f"{v}/units/me/permission": {
            "post": _op(
                "Request permission (UNIT-3, UNIT-4)",
                body=_ref("form_permission_request"),
                errors=("401", "403", "409", "422"),
            ),
            "get": _op("The unit's latest permission request and its state (UNIT-3)"),
        },
        f"{v}/permission-requests": {"get": _op("Manual review queue")},
        f"{v}/permission-requests/{{id}}/approve": {"post": _op("Approve", params=[ID_PARAM], body=_ref("Comment"))},
        f"{v}/permission-requests/{{id}}/reject": {"post": _op("Reject", params=[ID_PARAM], body=_ref("Comment"))},
        f"{v}/paths": {
            "post": _op(
                "Request a path (PATH-1)",
                body=_ref("form_path_request"),
                ok="201",
                response=_ref("Created"),
                errors=("401", "403", "409", "422"),
            ),
            "get": _op("Path requests"),
        },
        f"{v}/paths/{{id}}/approve": {"post": _op("Approve a path", params=[ID_PARAM])},
        f"{v}/paths/{{id}}/reject": {"post": _op("Reject a path", params=[ID_PARAM])},
        f"{v}/routing": {
            "get": _op(
                "The routing chain (PATH-2, PATH-3)",
                params=_query("series", "level", "region"),
                errors=("404", "422"),
            )
        },
        f"{v}/declarations": {
            "post": _op(
                "New declaration (DEC-2)",
                ok="201",
                response=_ref("Created"),
                errors=("401", "403", "409"),
            ),
            "get": _op(
                "Mine or my queue, one keyset page (limit, cursor = the last page's next_cursor); a queue also"
                " filters by series, level, state, notice, holder, held=1 and q (name part or ID number) and"
                " counts every match in total; a bad limit or cursor is 422 list_limit_invalid/list_cursor_invalid",
                params=_query("series", "level", "state", "notice", "holder", "held", "q", "limit", "cursor"),
            ),
        },
        f"{v}/declarations/{{id}}": {"get": _op("Whole declaration", params=[ID_PARAM])},
        f"{v}/declarations/{{id}}/sections/{{section_id}}": {
            "put": _op(
                "Save one section (draft)",
                params=[ID_PARAM, {**ID_PARAM, "name": "section_id"}],
                body={"oneOf": section_refs},
                errors=("401", "403", "404", "409", "422"),
            )
        },
        f"{v}/declarations/{{id}}/attachments": {
            "post": _op(
                "Upload an attachment",
                params=[ID_PARAM],
                ok="201",
                content="multipart/form-data",
                body={
                    "type": "object",
                    "properties": {
                        "section_id": {"type": "string"},
                        "row_id": {
                            "type": "string",
                            "description": "the stable id of the row the file proves (per-row kinds)",
                        },
                        "row": {"type": "integer", "description": "or the row's position now, from 0"},
                        "kind": {"type": "string"},
                        "file": {"type": "string", "format": "binary"},
                    },
                },
                errors=("401", "403", "404", "409", "413", "415", "422"),
            )
        },
        f"{v}/attachments/{{attachment_id}}": {
            "get": _op("Download an attachment", params=[{**ID_PARAM, "name": "attachment_id"}]),
            "delete": _no_content(
                _op(
                    "Delete an attachment while its section is editable",
                    params=[{**ID_PARAM, "name": "attachment_id"}],
                    errors=("401", "403", "404", "409"),
                )
            ),
        },
        f"{v}/declarations/{{id}}/submit": {
            "post": _op(
                "Submit the declaration (DEC-18)", params=[ID_PARAM], errors=("401", "403", "404", "409", "422")
            )
        },
        f"{v}/declarations/{{id}}/pass": {
            "post": _op(
                "Pass (REV-1)",
                params=[ID_PARAM],
                body=_ref("Comment"),
                errors=("401", "403", "404", "409"),
            )
        },
        f"{v}/declarations/{{id}}/return": {
            "post": _op(
                "Return (REV-1, REV-5)",
                params=[ID_PARAM],
                body=_ref("Comment"),
                errors=("401", "403", "404", "409", "422"),
            )
        },
        f"{v}/reports": {"post": _op("Report upward (REV-2)", errors=("401", "403", "409", "422"))},
        f"{v}/declarations/{{id}}/result": {
            "post": _op("Committee result (REV-3)", params=[ID_PARAM], errors=("401", "403", "404", "409"))
        },
        f"{v}/declarations/{{id}}/history": {"get": _op("Audit trail (REV-4)", params=[ID_PARAM])},
        f"{v}/declarations/{{id}}/eligibility": {
            "get": _op("Eligibility: the table row met, or the nearest and what is missing (ELIG-1)", params=[ID_PARAM])
        },
        f"{v}/declarations/{{id}}/forms": {
            "get": _op("The section schemas of the declaration's own policy version (VER-1)", params=[ID_PARAM])
        },
        f"{v}/declarations/{{id}}/review-form.pdf": {
            "get": _printed(_file_op("Review form PDF (PRN-1)", PDF, [ID_PARAM]))
        },
        f"{v}/overview": {
            "get": _op(
                "Overview rows as JSON (PRN-2)",
                params=_query("series", "level"),
                response=_ref("Overview"),
                errors=("401", "403", "422"),
            )
        },
        f"{v}/overview.pdf": {
            "get": _printed(_file_op("Overview PDF (PRN-2)", PDF, _query("series", "level"), ("401", "403", "422")))
        },
        f"{v}/overview.xlsx": {
            "get": _file_op("Overview spreadsheet (PRN-2)", XLSX, _query("series", "level"), ("401", "403", "422"))
        },
        f"{v}/declarations/{{id}}/certificate.pdf": {
            "get": openapi_committee.revoked_download(
                _printed(_file_op("Electronic certificate, only after a pass (CERT-1)", PDF, [ID_PARAM]))
            )
        },
        f"{v}/declarations/{{id}}/transitions/{{transition_id}}": {
            "post": _op(
                "Any other workflow step of build/workflow.json (e.g. a publicity step)",
                params=[ID_PARAM, {**ID_PARAM, "name": "transition_id"}],
                body=_ref("Comment"),
                errors=("401", "403", "404", "409", "422"),
            )
        },
        f"{v}/units/me": {
            "get": _op("Own unit's registration and permission (UNIT-1)"),
            "patch": _op("Edit the unit's contact details; the name is frozen (UNIT-1)", errors=("401", "403", "422")),
        },
        f"{v}/units/{{id}}/password-reset": {
            "post": _op(
                "Reset a unit's password by its region's HR authority: a one-time password by SMS to the unit,"
                " audited (UNIT-5)",
                params=[ID_PARAM],
                errors=("401", "403", "404", "409"),
            )
        },
        f"{v}/region-units": {"get": _op("Units of the caller's region (HR authority)")},
        f"{v}/me/totp": {
            "get": _op("Second-factor state of an organisation account"),
            "post": _op("Start enrolling a TOTP second factor", errors=("401", "403", "409")),
        },
        f"{v}/me/totp/confirm": {"post": _op("Confirm TOTP enrolment with a code", errors=("401", "403", "422"))},
        f"{v}/me/totp/disable": {"post": _op("Turn the TOTP second factor off", errors=("401", "403", "409", "422"))},
        f"{v}/dev/outbox": {"get": _op("SMS outbox, only with --dev (REG-6)", auth=False, errors=("404",))},
        # issue 13, findings 9 and 11: password change, named staff, the HR authority's audit
        f"{v}/me/password": {
            "post": _op(
                "Change the password with the current one; every token ends",
                body={"type": "object"},
                errors=("401", "403", "422", "429"),
            )
        },
        f"{v}/units/me/staff": {
            "get": _op("The organisation's staff accounts (its admin only)", errors=("401", "403")),
            "post": _op(
                "Create a named staff account; its first password goes by SMS",
                body={"type": "object"},
                ok="201",
                errors=("401", "403", "409", "422"),
            ),
        },
        f"{v}/audit": {
            "get": _op(
                "The HR authority's audit of its region (query: from, to, org, action)", errors=("401", "403", "404")
            )
        },
    }
    paths.update(openapi_committee.paths(v, model.project.data("messages").get("ui") or {}))
    _plumbing_statuses(paths, v)
    platform = model.project.data("platform")
    document = {
        "openapi": "3.1.0",
        "info": {"title": str(platform.get("name", "")), "version": "1"},
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "paths": paths,
    }
    return {"openapi.json": as_json(document)}


# issue 13, finding 12: the answers every route can give through the shared request plumbing,
# whatever its own logic: runtime/web/http.py (bodies), runtime/app.py (size, storage failures).
PLUMBING = {
    "400": "malformed JSON, bad UTF-8 or a malformed form body",
    "401": "no or bad token",
    "412": "If-Match names a version that is no longer current",
    "413": "request body too large",
    "415": "the body is not of the expected media type",
    "422": "validation failed",
    "503": "storage full or not writable (storage_unavailable), nothing was changed",
}
# operations that take If-Match (API.md "Concurrency")
VERSIONED = ("/sections/{section_id}", "/submit", "/pass", "/return", "/transitions/{transition_id}")


def _plumbing_statuses(paths: dict[str, Any], prefix: str) -> None:
    for path, operations in paths.items():
        for method, op in operations.items():
            codes = ["503"]
            if method in ("post", "put", "patch"):
                codes += ["400", "413", "415", "422"]
            if op.get("security") != []:
                codes.append("401")
            if method != "get" and path.startswith(f"{prefix}/declarations/") and path.endswith(VERSIONED):
                codes.append("412")
            for code in codes:
                op["responses"].setdefault(
                    code, {"description": PLUMBING[code], "content": {"application/json": {"schema": ERRORS}}}
                )


def _clean(schema: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k not in ("$schema", "$id")}
