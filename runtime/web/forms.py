"""Helpers for the HTML pages: who is logged in, template helpers, form decoding."""

from __future__ import annotations

import re
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse

from runtime.bundle import ROW_ID, Form
from runtime.storage.rows import Account
from runtime.web.http import HttpError, Services, services

_ROW_NAME = re.compile(r"^rows\.(\d{1,4})\.([a-z][a-z0-9_]*)$")
_GROUP_NAME = re.compile(r"^([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)$")


class Redirect(Exception):
    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


def page_account(request: Request, *, person: bool | None = None) -> Account:
    """The logged-in account, or a redirect to the login page."""
    account: Account | None = getattr(request.state, "account", None)
    if account is None:
        raise Redirect("/login")
    if person is True and account["kind"] != "person":
        raise HttpError(403, "forbidden", services(request).bundle.text("forbidden"))
    if person is False and account["kind"] == "person":
        raise HttpError(403, "forbidden", services(request).bundle.text("forbidden"))
    return account


def applicant(request: Request) -> Account:
    """A logged-in applicant who has agreed to the commitment letter (DEC-1)."""
    account = page_account(request, person=True)
    if not account["commitment_at"]:
        raise Redirect("/commitment")
    return account


def redirect(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303)


def when(value: object) -> str:
    """A stored time (ISO 8601 in the platform's zone, 2026-12-02T14:55:13+08:00) as people read
    it on a page: 2026-12-02 14:55; anything else as it is, nothing for none."""
    if not isinstance(value, str):
        return "" if value is None else str(value)
    if len(value) >= 16 and value[10:11] == "T":
        return value[:10] + " " + value[11:16]
    return value


def install_template_helpers(svc: Services) -> None:
    env = svc.templates
    env.globals["options_for"] = lambda d, values: options_for(svc, d, values)
    env.globals["display_value"] = display_value
    env.filters["anchor"] = anchor
    env.filters["when"] = when
    env.globals["limits"] = svc.bundle.platform.get("limits") or {}  # platform.yaml's, for maxlength
    env.globals["org_label"] = lambda value: org_label(svc, value)
    said: dict[int, tuple[dict[str, Any], str]] = {}  # per upload kind: its spec, its limits said

    def upload_limits(spec: dict[str, Any]) -> str:
        known = said.get(id(spec))
        if known is None or known[0] is not spec:
            known = said[id(spec)] = (spec, upload_limits_text(svc, spec))
        return known[1]

    env.globals["upload_limits"] = upload_limits


def upload_limits_text(svc: Services, spec: dict[str, Any]) -> str:
    """The limits of one kind of upload as people read them: types, size per file, how many."""
    size_mb = int(spec["max_size_kb"]) / 1024
    return svc.bundle.text(
        "upload_limits",
        types=svc.bundle.text("list_separator").join(str(t).upper() for t in spec["types"]),
        size=f"{size_mb:g}",
        count=spec["max_files"],
    )


def org_label(svc: Services, value: Any) -> str:
    """An organisation field shows the unit's name; it stores the unit's id."""
    row = svc.storage.one("SELECT name FROM organisations WHERE id = ?", (str(value),))
    return str(row["name"]) if row else str(value)


def resolve_orgs(svc: Services, form: Form, document: dict[str, Any]) -> dict[str, Any]:
    """Typed unit names become ids of permitted units; unknown names stay as typed (and fail)."""
    for descriptor in form.compiled.get("fields") or []:
        value = document.get(descriptor["id"])
        if descriptor["type"] == "org" and isinstance(value, str) and value:
            row = svc.storage.one(
                "SELECT id FROM organisations WHERE (id = ? OR name = ?) AND permitted = 1 AND authority = 0",
                (value, value),
            )
            if row:
                document[descriptor["id"]] = row["id"]
    return document


def anchor(path: str) -> str:
    """An error path as the id of its input: /rows/2/end -> rows-2-end."""
    return "-".join(p for p in str(path).split("/") if p) or "top"


def display_value(descriptor: dict[str, Any], value: Any) -> str:
    if value is None:
        return ""
    return str(value)


