"""committee.yaml and calendar.yaml name real authorities, roles, series and levels, and a
calendar year lists only dates of that year, each once (COM-1, COM-5, INT-2, STAT-1, PUB-3)."""

from __future__ import annotations

from typing import Any

from generator.checks import printing
from generator.errors import suggest
from generator.model import Model


def check(model: Model) -> None:
    project = model.project
    platform = project.data("platform")
    authorities = [str(a.get("id")) for a in platform.get("authorities") or [] if isinstance(a, dict)]
    roles = [str(r) for r in (platform.get("roles") or {})]
    doc = project.singles.get("committee")
    if doc is not None and isinstance(doc.data, dict):
        data = doc.data

        def ref(code: str, name: Any, known: list[str], path: tuple[Any, ...], what: str) -> None:
            if name not in known:
                project.diag(code, doc, path, suggestion=suggest(name, known), what=what, name=name, known=known)

        certificates = data.get("certificates") or {}
        ref(
            "E380",
            certificates.get("issuing_authority"),
            authorities,
            ("certificates", "issuing_authority"),
            "authority",
        )
        for key, path in (
            (certificates.get("revoke_by"), ("certificates", "revoke_by")),
            ((data.get("integrity") or {}).get("by"), ("integrity", "by")),
            ((data.get("statistics") or {}).get("by"), ("statistics", "by")),
            ((data.get("unit_publicity") or {}).get("by"), ("unit_publicity", "by")),
            ((data.get("results_publicity") or {}).get("decided_by"), ("results_publicity", "decided_by")),
        ):
            for i, role in enumerate(key or []):
                ref("E381", role, roles, (*path, i), "role")
        series = project.dictionary_values("series")
        levels = project.dictionary_values("levels")
        for i, committee in enumerate(data.get("committees") or []):
            if not isinstance(committee, dict):
                continue
            ref("E380", committee.get("organiser"), authorities, ("committees", i, "organiser"), "authority")
            for key, known, what in (("series", series, "series"), ("levels", levels, "level")):
                for j, value in enumerate(committee.get(key) or []):
                    ref("E382", value, known, ("committees", i, key, j), what)
        known = printing.known_sources(model)
        for block in ("unit_publicity", "results_publicity"):
            for i, item in enumerate((data.get(block) or {}).get("fields") or []):
                source = item.get("source") if isinstance(item, dict) else None
                if source not in known:
                    project.diag(
                        "E314",
                        doc,
                        (block, "fields", i, "source"),
                        suggestion=suggest(source, known),
                        name=source,
                        known="",
                    )
        _check_publicity_states(model, doc, data)
    _check_calendar(model)


def _check_publicity_states(model: Model, doc: Any, data: dict[str, Any]) -> None:
    """PUB-2: the public page lists declarations in states the workflow has."""
    found = model.project.workflow.get("declaration")
    workflow = found.data if found is not None and isinstance(found.data, dict) else {}
    states = [str(s) for s in (workflow.get("states") or {})]
    for i, state in enumerate((data.get("results_publicity") or {}).get("states") or []):
        if states and state not in states:
            model.project.diag(
                "E384",
                doc,
                ("results_publicity", "states", i),
                suggestion=suggest(state, states),
                name=state,
                known=", ".join(states),
            )


def _check_calendar(model: Model) -> None:
    project = model.project
    doc = project.singles.get("calendar")
    if doc is None or not isinstance(doc.data, dict):
        return
    for year, listed in (doc.data.get("years") or {}).items():
        if not isinstance(listed, dict):
            continue
        seen: set[str] = set()
        for key in ("holidays", "workdays"):
            for i, day in enumerate(listed.get(key) or []):
                if not str(day).startswith(f"{year}-") or day in seen:
                    project.diag("E383", doc, ("years", year, key, i), day=day, year=year)
                seen.add(str(day))
