"""Declarations over the JSON API (DEC-2..19): create, read, save sections, upload, submit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from runtime.accounts.sessions import require_account
from runtime.declarations import concurrency, declarations, queues, rules, submission, uploads
from runtime.policy import versions
from runtime.review import workflow
from runtime.storage.rows import Account, Declaration, declaration_row
from runtime.web.http import (
    HttpError,
    Services,
    json_response,
    read_form,
    read_json,
    read_optional_json,
    services,
    whole_number,
)


def routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/declarations", list_or_create, methods=["GET", "POST"]),
        Route("/api/v1/declarations/{id}", show, methods=["GET"]),
        Route("/api/v1/declarations/{id}/sections/{section_id}", save_section, methods=["PUT"]),
        Route("/api/v1/declarations/{id}/attachments", upload, methods=["POST"]),
        Route("/api/v1/attachments/{attachment_id}", download_or_delete, methods=["GET", "DELETE"]),
        Route("/api/v1/declarations/{id}/submit", submit, methods=["POST"]),
        Route("/api/v1/declarations/{id}/history", history, methods=["GET"]),
        Route("/api/v1/declarations/{id}/eligibility", eligibility, methods=["GET"]),
        Route("/api/v1/declarations/{id}/forms", forms, methods=["GET"]),
        Route("/api/v1/units", search_units, methods=["GET"]),
    ]


async def list_or_create(request: Request) -> JSONResponse:
    svc = services(request)
    account = require_account(request)
    if request.method == "POST":
        notice_id = (await read_optional_json(request)).get("notice_id")
        if notice_id is not None and not isinstance(notice_id, str):
            raise HttpError(422, "invalid_document", svc.bundle.text("invalid_document"))
        declaration_id = declarations.create(svc, account, notice_id)
        return json_response({"id": declaration_id}, status=201)
    params = request.query_params
    if account["kind"] == "person":
        page = queues.mine(svc, account, limit=params.get("limit"), cursor=params.get("cursor"))
        total = None
    else:
        filters = queues.QueueFilter.from_params(params)
        page = queues.queue(svc, account, filters, limit=params.get("limit"), cursor=params.get("cursor"))
        total = queues.queue_count(svc, account, filters)
    return json_response(
        {
            "declarations": [declarations.summary(svc, declaration_row(r)) for r in page.rows],
            "next_cursor": page.next_cursor,
            "limit": page.limit,
            **({"total": total} if total is not None else {}),
        }
    )


async def show(request: Request) -> JSONResponse:
    svc = services(request)
    account = require_account(request)
    declaration = declarations.load(svc, request.path_params["id"], account)
    svc = versions.use(request, declaration)  # its own policy version (VER-1)
    return concurrency.tagged(full(svc, declaration, account))


def full(svc: Services, declaration: Declaration, account: Account) -> dict[str, Any]:
    stored = declarations.sections(svc, declaration["id"])
    return {
        **declarations.summary(svc, declaration),
        "sections": {sid: row["data"] for sid, row in stored.items()},
        "section_errors": {sid: row["error_count"] for sid, row in stored.items()},
        "editable_sections": workflow.editable_sections(svc, declaration, account) or [],
        "actions": [t["id"] for t in workflow.available(svc, declaration, account)],
        "attachments": [_attachment(a) for a in uploads.for_declaration(svc, declaration["id"])],
        "history": declarations.history(svc, declaration["id"]),
    }


def _attachment(row: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "section_id", "row_id", "row", "kind", "filename", "sha256", "size", "media_type", "created_at")
    return {k: row.get(k) for k in keys}


async def save_section(request: Request) -> JSONResponse:
    svc = services(request)
    account = require_account(request)
    declaration = declarations.load(svc, request.path_params["id"], account)
    svc = versions.use(request, declaration)  # its own policy version (VER-1)
    body = await read_json(request)
    keep = request.query_params.get("draft") == "true"
    try:
        saved = declarations.save_section(
            svc,
            declaration,
            account,
            request.path_params["section_id"],
            body,
            keep_invalid=keep,
            expected_version=concurrency.parse_if_match(request.headers.get("if-match")),
        )
    except concurrency.StaleVersion as stale:
        raise concurrency.precondition_failed(svc, stale.current) from None
    blocking = [e.as_dict() for e in saved.errors if e.severity == "error"]
    warnings = [e.as_dict() for e in saved.errors if e.severity != "error"]
    if saved.version is None:
        raise HttpError(422, "validation_failed", svc.bundle.text("validation_failed"), errors=blocking + warnings)
    version = saved.version
    response = json_response({"saved": True, "errors": blocking, "warnings": warnings, "version": version})
    response.headers["ETag"] = concurrency.etag(version)
    return response


async def upload(request: Request) -> JSONResponse:
    svc = services(request)
    account = require_account(request)
    declaration = declarations.load(svc, request.path_params["id"], account)
    svc = versions.use(request, declaration)  # its own policy version (VER-1)
    attachment = await receive_upload(request, svc, declaration, account)
    return json_response({"attachment_id": attachment["id"], "sha256": attachment["sha256"]}, status=201)


async def receive_upload(
    request: Request,
    svc: Services,
    declaration: Declaration,
    account: Account,
    check: Callable[[Request, FormData], None] | None = None,
) -> dict[str, Any]:
    """Shared by the page and the API: the multipart body checked field by field."""
    specs = [u for f in svc.bundle.declaration_sections() for u in f.uploads]
    largest = max(specs, key=lambda u: int(u["max_size_kb"]), default=None)
    limit = int(largest["max_size_kb"]) if largest else 10240
    try:
        form = await read_form(request, files=True, max_size=limit * 1024 + 64 * 1024)
    except HttpError as error:
        if error.code != "body_too_large":
            raise
        # the body is refused before its fields are read: name the limits of the kind the page
        # asked for (its query), else the largest there is
        asked = _asked_spec(svc, request) or largest
        raise uploads.refusal(
            svc, 413, "file_too_large", asked, limit=(asked or {}).get("max_size_kb", limit)
        ) from error
    if check is not None:
        check(request, form)
    section_id = form.get("section_id")
    kind = form.get("kind")
    file = form.get("file")
    if not isinstance(section_id, str) or not isinstance(kind, str) or not isinstance(file, UploadFile):
        raise HttpError(422, "bad_request", svc.bundle.text("bad_request"))
    section = declarations.section_form(svc, section_id)
    spec = section.upload(kind)
    if spec is None:
        raise HttpError(422, "unknown_upload_kind", svc.bundle.text("unknown_upload_kind"))
    editable = workflow.editable_sections(svc, declaration, account)
    if editable is None or section_id not in editable:
        raise HttpError(409, "not_editable", svc.bundle.text("not_editable"))
    given: str | int | None = None
    row_id = form.get("row_id")
    row_text = form.get("row")
    offset = 0
    if row_text is None and form.get("row_number") is not None:  # a position counted from 1
        row_text, offset = form.get("row_number"), 1
    if isinstance(row_id, str) and row_id.strip():
        given = row_id.strip()[:64]
    elif isinstance(row_text, str) and row_text.strip():
        text = row_text.strip()
        number = whole_number(text, 6)
        if number is None:
            raise HttpError(422, "bad_request", svc.bundle.text("bad_request"))
        given = number - offset
    elif row_id is not None or row_text is not None:
        raise HttpError(422, "bad_request", svc.bundle.text("bad_request"))
    bound = uploads.resolve_row(svc, declaration["id"], section_id, spec, given)  # a row held now, or 422
    content = await file.read(int(spec["max_size_kb"]) * 1024 + 1)
    return uploads.store(
        svc,
        declaration,
        account,
        section_id=section_id,
        kind=kind,
        row_id=bound,
        filename=file.filename or "",
        content=content,
        spec=spec,
    )


def _asked_spec(svc: Services, request: Request) -> dict[str, Any] | None:
    section = svc.bundle.sections.get("declaration", {}).get(request.query_params.get("section", ""))
    return section.upload(request.query_params.get("kind", "")) if section is not None else None


async def download_or_delete(request: Request) -> Response:
    svc = services(request)
    account = require_account(request)
    if request.method == "DELETE":
        delete_attachment(svc, account, request.path_params["attachment_id"])
        return Response(status_code=204)
    return attachment_response(svc, account, request.path_params["attachment_id"])


def delete_attachment(svc: Services, account: Account, attachment_id: str) -> dict[str, Any]:
    """Shared by the page and the API: 404 unless the declaration is visible to the account,
    409 unless the file's section is editable by it now (issue 13, finding 5)."""
    attachment = svc.storage.one("SELECT declaration_id FROM attachments WHERE id = ?", (attachment_id[:64],))
    if attachment is None:
        raise HttpError(404, "not_found", svc.bundle.text("not_found"))
    declaration = declarations.load(svc, attachment["declaration_id"], account)  # 404 unless allowed
    svc = versions.scoped(svc, declaration)
    editable = workflow.editable_sections(svc, declaration, account)
    return uploads.delete(svc, declaration, editable, attachment_id)


