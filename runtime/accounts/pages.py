"""Account pages: login with captcha (REG-4, REG-5), registration with confirmation (REG-1..3),
recovery (REG-6), basic info (REG-7), the commitment letter (DEC-1)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from runtime.accounts import accounts, password_change, recovery, totp
from runtime.accounts.api import agree, update_basic_info
from runtime.accounts.captcha import check_captcha, new_captcha
from runtime.accounts.sessions import SESSION_COOKIE, end_session, set_session_cookie, start_session
from runtime.committee import policy as committee_policy
from runtime.declarations import lapsed
from runtime.web.forms import errors_by_path, page_account, redirect
from runtime.web.http import HttpError, check_csrf, client_ip, form_text, read_form, render, services
from runtime.web.security import digest, hash_password


def routes() -> list[BaseRoute]:
    return [
        Route("/", home, methods=["GET"]),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/register", register, methods=["GET", "POST"]),
        Route("/register/confirm", register_confirm, methods=["POST"]),
        Route("/register/back", register_back, methods=["POST"]),
        Route("/recover", recover, methods=["GET", "POST"]),
        Route("/recover/reset", recover_reset, methods=["POST"]),
        Route("/me", basic_info, methods=["GET", "POST"]),
        Route("/password", change_password, methods=["GET", "POST"]),
        Route("/commitment", commitment, methods=["GET", "POST"]),
        Route("/dev/outbox", outbox, methods=["GET"]),
        Route("/support/persons", support_persons, methods=["GET", "POST"]),
    ]


async def home(request: Request) -> Response:
    account = getattr(request.state, "account", None)
    if account is None:
        return redirect("/login")
    if account["kind"] == "person" and account["role"] == committee_policy.expert_role(services(request)):
        return redirect("/expert")  # COM-3: an expert's login opens the assigned declarations
    if account["kind"] == "person":
        if not account["commitment_at"]:
            return redirect("/commitment")
        # a section typed before the session lapsed (issue 16): straight back to it
        waiting = lapsed.waiting(services(request), account["id"])
        if waiting is not None:
            return redirect(f"/declarations/{waiting['declaration_id']}/sections/{waiting['section_id']}")
        return redirect("/declarations")
    if account["role"] == "support":
        return redirect("/support/persons")
    return redirect("/review")


async def _login_page(request: Request, status: int = 200, **context: Any) -> Response:
    svc = services(request)
    captcha = await run_in_threadpool(new_captcha, svc, client_ip(request))
    return render(
        request,
        "login.html",
        status=status,
        captcha=captcha,
        contacts=svc.bundle.platform.get("contacts") or [],
        **context,
    )


async def login(request: Request) -> Response:
    svc = services(request)
    if request.method == "GET":
        kept = request.query_params.get("lapsed") == "1"
        return await _login_page(request, flashes=[svc.bundle.text("lapsed_kept")] if kept else [])
    form = await read_form(request)
    check_csrf(request, form)
    account_text = form_text(form, "account")
    if not check_captcha(svc, form_text(form, "captcha_id"), form_text(form, "captcha_answer")):
        accounts.record_bad_captcha(svc, account_text, client_ip(request))
        return await _login_page(request, 422, error=svc.bundle.text("wrong_captcha"), account_text=account_text)
    ip = client_ip(request)
    try:
        account = await run_in_threadpool(accounts.login, svc, account_text, form_text(form, "password"), ip)
    except accounts.LoginRefused as refused:
        error = accounts.refusal_error(svc, refused)
        return await _login_page(
            request,
            error.status,
            error=error.message,
            account_text=account_text,
            retry_after=refused.retry_after,
        )
    try:
        totp.check_login(svc, account, form_text(form, "totp_code"), ip)
    except HttpError as error:
        return await _login_page(request, error.status, error=error.message, account_text=account_text, totp=True)
    end_session(svc, request.cookies.get(SESSION_COOKIE))
    raw, _ = start_session(svc, account["id"])
    response = redirect("/")
    set_session_cookie(svc, response, raw)
    response.delete_cookie("csrf", path="/")
    return response


async def logout(request: Request) -> Response:
    svc = services(request)
    form = await read_form(request)
    check_csrf(request, form)
    end_session(svc, request.cookies.get(SESSION_COOKIE))
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _registration_values(form: Any) -> dict[str, Any]:
    values = {}
    for name, value in form.multi_items():
        if isinstance(value, str) and name not in ("csrf_token",):
            values[name] = value.strip()
    return values


async def register(request: Request) -> Response:
    svc = services(request)
    spec = svc.bundle.forms["person_registration"]
    if request.method == "GET":
        return render(request, "register.html", form=spec, doc={}, errors={})
    form = await read_form(request)
    check_csrf(request, form)
    values = {k: v for k, v in _registration_values(form).items() if k in spec.field_index}
    try:
        cleaned = accounts.validate_person(svc, values)
    except HttpError as error:
        shown = {k: v for k, v in values.items() if spec.field_index[k]["type"] != "password"}
        return render(
            request,
            "register.html",
            status=422,
            form=spec,
            doc=shown,
            errors=errors_by_path(error.errors or []),
        )
    password_hash = await run_in_threadpool(hash_password, cleaned["password"])
    pending = accounts.hold_pending(svc, "person", cleaned, password_hash)
    return render(request, "register_confirm.html", form=spec, doc=cleaned, pending=pending)


async def register_back(request: Request) -> Response:
    """Back (the return button) on the confirm step: the form again with every value typed (passwords excepted), not
    an empty form (issue 16). The held registration is dropped; sending the form holds it anew."""
    svc = services(request)
    form = await read_form(request)
    check_csrf(request, form)
    spec = svc.bundle.forms["person_registration"]
    held = accounts.take_pending(svc, "person", form_text(form, "pending"))
    doc = {k: v for k, v in held[0].items() if k in spec.field_index} if held else {}
    return render(request, "register.html", form=spec, doc=doc, errors={})


async def register_confirm(request: Request) -> Response:
    svc = services(request)
    form = await read_form(request)
    check_csrf(request, form)
    held = accounts.take_pending(svc, "person", form_text(form, "pending"))
    if held is None:
        raise HttpError(409, "registration_expired", svc.bundle.text("registration_expired"))
    cleaned, password_hash = held
    try:
        accounts.create_person(svc, cleaned, password_hash)
    except HttpError as error:  # the same ID number or login name was confirmed meanwhile
        spec = svc.bundle.forms["person_registration"]
        return render(
            request,
            "register.html",
            status=error.status,
            form=spec,
            doc=cleaned,
            errors=errors_by_path(error.errors or []),
        )
    return await _login_page(request, flashes=[svc.bundle.text("registered")], account_text=cleaned["login_name"])


async def recover(request: Request) -> Response:
    svc = services(request)
    if request.method == "GET":
        return render(request, "recover.html", step="request")
    form = await read_form(request)
    check_csrf(request, form)
    account_text = form_text(form, "account")
    try:
        recovery.send_recovery_code(svc, account_text, form_text(form, "mobile"), client_ip(request))
    except HttpError as error:
        return render(request, "recover.html", status=error.status, step="request", error=error.message)
    return render(
        request,
        "recover.html",
        step="reset",
        account_text=account_text,
        flashes=[svc.bundle.text("sms_sent")],
    )


async def recover_reset(request: Request) -> Response:
    svc = services(request)
    form = await read_form(request)
    check_csrf(request, form)
    account_text = form_text(form, "account")
    try:
        await run_in_threadpool(
            recovery.reset_password,
            svc,
            account_text,
            form_text(form, "code"),
            form_text(form, "new_password"),
        )
    except HttpError as error:
        messages = [e["message"] for e in error.errors or []] or [error.message]
        return render(
            request,
            "recover.html",
            status=error.status,
            step="reset",
            account_text=account_text,
            error="；".join(messages),
        )
    return await _login_page(request, flashes=[svc.bundle.text("password_was_reset")], account_text=account_text)


async def basic_info(request: Request) -> Response:
    svc = services(request)
    account = page_account(request, person=True)
    spec = svc.bundle.forms["person_registration"]
    doc = accounts.public_account(svc, account)
    if request.method == "GET":
        return render(request, "me.html", form=spec, doc=doc, errors={})
    form = await read_form(request)
    check_csrf(request, form)
    editable = [
        d["id"] for d in spec.fields if not d.get("frozen") and d["type"] != "password" and d["id"] != "login_name"
    ]
    changes = {k: form_text(form, k) for k in editable if k in form}
    try:
        update_basic_info(svc, account, changes)
    except HttpError as error:
        return render(
            request,
            "me.html",
            status=422,
            form=spec,
            doc={**doc, **changes},
            errors=errors_by_path(error.errors or []),
        )
    fresh = svc.storage.account(account["id"])
    return render(
        request,
        "me.html",
        form=spec,
        doc=accounts.public_account(svc, fresh or account),
        errors={},
        flashes=[svc.bundle.text("saved")],
    )


async def commitment(request: Request) -> Response:
    svc = services(request)
    account = page_account(request, person=True)
    letter = svc.bundle.forms["commitment"]
    if request.method == "GET":
        return render(request, "commitment.html", letter=letter.compiled)
    form = await read_form(request)
    check_csrf(request, form)
    if form_text(form, "agree") != "yes":
        return render(
            request,
            "commitment.html",
            status=422,
            letter=letter.compiled,
            error=svc.bundle.text("commitment_must_agree"),
        )
    agree(svc, account)
    return redirect("/declarations")


async def outbox(request: Request) -> Response:
    svc = services(request)
    if not svc.dev:
        raise HttpError(404, "not_found", svc.bundle.text("not_found"))
    rows = svc.storage.all("SELECT * FROM outbox ORDER BY id DESC LIMIT 100")
    return render(request, "outbox.html", messages=rows)


async def support_persons(request: Request) -> Response:
    """REG-3: platform support finds an applicant by ID number or login name and corrects the name."""
    svc = services(request)
    account = page_account(request, person=False)
    if account["role"] != "support":
        raise HttpError(403, "forbidden", svc.bundle.text("forbidden"))
    if request.method == "GET":
        query = request.query_params.get("q", "").strip()[:64]
        person = accounts.find_account(svc, query) if query else None
        if person is not None and person["kind"] != "person":
            person = None
        return render(
            request,
            "support.html",
            query=query,
            person=person,
            error=svc.bundle.text("person_not_found") if query and person is None else None,
        )
    form = await read_form(request)
    check_csrf(request, form)
    person_id = form_text(form, "person_id")
    try:
        person = accounts.correct_name(svc, account, person_id, form_text(form, "name"), form_text(form, "reason"))
    except HttpError as error:
        if error.status == 404:
            raise
        current = svc.storage.account(person_id)
        messages = [e["message"] for e in error.errors or []] or [error.message]
        return render(request, "support.html", status=error.status, query="", person=current, error="；".join(messages))
    return render(request, "support.html", query="", person=person, flashes=[svc.bundle.text("name_corrected")])


async def change_password(request: Request) -> Response:
    """Issue 13, finding 9: a logged-in person (or organisation staff) changes the password with
    the current one; the page an HR reset's or a new account's temporary password leads to."""
    svc = services(request)
    account = page_account(request)
    forced = bool(account.get("must_change_password"))
    if request.method == "GET":
        return render(request, "password.html", forced=forced)
    form = await read_form(request)
    check_csrf(request, form)
    session = request.cookies.get(SESSION_COOKIE) or ""
    try:
        await run_in_threadpool(
            password_change.change_password,
            svc,
            account,
            form_text(form, "current_password"),
            form_text(form, "new_password"),
            form_text(form, "new_password_confirm"),
            digest(session),
        )
    except HttpError as error:
        messages = [e["message"] for e in error.errors or []] or [error.message]
        return render(request, "password.html", status=error.status, forced=forced, error="；".join(messages))
    fresh = svc.storage.account(account["id"]) or account
    if password_change.gate(svc, fresh):
        return redirect(password_change.gate_page(str(password_change.gate(svc, fresh))))
    return render(request, "password.html", forced=False, flashes=[svc.bundle.text("password_changed")])
