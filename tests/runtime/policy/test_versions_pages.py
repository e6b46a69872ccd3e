"""VER-1 on the pages: a declaration's overview names its notice and the policy version it lives
under, so an applicant and a reviewer can tell which rules apply."""

from __future__ import annotations

import json
from pathlib import Path

from chain_helpers import ARCHIVES_MIDDLE, page_login
from runtime_support import ROOT
from versions_helpers import schema_hash, serving

from runtime.clock import Clock


def test_the_declaration_overview_names_its_notice_and_policy_version(tmp_path: Path, clock: Clock) -> None:
    with serving(ROOT / "build", tmp_path / "data", clock, seed=True) as world:
        unit = world.permitted_unit("威海市版本页面单位", "371000")
        assert unit.org_id
        applicant = world.applicant()
        declaration = applicant.new_declaration(unit.org_id, ARCHIVES_MIDDLE)
        summary = applicant.get(f"/api/v1/declarations/{declaration}").json()
        platform = json.loads((ROOT / "build" / "platform.json").read_text("utf-8"))
        notice = next(n for n in platform["notices"] if n["id"] == summary["notice_id"])
        assert summary["notice"]["title"] == notice["title"]
        assert summary["policy_version"] == schema_hash(ROOT / "build")

        page = page_login(world, applicant.login).get(f"/declarations/{declaration}").text
        assert notice["title"] in page and summary["policy_version"][:12] in page
