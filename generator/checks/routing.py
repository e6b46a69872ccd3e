"""Routing tables name real series, levels and organisations; chains name real steps and tables."""

from __future__ import annotations

from generator.errors import suggest
from generator.model import Model
from vocabulary.terms import CHAIN_STEPS, TABLE_STEP


def check(model: Model) -> None:
    project = model.project
    authorities = [str(a.get("name")) for a in project.data("platform").get("authorities") or [] if isinstance(a, dict)]
    levels = project.dictionary_values("levels")
    series = project.dictionary_values("series")
    tables = {k for k, d in project.routing.items() if isinstance(d.data, dict) and "cells" in d.data}
    for _, doc in sorted(project.routing.items()):
        data = doc.data if isinstance(doc.data, dict) else {}
        table_levels = [str(x) for x in data.get("levels") or []]
        for i, level in enumerate(table_levels):
            if level not in levels:
                project.diag(
                    "E307",
                    doc,
                    ("levels", i),
                    suggestion=suggest(level, levels),
                    value=level,
                    dictionary="levels",
                )
        for series_name, row in (data.get("cells") or {}).items():
            if series_name not in series:
                project.diag(
                    "E307",
                    doc,
                    ("cells", series_name),
                    at_key=True,
                    suggestion=suggest(series_name, series),
                    value=series_name,
                    dictionary="series",
                )
            for level, organisation in (row or {}).items():
                if level not in table_levels:
                    project.diag(
                        "E307",
                        doc,
                        ("cells", series_name, level),
                        at_key=True,
                        suggestion=suggest(level, table_levels),
                        value=level,
                        dictionary="levels",
                    )
                if organisation is not None and organisation not in authorities:
                    project.diag(
                        "E309",
                        doc,
                        ("cells", series_name, level),
                        suggestion=suggest(organisation, authorities),
                        name=organisation,
                    )
        for i, chain in enumerate(data.get("chains") or []):
            for j, step in enumerate((chain or {}).get("steps") or []):
                match = TABLE_STEP.match(str(step))
                if step in CHAIN_STEPS:
                    continue
                if match and match.group(1) in tables:
                    continue
                known = [*CHAIN_STEPS, *(f"table:{t}" for t in sorted(tables))]
                project.diag(
                    "E320",
                    doc,
                    ("chains", i, "steps", j),
                    suggestion=suggest(step, known),
                    name=step,
                )