def attachment_response(svc: Services, account: Account, attachment_id: str) -> Response:
    attachment = svc.storage.one("SELECT * FROM attachments WHERE id = ?", (attachment_id,))
    if attachment is None:
        raise declarations.not_found(svc)
    declarations.load(svc, attachment["declaration_id"], account)  # 404 unless allowed
    from urllib.parse import quote

    disposition = (
        f"attachment; filename=\"{attachment['sha256'][:12]}\"; filename*=UTF-8''{quote(attachment['filename'])}"
    )
    return Response(
        uploads.read(svc, attachment),
        media_type=attachment["media_type"],
        headers={"content-disposition": disposition},
    )


async def submit(request: Request) -> JSONResponse:
    svc = services(request)
    account = require_account(request)
    declaration = declarations.load(svc, request.path_params["id"], account)
    svc = versions.use(request, declaration)  # its own policy version (VER-1)
    await read_optional_json(request)
    try:
        updated = submission.submit(
            svc, declaration, account, concurrency.parse_if_match(request.headers.get("if-match"))
        )
    except concurrency.StaleVersion as stale:
        raise concurrency.precondition_failed(svc, stale.current) from None
    return concurrency.tagged(declarations.summary(svc, updated))


async def eligibility(request: Request) -> JSONResponse:
    """ELIG-1 on demand: whether the declaration's series x level table is met, and if not,
    the nearest row and exactly what is missing. ``table`` is null when no table governs it."""
    svc = services(request)
    account = require_account(request)
    declaration = declarations.load(svc, request.path_params["id"], account)
    documents = {sid: row["data"] for sid, row in declarations.sections(svc, declaration["id"]).items()}
    verdict = rules.eligibility(svc, declaration, documents)
    if verdict is None:
        verdict = {
            "table": None,
            "met": None,
            "row": None,
            "missing": [],
            "message": svc.bundle.text("eligibility_no_table"),
        }
    return json_response(verdict)


