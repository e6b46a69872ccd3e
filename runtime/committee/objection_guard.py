"""The guard `objections_settled` (PUB-2): a result becomes final only when its publicity
closed without an upheld objection. Apart from the publicity machinery so the workflow
engine can use it without importing what that machinery needs."""

from __future__ import annotations

from typing import Any

from runtime.web.http import HttpError, Services


def refuse_unless_settled(svc: Services, declaration: dict[str, Any]) -> None:
    """Objections of this publicity (since the declaration entered its state) must all be
    decided, and none upheld; an upheld one asks for a correction, which starts a new round."""
    round_start = declaration["state_since"] or declaration["updated_at"]
    rows = svc.storage.all(
        "SELECT decision FROM result_objections WHERE declaration_id = ? AND round >= ?",
        (declaration["id"], round_start),
    )
    for code, found in (
        ("objection_upheld", any(r["decision"] == "upheld" for r in rows)),
        ("objections_pending", any(r["decision"] is None for r in rows)),
    ):
        if found:
            message = svc.bundle.text(code)
            raise HttpError(
                409, code, message, errors=[{"path": "", "code": code, "message": message, "rule": "PUB-2"}]
            )
