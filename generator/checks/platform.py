"""platform.yaml: regions, authorities, roles, contacts and notices refer to each other correctly."""

from __future__ import annotations

from typing import Any

from generator.errors import suggest
from generator.model import Model


def check(model: Model) -> None:
    project = model.project
    doc = project.singles.get("platform")
    if doc is None or not isinstance(doc.data, dict):
        return
    data = doc.data
    regions = [r.get("id") for r in data.get("regions") or [] if isinstance(r, dict)]
    kinds = list((data.get("org_kinds") or {}).keys())
    authorities = [a.get("id") for a in data.get("authorities") or [] if isinstance(a, dict)]

    def ref(what: str, name: Any, known: list[Any], path: tuple[Any, ...]) -> None:
        if name not in known:
            names = [str(k) for k in known]
            project.diag(
                "E315",
                doc,
                path,
                suggestion=suggest(name, names),
                what=what,
                name=name,
                known=names,
            )

    for i, region in enumerate(data.get("regions") or []):
        if isinstance(region, dict) and "parent" in region:
            ref("region", region["parent"], regions, ("regions", i, "parent"))
    for role_id, role in (data.get("roles") or {}).items():
        for j, kind in enumerate((role or {}).get("org_kinds") or []):
            ref("organisation kind", kind, kinds, ("roles", role_id, "org_kinds", j))
    for i, authority in enumerate(data.get("authorities") or []):
        if not isinstance(authority, dict):
            continue
        ref("region", authority.get("region"), regions, ("authorities", i, "region"))
        for j, kind in enumerate(authority.get("kinds") or []):
            ref("organisation kind", kind, kinds, ("authorities", i, "kinds", j))
    for i, contact in enumerate(data.get("contacts") or []):
        if isinstance(contact, dict) and "authority" in contact:
            ref("authority", contact["authority"], authorities, ("contacts", i, "authority"))
    levels = project.dictionary_values("levels")
    series = project.dictionary_values("series")
    for i, notice in enumerate(data.get("notices") or []):
        for key, known, dictionary in (("levels", levels, "levels"), ("series", series, "series")):
            chosen = (notice or {}).get(key)
            if isinstance(chosen, list):
                for j, value in enumerate(chosen):
                    if value not in known:
                        project.diag(
                            "E307",
                            doc,
                            ("notices", i, key, j),
                            suggestion=suggest(value, known),
                            value=value,
                            dictionary=dictionary,
                        )
