"""Applicant pages: my declarations (DEC-19), one generated page per section (DEC-2..17), uploads,
submit (DEC-18). Every page works without JavaScript."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from runtime.committee import certificates
from runtime.declarations import concurrency, declarations, lapsed, queues, rules, submission, uploads
from runtime.declarations.api import attachment_response, delete_attachment, find_units, receive_upload
from runtime.policy import versions
from runtime.review import workflow
from runtime.storage.rows import Account, Declaration, declaration_row
from runtime.web.forms import (
    applicant,
    blank_rows,
    decode_section,
    errors_by_path,
    page_account,
    redirect,
    resolve_orgs,
)
from runtime.web.http import HttpError, Services, check_csrf, read_form, render, services, whole_number
from runtime.web.security import same


def routes() -> list[BaseRoute]:
    return [
        Route("/declarations", my_declarations, methods=["GET"]),
        Route("/declarations/new", new_declaration, methods=["POST"]),
        Route("/declarations/{id}", overview, methods=["GET"]),
        Route("/declarations/{id}/sections/{section_id}", section, methods=["GET", "POST"]),
        Route("/declarations/{id}/attachments", upload, methods=["POST"]),
        Route("/declarations/{id}/submit", submit, methods=["GET", "POST"]),
        Route("/attachments/{attachment_id}", download, methods=["GET"]),
        Route("/attachments/{attachment_id}/delete", delete_attachment_page, methods=["POST"]),
        Route("/units/search", unit_search, methods=["GET"]),
    ]


async def my_declarations(request: Request) -> Response:
    svc = services(request)
    account = applicant(request)
    page = queues.mine(svc, account, cursor=request.query_params.get("cursor"))
    rows = [declarations.summary(svc, declaration_row(r)) for r in page.rows]
    for row in rows:
        row["comments"] = [h for h in declarations.history(svc, row["id"]) if h["comment"]]
        # COM-5: a revoked certificate is no longer offered for download
        row["certificate_revoked"] = bool(row["certificate_no"] and certificates.revocation(svc, row["certificate_no"]))
    return render(
        request,
        "declarations.html",
        declarations=rows,
        notices=workflow.open_notices(svc),
        next_cursor=page.next_cursor or "",
    )


async def new_declaration(request: Request) -> Response:
    svc = services(request)
    account = applicant(request)
    form = await read_form(request)
    check_csrf(request, form)
    declaration_id = declarations.create(svc, account)
    return redirect(f"/declarations/{declaration_id}")


def _overview_context(svc: Services, declaration: Declaration, account: Account) -> dict[str, Any]:
    """The sections with their true state now (not filled, n errors, complete) from the same check
    as submit, required uploads included (issue 16)."""
    editable = workflow.editable_sections(svc, declaration, account) or []
    counts = Counter(e["section"] for e in submission.all_errors(svc, declaration))
    touched = submission.touched_sections(svc, declaration)
    items = [
        {
            "id": form.id,
            "title": form.title,
            "errors": counts[form.id],
            "editable": form.id in editable,
            "state": "errors" if counts[form.id] else ("done" if form.id in touched else "empty"),
        }
        for form in svc.bundle.declaration_sections()
    ]
    return {
        "declaration": declarations.summary(svc, declaration),
        "sections": items,
        "history": declarations.history(svc, declaration["id"]),
        "can_submit": any(t["id"] == "submit" for t in workflow.available(svc, declaration, account)),
        "eligibility": _eligibility(svc, declaration),
    }


def _eligibility(svc: Services, declaration: Declaration) -> dict[str, Any] | None:
    """ELIG-1 on demand: the row the applicant meets, or the nearest one and what is missing."""
    documents = {sid: row["data"] for sid, row in declarations.sections(svc, declaration["id"]).items()}
    return rules.eligibility(svc, declaration, documents)


async def overview(request: Request) -> Response:
    svc = services(request)
    account = applicant(request)
    declaration = declarations.load(svc, request.path_params["id"], account)
    svc = versions.use(request, declaration)  # its own policy version (VER-1)
    return render(request, "declaration.html", **_overview_context(svc, declaration, account))


async def section(request: Request) -> Response:
    svc = services(request)
    if request.method == "POST" and getattr(request.state, "account", None) is None:
        return await _keep_lapsed(request, svc)
    account = applicant(request)
    declaration = declarations.load(svc, request.path_params["id"], account)
    svc = versions.use(request, declaration)  # its own policy version (VER-1)
    form = declarations.section_form(svc, request.path_params["section_id"])
    editable = form.id in (workflow.editable_sections(svc, declaration, account) or [])
    flashes: list[str] = []
    kept = lapsed.fields(svc, account["id"], declaration["id"], form.id) if editable else None
    if request.method == "POST":
        posted = await read_form(request)
        check_csrf(request, posted)
        remove = posted.get("remove_row")
        remove_row = whole_number(remove, 4)
        document = resolve_orgs(svc, form, decode_section(form, posted, remove_row=remove_row))
        try:
            saved = declarations.save_section(
                svc,
                declaration,
                account,
                form.id,
                document,
                keep_invalid=True,
                expected_version=concurrency.parse_form_version(posted.get("version")),
            )
        except concurrency.StaleVersion:
            if posted.get("autosave") == "1":  # the script says so; the next manual save shows both
                return JSONResponse({"saved": False, "conflict": True}, status_code=409)
            # saved meanwhile in another tab or device: keep what was typed, show both, and
            # carry the new version so that saving again is a deliberate choice (issue 13)
            fresh = declarations.load(svc, declaration["id"], account)
            return _section_page(
                request,
                svc,
                fresh,
                form,
                document,
                errors={},
                warnings=[],
                readonly=not editable,
                flashes=[],
                status=409,
                conflict=concurrency.differences(form, document, declarations.section_data(svc, fresh["id"], form.id)),
            )
        except HttpError as refused:
            if refused.status != 422:
                raise
            # a shape the form cannot hold (too many rows, text over a limit): nothing saved, say
            # why, and show what was typed so it can be shortened rather than typed again
            return _section_page(
                request,
                svc,
                declaration,
                form,
                document,
                errors=errors_by_path(refused.errors or [{"path": "", "message": refused.message}]),
                warnings=[],
                readonly=not editable,
                flashes=[],
                status=422,
            )
        if kept is not None:
            lapsed.drop(svc, account["id"], declaration["id"], form.id)
        errors = saved.errors
        blocking = [e for e in errors if e.severity == "error"]
        if posted.get("autosave") == "1":  # the page's script saving in the background
            return JSONResponse({"saved": True, "errors": len(blocking), "version": saved.version})
        stored = saved.document or {}  # with the system's values
        if posted.get("add_row") and form.rows:
            # one more blank row than were posted empty (the page itself adds the last one): a
            # filled blank row and "add a row" give one new blank row, an unused one gives two
            stored = {**stored, "rows": [*(stored.get("rows") or []), *[{}] * blank_rows(form, posted)]}
        flashes.append(
            svc.bundle.text("saved_with_errors", count=len(blocking)) if blocking else svc.bundle.text("saved")
        )
        return _section_page(
            request,
            svc,
            saved.declaration or declaration,  # its new version, for saving again
            form,
            stored,
            errors=errors_by_path(blocking),
            warnings=[e.message for e in errors if e.severity != "error"],
            readonly=not editable,
            flashes=flashes,
            status=200 if not blocking else 422,
        )
    stored = declarations.section_data(svc, declaration["id"], form.id)
    if kept is not None:  # typed before the session lapsed: shown again until saved (issue 16)
        stored = resolve_orgs(svc, form, decode_section(form, FormData(list[tuple[str, str | UploadFile]](kept))))
        flashes.append(svc.bundle.text("lapsed_restored"))
    errors = (
        declarations.check(svc, form, stored, int(declaration["year"])) if request.query_params.get("check") else []
    )
    return _section_page(
        request,
        svc,
        declaration,
        form,
        stored,
        errors=errors_by_path([e for e in errors if e.severity == "error"]),
        warnings=[],
        readonly=not editable,
        flashes=[*flashes, *([svc.bundle.text("file_deleted")] if request.query_params.get("deleted") == "1" else [])],
        upload_error=_upload_error(svc, request),
    )


async def _keep_lapsed(request: Request, svc: Services) -> Response:
    """A section posted after the session timed out: keep what was typed for the account whose
    session it was (its CSRF token proves the page was theirs), then send them to log in."""
    found = getattr(request.state, "lapsed", None)
    posted = await read_form(request)
    kept = False
    sent = posted.get("csrf_token")
    if found is not None and isinstance(sent, str) and same(sent, found["csrf_token"]):
        owner = svc.storage.one("SELECT * FROM accounts WHERE id = ?", (found["account_id"],))
        section_id = request.path_params["section_id"]
        if owner is not None and owner["kind"] == "person" and section_id in svc.bundle.sections.get("declaration", {}):
            try:
                declaration = declarations.load(svc, request.path_params["id"], owner)  # type: ignore[arg-type]
            except HttpError:
                declaration = None
            if declaration is not None:
                fields = [(k, v) for k, v in posted.multi_items() if isinstance(v, str) and k != "autosave"]
                lapsed.keep(svc, owner["id"], declaration["id"], section_id, fields)
                kept = True
    if posted.get("autosave") == "1":
        return JSONResponse({"lapsed": True, "kept": kept}, status_code=401)
    return redirect("/login?lapsed=1" if kept else "/login")


def _upload_error(svc: Services, request: Request) -> str | None:
    """The message of a failed upload, named by its code in the redirect (never text from the URL)."""
    code = request.query_params.get("upload_error")
    if not code or code not in svc.bundle.api_messages:
        return None
    values = {k: request.query_params.get(k, "") for k in _NUMBERS}
    section = svc.bundle.sections.get("declaration", {}).get(request.path_params.get("section_id", ""))
    spec = section.upload(request.query_params.get("kind", "")) if section is not None else None
    return uploads.refusal(svc, 400, code, spec, **{k: v if _number(v) else "" for k, v in values.items()}).message


# the numbers an upload's message names (limit, used, size), carried through the redirect;
# only digits come back from the URL into a message
_NUMBERS = ("limit", "used", "size")


def _number(value: object) -> bool:
    return isinstance(value, str) and re.fullmatch(r"\d{1,7}(?:\.\d)?", value) is not None


def _section_page(
    request: Request,
    svc: Services,
    declaration: Declaration,
    form: Any,
    doc: dict[str, Any],
    *,
    errors: dict[str, str],
    warnings: list[str],
    readonly: bool,
    flashes: list[str],
    status: int = 200,
    upload_error: str | None = None,
    conflict: list[dict[str, str]] | None = None,
) -> Response:
    attachments = [a for a in uploads.for_declaration(svc, declaration["id"]) if a["section_id"] == form.id]
    return render(
        request,
        f"forms/declaration/{form.id}.html",
        status=status,
        form=form,
        doc=doc,
        doc_values=doc,
        errors=errors,
        warnings=warnings,
        readonly=readonly,
        attachments=attachments,
        declaration=declarations.summary(svc, declaration),
        action=f"/declarations/{declaration['id']}/sections/{form.id}",
        upload_action=f"/declarations/{declaration['id']}/attachments",
        submit_label=None,
        sections=[{"id": f.id, "title": f.title} for f in svc.bundle.declaration_sections()],
        flashes=flashes,
        upload_error=upload_error,
        version=declaration["version"],
        conflict=conflict,
    )


async def upload(request: Request) -> Response:
    svc = services(request)
    account = applicant(request)
    declaration = declarations.load(svc, request.path_params["id"], account)
    svc = versions.use(request, declaration)  # its own policy version (VER-1)
    # CSRF for multipart: the token is a form field like any other
    try:
        attachment = await receive_upload(request, svc, declaration, account, check=check_csrf)
    except HttpError as error:
        if error.status in (401, 403, 404):
            raise
        section_id = request.query_params.get("section", "")
        if section_id not in svc.bundle.sections.get("declaration", {}):
            section_id = declarations.HEADER
        kind = request.query_params.get("kind", "")
        query = urlencode(
            {
                "upload_error": error.code,
                **({"kind": kind} if kind.isidentifier() and len(kind) <= 64 else {}),
                **{k: v for k, v in error.extra.items() if k in _NUMBERS and _number(v)},
            }
        )
        return redirect(f"/declarations/{declaration['id']}/sections/{section_id}?{query}#uploads")
    return redirect(f"/declarations/{declaration['id']}/sections/{attachment['section_id']}#uploads")


async def submit(request: Request) -> Response:
    """Submitting (the submit step) through a confirmation page (DEC-18, issue 16): GET (or a POST without `confirmed`)
    shows what will be sent and to whom, or why it cannot be; only a confirmed POST submits."""
    svc = services(request)
    account = applicant(request)
    declaration = declarations.load(svc, request.path_params["id"], account)
    svc = versions.use(request, declaration)  # its own policy version (VER-1)
    confirmed = False
    if request.method == "POST":
        form = await read_form(request)
        check_csrf(request, form)
        confirmed = form.get("confirmed") == "1"
    try:
        chain = submission.submit_plan(svc, declaration, account)
        if confirmed:
            submission.submit(svc, declaration, account)
    except HttpError as error:
        if error.status not in (409, 422):
            raise
        context = _overview_context(svc, declaration, account)
        return render(
            request,
            "declaration.html",
            status=error.status,
            submit_error=error.message,
            submit_errors=error.errors or [],
            **context,
        )
    if not confirmed:
        return render(request, "confirm_submit.html", **_confirm_context(svc, declaration, account, chain))
    fresh = declarations.load(svc, declaration["id"], account)
    return render(
        request,
        "declaration.html",
        flashes=[svc.bundle.text("submitted")],
        **_overview_context(svc, fresh, account),
    )


def _confirm_context(svc: Services, declaration: Declaration, account: Account, chain: list[str]) -> dict[str, Any]:
    names = {
        row["id"]: row["name"]
        for row in (svc.storage.one("SELECT id, name FROM organisations WHERE id = ?", (org_id,)) for org_id in chain)
        if row is not None
    }
    files = Counter(a["section_id"] for a in uploads.for_declaration(svc, declaration["id"]))
    header = declarations.sections(svc, declaration["id"]).get(declarations.HEADER, {}).get("data") or {}
    return {
        **_overview_context(svc, declaration, account),
        "receiver": names.get(chain[0], "") if chain else "",
        "upward": [names[o] for o in chain[1:] if o in names],
        "files": files,
        "header": header,
    }


async def download(request: Request) -> Response:
    svc = services(request)
    account = page_account(request)
    return attachment_response(svc, account, request.path_params["attachment_id"])


async def delete_attachment_page(request: Request) -> Response:
    """Delete beside a file while its section is editable (issue 13, finding 5); a file that cannot
    be deleted now (submitted meanwhile) is explained on its section page."""
    svc = services(request)
    account = applicant(request)
    form = await read_form(request)
    check_csrf(request, form)
    try:
        removed = delete_attachment(svc, account, request.path_params["attachment_id"])
    except HttpError as error:
        if error.status != 409:
            raise
        found = svc.storage.one(
            "SELECT declaration_id, section_id FROM attachments WHERE id = ?", (request.path_params["attachment_id"],)
        )
        if found is None:
            raise
        query = urlencode({"upload_error": error.code})
        return redirect(f"/declarations/{found['declaration_id']}/sections/{found['section_id']}?{query}#uploads")
    query = urlencode({"deleted": "1"})
    return redirect(f"/declarations/{removed['declaration_id']}/sections/{removed['section_id']}?{query}#uploads")


async def unit_search(request: Request) -> Response:
    svc = services(request)
    page_account(request)
    return JSONResponse({"units": find_units(svc, request.query_params.get("q", ""))})
