"""Pages of the committee office and the experts (COM-1..4): the pool (add, XLSX import, login
accounts), sessions (create, draw with its seed and who was passed over, conflicts,
attendance, vote with quorum and threshold from policy, opinions), and an expert's own
assigned declarations with the opinion and secret-ballot forms. Routed through pages.py; every
action is the same service call as the API, with CSRF."""

from __future__ import annotations

import math
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from runtime.committee import experts, opinions, policy, responses, votes
from runtime.declarations import uploads
from runtime.review import review, workflow
from runtime.storage import loads
from runtime.storage.rows import Account
from runtime.units.navigation import org_page, render_org
from runtime.web.forms import page_account, redirect
from runtime.web.http import (
    HttpError,
    Services,
    check_csrf,
    form_text,
    read_form,
    render,
    services,
    whole_number,
)

# a session takes declarations the office holds on their way to a result: those it may still
# pass (REV-1) or record a result for (REV-3), by the workflow's own `from` states
RESULT_STEPS = ("pass", "record_pass")


def routes() -> list[BaseRoute]:
    return [
        Route("/experts", pool_page, methods=["GET", "POST"]),
        Route("/experts/import", pool_import, methods=["POST"]),
        Route("/experts/{id}/account", pool_account, methods=["POST"]),
        Route("/review-sessions", sessions_page, methods=["GET", "POST"]),
        Route("/review-sessions/{id}", session_page, methods=["GET"]),
        Route("/review-sessions/{id}/{action}", session_action, methods=["POST"]),
        Route("/expert", expert_home, methods=["GET"]),
        Route("/expert/declarations/{id}", expert_declaration, methods=["GET"]),
        Route("/expert/declarations/{id}/opinion", expert_opinion, methods=["POST"]),
        Route("/expert/attachments/{id}", expert_attachment, methods=["GET"]),
        Route("/expert/sessions/{id}/ballots", expert_ballot, methods=["POST"]),
    ]


def _levels(svc: Services) -> list[str]:
    return [str(e["value"]) for e in svc.bundle.entries("levels")]


def _pool(request: Request, account: Account, status: int = 200, **context: Any) -> Response:
    svc = services(request)
    rows = experts.pool(svc, account)
    with_account = {
        r["expert_id"]
        for r in svc.storage.all(
            "SELECT x.expert_id FROM expert_accounts x JOIN experts e ON e.id = x.expert_id WHERE e.org_id = ?",
            (account["org_id"],),
        )
    }
    spec = policy.section(svc, experts.BLOCK)
    return render_org(
        request,
        "committee_experts.html",
        account,
        status=status,
        rows=[{**r, "has_account": r["id"] in with_account} for r in rows],
        levels=_levels(svc),
        columns=list(spec["import_columns"]),
        **context,
    )


async def pool_page(request: Request) -> Response:
    """COM-1: the pool with a form for one more expert."""
    svc = services(request)
    account = org_page(request)
    if account["role"] not in policy.roles(svc, experts.BLOCK):
        raise HttpError(403, "forbidden", svc.bundle.text("forbidden"))
    if request.method == "POST":
        form = await read_form(request)
        check_csrf(request, form)
        fields = {k: form_text(form, k) for k in experts.FIELDS}
        try:
            experts.add(svc, account, fields)
        except HttpError as exc:
            if exc.status in (401, 403, 404):
                raise
            return _pool(request, account, status=exc.status, error=exc.message, doc=fields)
        return redirect("/experts?done=1")
    flashes = [svc.bundle.text("expert_saved")] if request.query_params.get("done") == "1" else []
    return _pool(request, account, flashes=flashes, doc={})


async def pool_import(request: Request) -> Response:
    svc = services(request)
    account = org_page(request)
    limit = int(policy.section(svc, experts.BLOCK)["import_max_kb"]) * 1024 + 64 * 1024
    form = await read_form(request, files=True, max_size=limit)
    check_csrf(request, form)
    upload = form.get("file")
    content = b"" if upload is None or isinstance(upload, str) else await upload.read()
    try:
        made = experts.import_xlsx(svc, account, content)
    except HttpError as exc:
        if exc.status in (401, 403, 404):
            raise
        path = (exc.errors or [{}])[0].get("path", "")
        return _pool(request, account, status=exc.status, error=f"{exc.message} {path}".strip(), doc={})
    return _pool(request, account, flashes=[svc.bundle.text("experts_imported", count=len(made))], doc={})


async def pool_account(request: Request) -> Response:
    svc = services(request)
    account = org_page(request)
    form = await read_form(request)
    check_csrf(request, form)
    try:
        votes.create_account(
            svc, account, request.path_params["id"], form_text(form, "login_name"), form_text(form, "password")
        )
    except HttpError as exc:
        if exc.status in (401, 403):
            raise
        return _pool(request, account, status=exc.status, error=exc.message, doc={})
    return redirect("/experts?done=1")


