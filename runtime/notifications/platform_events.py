"""The notices of units' requests (UNIT-3 permission, PATH-1 paths) and HR corrections: called
inside the transaction that saved the request or the decision."""

from __future__ import annotations

from typing import Any

from runtime.notifications.outbox import notify, org_name, staff
from runtime.storage import loads
from runtime.web.http import Services

HR_KIND = "region_hr"  # the organisation kind of platform.yaml that reviews a region's requests


def region_hr(svc: Services, region: str) -> list[dict[str, Any]]:
    """The staff of the HR authorities of a region."""
    orgs = svc.storage.all("SELECT id, kinds FROM organisations WHERE region = ? AND authority = 1", (region,))
    return staff(svc, *(o["id"] for o in orgs if HR_KIND in (loads(o["kinds"], []) or [])))


def permission_pending(svc: Services, unit_id: str, region: str) -> None:
    names = {r["id"]: r["name"] for r in svc.bundle.platform.get("regions") or []}
    values = {"unit": org_name(svc, unit_id), "region": names.get(region, region)}
    notify(
        svc,
        "permission_pending",
        {"region_hr": region_hr(svc, region)},
        values,
        {"organisation": "/permission-requests"},
    )


def permission_decided(svc: Services, unit_id: str, *, approved: bool, comment: str) -> None:
    event = "permission_approved" if approved else "permission_rejected"
    values = {"unit": org_name(svc, unit_id), "comment": comment}
    notify(svc, event, {"unit": staff(svc, unit_id)}, values, {"organisation": "/units/permission"})


def path_requested(svc: Services, path: dict[str, Any]) -> None:
    notify(
        svc,
        "path_requested",
        {"upper": staff(svc, path["upper_org_id"])},
        _path_values(svc, path),
        {"organisation": "/paths"},
    )


def path_decided(svc: Services, path: dict[str, Any], *, approved: bool, comment: str) -> None:
    event = "path_approved" if approved else "path_rejected"
    values = {**_path_values(svc, path), "comment": comment}
    notify(svc, event, {"unit": staff(svc, path["org_id"])}, values, {"organisation": "/paths"})


def _path_values(svc: Services, path: dict[str, Any]) -> dict[str, Any]:
    return {
        "unit": org_name(svc, path["org_id"]),
        "upper": org_name(svc, path["upper_org_id"]),
        "series": path["series"],
        "level": path["level"],
    }
