"""Writing notices: what schemas/notifications.yaml says an event tells whom, filled in, into each
recipient's message list and, for SMS, into sms_outbox — inside the caller's transaction, so a
notice exists exactly when its action was saved. Nothing here talks to the SMS gateway."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from runtime.clock import iso
from runtime.storage import loads
from runtime.web.http import Services

SMS_LIMIT = 500  # characters: a longer text (a long review comment) is cut in the SMS, not in the list


@lru_cache(maxsize=8)
def _policy(path: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(Path(path).read_text("utf-8"))
    return found


def policy(svc: Services) -> dict[str, Any]:
    return _policy(str(svc.bundle.root / "notifications.json"))


def fill(template: str, values: dict[str, Any]) -> str:
    for name, value in values.items():
        template = template.replace("{" + name + "}", "" if value is None else str(value))
    return template


def notify(
    svc: Services,
    event: str,
    recipients: Mapping[str, Sequence[Mapping[str, Any]]],
    values: dict[str, Any],
    links: dict[str, str],
    *,
    condition: str = "",
) -> int:
    """Write the notices of `event`: `recipients` maps a recipient name (applicant, holder, unit …)
    to accounts, `links` an account kind (person, organisation) to the page a message opens.
    Notices whose `only_if` differs from `condition` are skipped. Returns how many were written."""
    written = 0
    now = iso(svc.clock.now())
    settings = policy(svc)
    prefix = str(settings["sms"].get("prefix", ""))
    for notice in settings["events"].get(event) or []:
        if notice["only_if"] and notice["only_if"] != condition:
            continue
        text = fill(notice["text"], values)
        for account in recipients.get(notice["to"]) or []:
            svc.storage.insert(
                "messages",
                {
                    "account_id": account["id"],
                    "event": event,
                    "text": text,
                    "link": links.get(account["kind"], ""),
                    "created_at": now,
                    "read_at": None,
                },
            )
            written += 1
            if notice["sms"] and account.get("mobile"):
                sms = prefix + text
                svc.storage.insert(
                    "sms_outbox",
                    {
                        "account_id": account["id"],
                        "mobile": account["mobile"],
                        "text": sms if len(sms) <= SMS_LIMIT else sms[: SMS_LIMIT - 1] + "…",
                        "event": event,
                        "state": "pending",
                        "attempts": 0,
                        "next_at": now,
                        "created_at": now,
                    },
                )
                queued.add()
    return written


class QueuedCount:
    """How many SMS this process has queued: a request during which it grew has SMS to send
    after its answer (runtime.notifications.wiring), without asking the database first."""

    def __init__(self) -> None:
        self.value = 0
        self._lock = threading.Lock()

    def add(self) -> None:
        with self._lock:
            self.value += 1


queued = QueuedCount()


# -- who the recipients are ---------------------------------------------------------------


def person(svc: Services, account_id: str | None) -> list[dict[str, Any]]:
    row = svc.storage.one("SELECT * FROM accounts WHERE id = ?", (account_id,)) if account_id else None
    return [row] if row else []


def staff(svc: Services, *org_ids: str | None) -> list[dict[str, Any]]:
    """Every account of these organisations."""
    wanted = [o for o in org_ids if o]
    if not wanted:
        return []
    marks = ",".join("?" for _ in wanted)
    return svc.storage.all(
        f"SELECT * FROM accounts WHERE kind = 'organisation' AND org_id IN ({marks}) ORDER BY created_at, id",
        tuple(wanted),
    )


def org_name(svc: Services, org_id: str | None) -> str:
    row = svc.storage.one("SELECT name FROM organisations WHERE id = ?", (org_id,)) if org_id else None
    return str(row["name"]) if row else ""


# -- the events of the declaration workflow --------------------------------------------------


def on_step(
    svc: Services,
    step: dict[str, Any],
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    actor: Mapping[str, Any],
    comment: str,
    sections: list[str] | None,
) -> None:
    """A workflow step was taken (inside its transaction): tell whom notifications.yaml names."""
    holder = after["holder_org_id"]
    values = declaration_values(svc, after)
    values.update(
        step=step.get("title", step["id"]),
        org=org_name(svc, actor.get("org_id")),
        holder=org_name(svc, holder),
        comment=comment,
        sections=_section_titles(svc, loads(after.get("reopened"), None) or sections),
    )
    recipients = {"applicant": person(svc, after["person_id"]), "holder": staff(svc, holder)}
    notify(
        svc,
        step["id"],
        recipients,
        values,
        declaration_links(after),
        condition="held_by_applicant" if holder is None else "held_by_organisation",
    )


def declaration_values(svc: Services, declaration: Mapping[str, Any]) -> dict[str, Any]:
    header = svc.storage.one(
        "SELECT data FROM sections WHERE declaration_id = ? AND section_id = 'header'", (declaration["id"],)
    )
    applicant = person(svc, declaration["person_id"])
    state = (svc.bundle.workflow.get("declaration") or {}).get("states", {}).get(declaration["state"]) or {}
    return {
        "year": declaration["year"],
        "applicant": applicant[0]["name"] if applicant else "",
        "series": declaration["series"] or "",
        "level": declaration["level"] or "",
        "title": loads(header["data"], {}).get("title", "") if header else "",
        "state": state.get("title", declaration["state"]),
        "certificate_no": declaration.get("certificate_no") or "",
    }


def declaration_links(declaration: Mapping[str, Any]) -> dict[str, str]:
    return {"person": f"/declarations/{declaration['id']}", "organisation": f"/review/{declaration['id']}"}


def _section_titles(svc: Services, sections: list[str] | None) -> str:
    forms = {f.id: f.title for f in svc.bundle.declaration_sections()}
    chosen = [forms[s] for s in sections or [] if s in forms]
    if not chosen:
        return svc.bundle.text("notify_all_sections")
    return svc.bundle.text("list_separator").join(chosen)


def on_certificate(svc: Services, declaration: Mapping[str, Any]) -> None:
    notify(
        svc,
        "certificate_issued",
        {"applicant": person(svc, declaration["person_id"])},
        declaration_values(svc, declaration),
        {"person": "/declarations"},
    )
