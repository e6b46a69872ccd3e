"""Accounts over the JSON API: register, log in, recover, basic info, commitment (REG-*, DEC-1)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from runtime.accounts import accounts, password_change, recovery, totp
from runtime.accounts.captcha import check_captcha
from runtime.accounts.sessions import issue_api_token, require_account, revoke_api_token
from runtime.clock import iso
from runtime.storage import dumps, loads
from runtime.storage.rows import Account
from runtime.web.http import HttpError, Services, client_ip, json_response, read_json, read_optional_json, services
from runtime.web.security import hash_password


def routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/persons", register_person, methods=["POST"]),
        Route("/api/v1/login", login, methods=["POST"]),
        Route("/api/v1/logout", logout, methods=["POST"]),
        Route("/api/v1/password-reset", password_reset, methods=["POST"]),
        Route("/api/v1/password-reset/confirm", password_reset_confirm, methods=["POST"]),
        Route("/api/v1/me", me, methods=["GET", "PATCH"]),
        Route("/api/v1/me/commitment", commitment, methods=["POST"]),
        Route("/api/v1/me/password", change_password, methods=["POST"]),
        Route("/api/v1/persons/{id}/name", correct_name, methods=["PATCH"]),
    ]


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    return value if isinstance(value, str) else ""


def text_fields(svc: Services, body: Any, keys: tuple[str, ...]) -> dict[str, str]:
    """The named fields of a JSON object, each text (missing ones empty); 422 for anything else."""
    if not isinstance(body, dict):
        raise HttpError(422, "invalid_document", svc.bundle.text("invalid_document"))
    errors = [
        {"path": f"/{key}", "code": "type", "message": svc.bundle.text("not_text"), "rule": ""}
        for key in keys
        if body.get(key) is not None and not isinstance(body[key], str)
    ]
    if errors:
        raise accounts.validation_error(svc, errors)
    return {key: _text(body, key) for key in keys}


async def register_person(request: Request) -> JSONResponse:
    svc = services(request)
    body = await read_json(request)
    cleaned = accounts.validate_person(svc, body)
    password_hash = await run_in_threadpool(hash_password, cleaned["password"])
    account_id = accounts.create_person(svc, cleaned, password_hash)
    return json_response({"id": account_id}, status=201)


async def login(request: Request) -> JSONResponse:
    svc = services(request)
    body = text_fields(
        svc, await read_json(request), ("account", "password", "captcha_id", "captcha_answer", "totp_code")
    )
    if not check_captcha(svc, body["captcha_id"], body["captcha_answer"]):
        accounts.record_bad_captcha(svc, body["account"], client_ip(request))
        raise HttpError(
            422,
            "bad_captcha",
            svc.bundle.text("bad_captcha"),
            errors=[
                {
                    "path": "/captcha_answer",
                    "code": "bad_captcha",
                    "message": svc.bundle.text("bad_captcha"),
                    "rule": "REG-5",
                }
            ],
        )
    ip = client_ip(request)
    try:
        account = await run_in_threadpool(accounts.login, svc, body["account"], body["password"], ip)
    except accounts.LoginRefused as refused:
        raise accounts.refusal_error(svc, refused) from None
    totp.check_login(svc, account, body["totp_code"], ip)  # organisation accounts that turned it on
    raw, expires = issue_api_token(svc, account["id"])
    return json_response(
        {
            "token": raw,
            "expires_at": expires,
            "role": account["role"],
            "account_id": account["id"],
            "org_id": account["org_id"],
            "name": account["name"],
            "commitment_required": account["kind"] == "person" and not account["commitment_at"],
            # the step this account must take before anything else (issue 13, finding 9)
            "password_change_required": password_change.gate(svc, account) == "password_change_required",
            "totp_setup_required": password_change.gate(svc, account) == "totp_setup_required",
        }
    )


async def logout(request: Request) -> JSONResponse:
    """Ends this token on the server; other tokens and page sessions stay."""
    require_account(request)
    await read_optional_json(request)
    revoke_api_token(services(request), request.headers.get("authorization"))
    return json_response({"ok": True})


async def password_reset(request: Request) -> JSONResponse:
    svc = services(request)
    body = text_fields(svc, await read_json(request), ("account", "mobile"))
    recovery.send_recovery_code(svc, body["account"], body["mobile"], client_ip(request))
    return json_response({"message": svc.bundle.text("sms_sent")}, status=202)


async def password_reset_confirm(request: Request) -> JSONResponse:
    svc = services(request)
    body = text_fields(svc, await read_json(request), ("account", "code", "new_password"))
    await run_in_threadpool(recovery.reset_password, svc, body["account"], body["code"], body["new_password"])
    return json_response({"message": svc.bundle.text("password_was_reset")})


async def me(request: Request) -> JSONResponse:
    svc = services(request)
    account = require_account(request)
    if request.method == "PATCH":
        body = await read_json(request)
        update_basic_info(svc, account, body)
        account = require_account(request)
    return json_response(accounts.public_account(svc, account))


def update_basic_info(svc: Services, account: Account, changes: Any) -> None:
    """REG-7: the registration fields stay editable, except the frozen ones and the password."""
    if account["kind"] != "person":
        raise HttpError(403, "forbidden", svc.bundle.text("forbidden"))
    form = svc.bundle.forms["person_registration"]
    if not isinstance(changes, dict):
        raise HttpError(422, "invalid_document", svc.bundle.text("invalid_document"))
    errors = []
    for key in changes:
        descriptor = form.field_index.get(key)
        if descriptor is None or descriptor["type"] == "password" or key == "login_name":
            errors.append(
                {
                    "path": f"/{key}",
                    "code": "additionalProperties",
                    "message": svc.bundle.text("unknown_field"),
                    "rule": "REG-7",
                }
            )
        elif descriptor.get("frozen"):
            errors.append(accounts.field_error(svc, "person_registration", key, "frozen_field"))
    if errors:
        raise accounts.validation_error(svc, errors)
    if not changes:
        return
    current = {
        **loads(account["data"], {}),
        "login_name": account["login_name"],
        "id_number": account["id_number"],
        "name": account["name"],
        "mobile": account["mobile"],
    }
    merged = {**current, **changes}
    found = [
        e
        for e in form.validator.errors(merged, svc.bundle.context(today=svc.clock.today()))
        if e.severity == "error" and e.path.strip("/") in changes
    ]
    found += [
        e
        for e in form.validator.errors(merged, svc.bundle.context(today=svc.clock.today()))
        if e.code.startswith("rule:id-card") and e.severity == "error"
    ]
    if found:
        raise accounts.validation_error(svc, list({e.path: e for e in found}.values()))
    data = {
        k: v
        for k, v in merged.items()
        if k not in ("login_name", "id_number", "name", "mobile", "password", "password_confirm")
    }
    with svc.storage.transaction():
        svc.storage.execute(
            "UPDATE accounts SET data = ?, mobile = ? WHERE id = ?",
            (dumps(data), merged.get("mobile"), account["id"]),
        )
        accounts.audit(svc, account["id"], "basic_info", account["id"], {"fields": sorted(changes)})


async def commitment(request: Request) -> JSONResponse:
    svc = services(request)
    account = require_account(request)
    await read_optional_json(request)
    agree(svc, account)
    return json_response({"ok": True, "version": svc.bundle.forms["commitment"].compiled.get("version")})


def agree(svc: Services, account: Account) -> None:
    """DEC-1: record the agreement with its time and the letter's version."""
    if account["kind"] != "person":
        raise HttpError(403, "forbidden", svc.bundle.text("forbidden"))
    version = svc.bundle.forms["commitment"].compiled.get("version", "")
    with svc.storage.transaction():
        svc.storage.execute(
            "UPDATE accounts SET commitment_version = ?, commitment_at = ? WHERE id = ?",
            (version, iso(svc.clock.now()), account["id"]),
        )


async def correct_name(request: Request) -> JSONResponse:
    """REG-3: platform support corrects an applicant's name; nobody else may (403)."""
    svc = services(request)
    account = require_account(request)
    if account["role"] != "support":
        raise HttpError(403, "forbidden", svc.bundle.text("forbidden"))
    body = text_fields(svc, await read_json(request), ("name", "reason"))
    person = accounts.correct_name(svc, account, request.path_params["id"], body["name"], body["reason"])
    return json_response(accounts.public_account(svc, person))


async def change_password(request: Request) -> JSONResponse:
    """Issue 13, finding 9: the password changes with the current one; every token ends (this
    one too: log in again with the new password)."""
    svc = services(request)
    account = require_account(request)
    body = text_fields(svc, await read_json(request), ("current_password", "new_password", "new_password_confirm"))
    await run_in_threadpool(
        password_change.change_password,
        svc,
        account,
        body["current_password"],
        body["new_password"],
        body["new_password_confirm"],
    )
    return json_response({"message": svc.bundle.text("password_changed")})
