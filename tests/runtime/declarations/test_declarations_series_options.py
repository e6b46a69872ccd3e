"""DEC-3 without JavaScript: once a level is saved, the page offers only the series that have
titles at that level (the same narrowing the page script does), so a cascade never ends in
an empty list. Series and titles come from build/."""

from __future__ import annotations

import json
import re

import pytest
from applicant_helpers import Applicant, World
from runtime_support import ROOT, login_fields, valid_declaration

SERIES = json.loads((ROOT / "build" / "dictionaries.json").read_text("utf-8"))["series"]["entries"]


def _offered(world: World, applicant: Applicant, declaration_id: str) -> list[str]:
    client = world.page_client()
    form = login_fields(client.get("/login").text)
    form.update(account=applicant.doc["login_name"], password=applicant.password)
    client.post("/login", data=form)
    page = client.get(f"/declarations/{declaration_id}/sections/header").text
    select = page[page.index('id="series"') :].split("</select>", 1)[0]
    return [v for v in re.findall(r'<option value="([^"]*)"', select) if v]


@pytest.mark.parametrize("level", ["中级", "初级"])
def test_a_saved_level_offers_only_series_with_titles_at_that_level(
    world: World, applicant: Applicant, unit_id: str, filled: str, level: str
) -> None:
    header = valid_declaration(unit_id)["header"]
    header["level"] = level
    applicant.put(f"/api/v1/declarations/{filled}/sections/header?draft=true", json=header)
    wanted = [e["value"] for e in SERIES if (e.get("titles") or {}).get(level)]
    assert _offered(world, applicant, filled) == wanted
    assert len(wanted) < len(SERIES)