async def history(request: Request) -> JSONResponse:
    svc = services(request)
    account = require_account(request)
    declaration = declarations.load(svc, request.path_params["id"], account)
    svc = versions.use(request, declaration)  # its own policy version (VER-1)
    return json_response({"history": declarations.history(svc, declaration["id"])})


async def forms(request: Request) -> JSONResponse:
    """The section schemas that apply to this declaration: those of its own policy version (VER-1)."""
    svc = services(request)
    account = require_account(request)
    declaration = declarations.load(svc, request.path_params["id"], account)
    svc = versions.use(request, declaration)
    return json_response(
        {
            "id": declaration["id"],
            "notice_id": declaration["notice_id"],
            "policy_version": declaration["schema_hash"],
            "sections": [
                {"id": f.id, "title": f.title, "schema": f.compiled["schema"]}
                for f in svc.bundle.declaration_sections()
            ],
        }
    )


async def search_units(request: Request) -> JSONResponse:
    svc = services(request)
    require_account(request)
    return json_response({"units": find_units(svc, request.query_params.get("q", ""))})


def find_units(svc: Services, query: str) -> list[dict[str, Any]]:
    """Fuzzy search of registered units holding permission (DEC-4): every typed character, in order."""
    query = "".join(c for c in query if not c.isspace() and c not in "%_\\")[:50]
    if not query:
        return []
    pattern = "%" + "%".join(query) + "%"
    return svc.storage.all(
        "SELECT id, name, region FROM organisations WHERE permitted = 1 AND authority = 0 AND name LIKE ?"
        " ORDER BY length(name), name LIMIT 20",
        (pattern,),
    )