def options_for(svc: Services, descriptor: dict[str, Any], values: dict[str, Any] | None) -> list[str]:
    """The choices of a select: its dictionary, or a cascade narrowed by the chosen values (DEC-3)."""
    if descriptor.get("options"):
        nonempty = descriptor.get("options_nonempty")
        if not nonempty or not values:
            return list(descriptor["options"])
        # A cascade key (a series) whose cascade is empty for the chosen parents (no titles at
        # that level) is not offered: the same narrowing conditions.js does with JavaScript.
        by_value = {str(e["value"]): e for e in svc.bundle.entries(nonempty["dictionary"])}
        return [
            option
            for option in descriptor["options"]
            if all(_resolve(by_value.get(str(option)) or {}, path, values) for path in nonempty["paths"])
        ]
    source = descriptor.get("options_from")
    if not source:
        return []
    values = values or {}
    entries = svc.bundle.entries(source["dictionary"])
    key_value = values.get(source["key"])
    chosen = [e for e in entries if e["value"] == key_value] if key_value else entries
    options: list[str] = []
    for entry in chosen:
        for item in _resolve(entry, source["member_of"], values):
            if item not in options:
                options.append(item)
    return options


def _resolve(entry: dict[str, Any], path: str, values: dict[str, Any]) -> list[str]:
    node: Any = entry
    for part in path.split("."):
        placeholder = re.fullmatch(r"\{(\w+)\}", part)
        if placeholder:
            chosen = values.get(placeholder.group(1))
            if not chosen:
                if isinstance(node, dict):  # not chosen yet: every option under every key
                    return [str(v) for items in node.values() for v in (items or [])]
                return []
            part = str(chosen)
        if not isinstance(node, dict) or part not in node:
            return []
        node = node[part]
    if isinstance(node, dict):
        return [str(k) for k in node]
    return [str(v) for v in node or []]


def decode_section(form: Form, data: FormData, *, remove_row: int | None = None) -> dict[str, Any]:
    """The posted fields as a section document: `rank`, `full_time.school`, `rows.3.start`.

    Rows keep their posted order; `remove_row` (the remove button's posted index) is left out
    and empty rows are dropped, so the saved rows are numbered from 0 again."""
    document: dict[str, Any] = {}
    rows: dict[int, dict[str, Any]] = {}
    for name, raw in data.multi_items():
        if not isinstance(raw, str):
            continue
        value = raw.strip()
        row_match = _ROW_NAME.match(name)
        group_match = _GROUP_NAME.match(name)
        if row_match and form.rows:
            column = row_match.group(2)
            if column == ROW_ID:  # the row's id, vouched for by the save (row_ids.assign)
                rows.setdefault(int(row_match.group(1)), {})[ROW_ID] = value[:64]
            elif column in form.row_index:
                rows.setdefault(int(row_match.group(1)), {})[column] = _typed(form.row_index[column], value)
        elif group_match and group_match.group(1) in form.field_index:
            group = form.field_index[group_match.group(1)]
            sub = {d["id"]: d for d in group.get("fields") or []}.get(group_match.group(2))
            if sub is not None:
                document.setdefault(group["id"], {})[sub["id"]] = _typed(sub, value)
        elif name in form.field_index:
            document[name] = _typed(form.field_index[name], value)
    if form.rows:
        document["rows"] = [
            rows[i]
            for i in sorted(rows)
            if i != remove_row and any(v not in ("", None) for k, v in rows[i].items() if k != ROW_ID)
        ]
    return document


def blank_rows(form: Form, data: FormData) -> int:
    """How many posted rows were left empty: the blank row a rows page always offers, and the
    ones "add a row" added before. decode_section drops them; the page offers them again."""
    filled: dict[str, bool] = {}
    for name, raw in data.multi_items():
        row_match = _ROW_NAME.match(name) if form.rows else None
        if row_match and row_match.group(2) != ROW_ID and isinstance(raw, str):
            filled[row_match.group(1)] = filled.get(row_match.group(1), False) or bool(raw.strip())
    return sum(1 for used in filled.values() if not used)


def _typed(descriptor: dict[str, Any], value: str) -> Any:
    if descriptor.get("type") == "integer" and re.fullmatch(r"-?\d{1,9}", value):
        return int(value)
    return value


def errors_by_path(errors: list[dict[str, Any]] | list[Any]) -> dict[str, str]:
    result: dict[str, str] = {}
    for error in errors:
        item = error if isinstance(error, dict) else error.as_dict()
        if item.get("severity", "error") == "error":
            result.setdefault(item["path"], item["message"])
    return result
