"""Pages of the results publicity (PUB-2): the public list and its real-name objection form (no
login, CSRF by the double-submit cookie, throttled per client address), and the committee
office's list of objections with the uphold / dismiss form. Routed through pages.py."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from runtime.committee import policy, responses, results_publicity
from runtime.storage.rows import Account
from runtime.units.navigation import org_page, render_org
from runtime.web.forms import redirect
from runtime.web.http import HttpError, check_csrf, client_ip, form_text, read_form, render, services

OBJECTION_FIELDS = ("name", "id_number", "unit", "contact", "text")


def routes() -> list[BaseRoute]:
    return [
        Route("/results-publicity", public_list, methods=["GET"]),
        Route("/results-publicity/{id}/objection", objection_form, methods=["GET", "POST"]),
        Route("/result-objections", office_list, methods=["GET"]),
        Route("/result-objections/{id}/decision", decide, methods=["POST"]),
        Route("/result-objections/{id}/evidence", evidence, methods=["GET"]),
    ]


async def public_list(request: Request) -> Response:
    """Public, no login: the results under publicity, only the fields policy lists."""
    svc = services(request)
    after = request.query_params.get("after") or None
    listing = results_publicity.public_list(svc, after[:64] if after else None)
    flashes = [svc.bundle.text("objection_saved")] if request.query_params.get("done") == "1" else []
    return render(request, "committee_results_publicity.html", listing=listing, flashes=flashes)


async def objection_form(request: Request) -> Response:
    """Public: the real-name objection to one listed result (evidence optional)."""
    svc = services(request)
    declaration_id = request.path_params["id"]
    entry = results_publicity.public_entry(svc, declaration_id)
    spec = policy.section(svc, results_publicity.BLOCK)
    context: dict[str, Any] = {"entry": entry, "spec": spec, "doc": {}}
    status = 200
    if request.method == "POST":
        max_size = int(spec["evidence"]["max_size_kb"]) * 1024 + 64 * 1024
        form = await read_form(request, files=True, max_size=max_size)
        check_csrf(request, form)
        fields = {k: form_text(form, k) for k in OBJECTION_FIELDS}
        upload = form.get("evidence")
        evidence = None
        if upload is not None and not isinstance(upload, str):
            evidence = (upload.filename or "", await upload.read())
        try:
            results_publicity.object_to(svc, client_ip(request), declaration_id, fields, evidence)
        except HttpError as exc:
            if exc.status in (401, 403, 404):
                raise
            status, context["error"], context["doc"] = exc.status, exc.message, fields
            context["error_path"] = (exc.errors or [{}])[0].get("path", "")
        else:
            return redirect("/results-publicity?done=1")
    return render(request, "committee_result_objection.html", status=status, **context)


def _office_page(request: Request, account: Account, status: int = 200, **context: Any) -> Response:
    svc = services(request)
    only_open = request.query_params.get("state") == "open"
    page = results_publicity.for_office(
        svc, account, "open" if only_open else "", cursor=request.query_params.get("cursor")
    )
    limit = policy.section(svc, results_publicity.BLOCK)["decision_reason_max_length"]
    return render_org(
        request,
        "committee_result_objections.html",
        account,
        status=status,
        rows=page.rows,
        next_cursor=page.next_cursor,
        only_open=only_open,
        reason_limit=limit,
        **context,
    )


async def office_list(request: Request) -> Response:
    """The objections to results this organisation holds, with the decision form."""
    svc = services(request)
    account = org_page(request)
    flashes = [svc.bundle.text("objection_decision_saved")] if request.query_params.get("done") == "1" else []
    return _office_page(request, account, flashes=flashes)


async def decide(request: Request) -> Response:
    svc = services(request)
    account = org_page(request)
    form = await read_form(request)
    check_csrf(request, form)
    try:
        results_publicity.decide(
            svc, account, request.path_params["id"], form_text(form, "decision"), form_text(form, "reason")
        )
    except HttpError as exc:
        if exc.status in (401, 403, 404):
            raise
        return _office_page(request, account, status=exc.status, error=exc.message)
    return redirect("/result-objections?done=1")


async def evidence(request: Request) -> Response:
    svc = services(request)
    account = org_page(request)
    content, media_type, name = results_publicity.evidence_of(svc, account, request.path_params["id"])
    return responses.download(content, media_type, name)
