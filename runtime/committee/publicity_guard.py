"""The report guard of unit publicity (PUB-1), apart from the publicity machinery so the
workflow engine can use it without importing what the machinery needs."""

from __future__ import annotations

from typing import Any

from runtime.web.http import HttpError, Services


def refuse_unless_done(svc: Services, declaration: dict[str, Any], chain: list[str]) -> None:
    """The report guard: at the declaring unit (first of the chain) the declaration must be in
    a publicity that ended and has its stamped report form; elsewhere nothing to check."""
    if not chain or declaration["holder_org_id"] != chain[0]:
        return
    done = svc.storage.one(
        "SELECT 1 AS x FROM unit_publicities p JOIN unit_publicity_items i ON i.publicity_id = p.id"
        " WHERE i.declaration_id = ? AND p.ended_at IS NOT NULL AND p.report_sha256 IS NOT NULL",
        (declaration["id"],),
    )
    if done is None:
        message = svc.bundle.text("publicity_required")
        raise HttpError(
            409,
            "publicity_required",
            message,
            errors=[{"path": "", "code": "publicity_required", "message": message, "rule": "PUB-1"}],
        )