def _candidates(svc: Services, account: Account) -> list[dict[str, Any]]:
    """Declarations the office holds in a state a result can be recorded from."""
    states = sorted({s for t in RESULT_STEPS for s in (workflow.transition(svc, t) or {}).get("from") or []}) or [""]
    marks = ",".join("?" * len(states))
    return svc.storage.all(
        "SELECT d.id, d.series, d.level, a.name FROM declarations d JOIN accounts a ON a.id = d.person_id"
        f" WHERE d.holder_org_id = ? AND d.state IN ({marks}) ORDER BY d.series, d.level, d.created_at LIMIT 300",
        (account["org_id"], *states),
    )


def _sessions(request: Request, account: Account, status: int = 200, **context: Any) -> Response:
    svc = services(request)
    spec = policy.section(svc, experts.BLOCK)
    return render_org(
        request,
        "committee_sessions.html",
        account,
        status=status,
        rows=experts.sessions(svc, account),
        candidates=_candidates(svc, account),
        series_options=[e["value"] for e in svc.bundle.entries("series")],
        levels=_levels(svc),
        minimums=spec.get("session_minimum") or {},
        **context,
    )


async def sessions_page(request: Request) -> Response:
    """COM-2: the office's sessions and a form for a new one."""
    svc = services(request)
    account = org_page(request)
    if account["role"] not in policy.roles(svc, experts.BLOCK):
        raise HttpError(403, "forbidden", svc.bundle.text("forbidden"))
    if request.method == "GET":
        return _sessions(request, account, doc={})
    form = await read_form(request)
    check_csrf(request, form)
    count_text = form_text(form, "expert_count")
    number = whole_number(count_text, 3)
    count: Any = count_text if number is None else number
    ids = [v for v in form.getlist("declaration_ids") if isinstance(v, str)]
    try:
        made = experts.create_session(svc, account, form_text(form, "series"), form_text(form, "level"), count, ids)
    except HttpError as exc:
        if exc.status in (401, 403, 404):
            raise
        doc = {"series": form_text(form, "series"), "level": form_text(form, "level"), "expert_count": count_text}
        return _sessions(request, account, status=exc.status, error=exc.message, doc=doc)
    return redirect(f"/review-sessions/{made['id']}")


def _session_context(svc: Services, account: Account, session_id: str) -> dict[str, Any]:
    session = experts.load_session(svc, account, session_id)
    described = experts.describe(svc, session)
    spec = policy.section(svc, votes.BLOCK)
    names = {
        r["id"]: r["name"]
        for r in svc.storage.all(
            "SELECT d.id, a.name FROM session_declarations x JOIN declarations d ON d.id = x.declaration_id"
            " JOIN accounts a ON a.id = d.person_id WHERE x.session_id = ?",
            (session["id"],),
        )
    }
    vote = svc.storage.one("SELECT * FROM session_votes WHERE session_id = ?", (session["id"],))
    tally = votes.tally(svc, account, session_id) if vote else None
    quorum = votes.fraction(str(spec["quorum"]))
    threshold = votes.fraction(str(spec["threshold"]))
    attending = len(loads(vote["attending"], [])) if vote else 0
    with_account = {
        r["expert_id"]
        for r in svc.storage.all(
            "SELECT x.expert_id FROM expert_accounts x JOIN session_experts s ON s.expert_id = x.expert_id"
            " WHERE s.session_id = ?",
            (session["id"],),
        )
    }
    return {
        "session": described,
        "names": names,
        "avoided": [e for e in experts.screening(svc, session) if e["avoided"] in ("unit", "conflict")],
        "pool": experts.pool(svc, account),
        "vote": vote,
        "tally": tally,
        "quorum_needed": math.ceil(quorum * int(session["expert_count"])),
        "agree_needed": math.ceil(threshold * attending) if attending else 0,
        "spec": spec,
        "opinions": opinions.of_session(svc, account, session_id),
        "with_account": with_account,
    }


def _session(request: Request, account: Account, status: int = 200, **context: Any) -> Response:
    svc = services(request)
    found = _session_context(svc, account, request.path_params["id"])
    return render_org(request, "committee_session.html", account, status=status, **found, **context)


async def session_page(request: Request) -> Response:
    account = org_page(request)
    done = request.query_params.get("done") == "1"
    return _session(request, account, flashes=[services(request).bundle.text("saved")] if done else [])


async def session_action(request: Request) -> Response:
    """draw, conflicts, vote (open with attendance) and close."""
    svc = services(request)
    account = org_page(request)
    session_id = request.path_params["id"]
    action = request.path_params["action"]
    if action not in ("draw", "conflicts", "vote", "close"):
        raise HttpError(404, "not_found", svc.bundle.text("not_found"))
    form = await read_form(request)
    check_csrf(request, form)
    try:
        if action == "draw":
            experts.draw(svc, account, session_id)
        elif action == "conflicts":
            experts.declare_conflict(
                svc,
                account,
                session_id,
                form_text(form, "expert_id"),
                form_text(form, "declaration_id"),
                form_text(form, "reason"),
            )
        elif action == "vote":
            attending = [v for v in form.getlist("attending") if isinstance(v, str)]
            votes.open_vote(svc, account, session_id, attending)
        else:
            votes.close_vote(svc, account, session_id)
    except HttpError as exc:
        if exc.status in (401, 403, 404):
            raise
        return _session(request, account, status=exc.status, error=exc.message)
    return redirect(f"/review-sessions/{session_id}?done=1")


