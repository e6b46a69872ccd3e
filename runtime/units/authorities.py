"""The authorities of platform.yaml (HR bureaus, the departments of the routing table,
platform support) are policy data: synchronised from build/ into organisations at every start."""

from __future__ import annotations

from runtime.clock import iso
from runtime.storage import dumps
from runtime.web.http import Services


def sync_authorities(svc: Services) -> None:
    now = iso(svc.clock.now())
    with svc.storage.transaction():
        for authority in svc.bundle.platform.get("authorities") or []:
            row = {
                "id": authority["id"],
                "name": authority["name"],
                "kinds": dumps(authority["kinds"]),
                "region": authority["region"],
                "authority": 1,
                "permitted": 1,
            }
            if svc.storage.one("SELECT 1 AS x FROM organisations WHERE id = ?", (authority["id"],)):
                svc.storage.execute(
                    "UPDATE organisations SET name = ?, kinds = ?, region = ?, authority = 1 WHERE id = ?",
                    (row["name"], row["kinds"], row["region"], row["id"]),
                )
            else:
                svc.storage.insert("organisations", {**row, "created_at": now})