def _expert(request: Request) -> Account:
    svc = services(request)
    account = page_account(request)
    votes.expert_of(svc, account)  # 403 for anyone without an expert's login
    return account


async def expert_home(request: Request) -> Response:
    """COM-3: the declarations this expert was drawn for, with the sessions whose vote is open."""
    svc = services(request)
    account = _expert(request)
    expert = votes.expert_of(svc, account)
    rows = votes.assigned(svc, account)
    names = _applicant_names(svc, [r["id"] for r in rows])
    voted = _receipts(svc, expert)
    open_votes = _open_votes(svc, expert)
    for row in rows:
        row["name"] = names.get(row["id"], "")
        row["voted"] = (row["session_id"], row["id"]) in voted
        row["may_vote"] = row["session_id"] in open_votes and not row["voted"]
    return render(request, "committee_expert_home.html", rows=rows)


def _applicant_names(svc: Services, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {
        r["id"]: r["name"]
        for r in svc.storage.all(
            f"SELECT d.id, a.name FROM declarations d JOIN accounts a ON a.id = d.person_id WHERE d.id IN ({marks})",
            tuple(ids),
        )
    }


def _receipts(svc: Services, expert: str) -> set[tuple[str, str]]:
    """What this expert has voted on (its own receipts; never what it voted)."""
    rows = svc.storage.all("SELECT session_id, declaration_id FROM ballot_receipts WHERE expert_id = ?", (expert,))
    return {(r["session_id"], r["declaration_id"]) for r in rows}


def _open_votes(svc: Services, expert: str) -> set[str]:
    rows = svc.storage.all("SELECT session_id, attending FROM session_votes WHERE closed_at IS NULL")
    return {r["session_id"] for r in rows if expert in loads(r["attending"], [])}


def _expert_declaration(request: Request, account: Account, status: int = 200, **context: Any) -> Response:
    svc = services(request)
    declaration_id = request.path_params["id"]
    item = votes.assigned_declaration(svc, account, declaration_id)  # 404 unless assigned
    expert = votes.expert_of(svc, account)
    voted = (item["session_id"], declaration_id) in _receipts(svc, expert)
    return render(
        request,
        "committee_expert_declaration.html",
        status=status,
        item=item,
        name=_applicant_names(svc, [declaration_id]).get(declaration_id, ""),
        sections=review.sections_of(svc, declaration_id),
        attachments=uploads.for_declaration(svc, declaration_id),
        opinion=opinions.mine(svc, account, declaration_id) or {},
        opinion_spec=policy.section(svc, opinions.BLOCK),
        session_open=opinions.is_open(svc, item["session_id"]),
        may_vote=item["session_id"] in _open_votes(svc, expert) and not voted,
        voted=voted,
        choices=policy.section(svc, votes.BLOCK)["choices"],
        **context,
    )


async def expert_declaration(request: Request) -> Response:
    account = _expert(request)
    done = request.query_params.get("done") == "1"
    return _expert_declaration(request, account, flashes=[services(request).bundle.text("saved")] if done else [])


async def expert_opinion(request: Request) -> Response:
    svc = services(request)
    account = _expert(request)
    form = await read_form(request)
    check_csrf(request, form)
    declaration_id = request.path_params["id"]
    try:
        opinions.record(svc, account, declaration_id, form_text(form, "opinion"), form_text(form, "score"))
    except HttpError as exc:
        if exc.status in (401, 403, 404):
            raise
        return _expert_declaration(request, account, status=exc.status, error=exc.message)
    return redirect(f"/expert/declarations/{declaration_id}?done=1")


async def expert_ballot(request: Request) -> Response:
    """COM-4: the secret ballot from the declaration page."""
    svc = services(request)
    account = _expert(request)
    form = await read_form(request)
    check_csrf(request, form)
    declaration_id = form_text(form, "declaration_id")
    try:
        votes.cast(svc, account, request.path_params["id"], declaration_id, form_text(form, "choice"))
    except HttpError as exc:
        if exc.status in (401, 403, 404):
            raise
        request.path_params["id"] = declaration_id
        return _expert_declaration(request, account, status=exc.status, error=exc.message)
    return redirect(f"/expert/declarations/{declaration_id}?done=1")


async def expert_attachment(request: Request) -> Response:
    """COM-3: an attachment of an assigned declaration, read-only; 404 for any other."""
    svc = services(request)
    account = _expert(request)
    found = svc.storage.one("SELECT * FROM attachments WHERE id = ?", (request.path_params["id"][:64],))
    if found is None:
        raise HttpError(404, "not_found", svc.bundle.text("not_found"))
    votes.assigned_declaration(svc, account, found["declaration_id"])  # 404 unless assigned
    return responses.download(uploads.read(svc, found), found["media_type"], found["filename"])
