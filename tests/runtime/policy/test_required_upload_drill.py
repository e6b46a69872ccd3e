"""A required upload decided in YAML (issue 16; DEC-18): policy staff set `required: true` on an
upload in a copy of schemas/, build it, and the app — with no code change — shows the section
as having an error, shows at 确定申报 which file is missing instead of the confirm button,
refuses the submission over the API with the same message, and lets it through once the file is
there. The shipped schemas leave that decision to policy staff; this drill does not restate it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from chain_helpers import ARCHIVES_MIDDLE, page_login
from runtime_support import frozen_clock
from versions_helpers import build_edited, compiled_section, serving

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
SECTION = "education"
FIRST_UPLOAD_OPTIONAL = re.compile(r"(uploads:\n(?:[^\n]*\n)*?\s+)required: false")


def _require_first_upload(schemas: Path) -> None:
    path = schemas / "forms" / "declaration" / f"{SECTION}.yaml"
    text, count = FIRST_UPLOAD_OPTIONAL.subn(r"\1required: true", path.read_text("utf-8"), count=1)
    assert count == 1, "the section's first upload is optional in the shipped schemas"
    path.write_text(text, "utf-8")


def _section_state(page: str, section: str) -> str:
    row = page.split(f'sections/{section}"', 1)[1].split("</tr>", 1)[0]
    found = re.search(r'data-state="([a-z]+)"', row)
    assert found, row
    return found.group(1)


def test_an_upload_made_required_in_yaml_blocks_the_submission_until_it_is_given(tmp_path: Path) -> None:
    build = build_edited(tmp_path, "required-upload", _require_first_upload)
    spec: dict[str, Any] = compiled_section(build, SECTION)["uploads"][0]
    assert spec["required"] is True
    with serving(build, tmp_path / "data", frozen_clock(), seed=True) as world:
        unit = world.permitted_unit("威海市必传材料测试馆", "371000")
        world.approved_path(unit, world.actor("weihai_archives"), ARCHIVES_MIDDLE)
        assert unit.org_id
        applicant = world.applicant()
        declaration = applicant.new_declaration(unit.org_id, ARCHIVES_MIDDLE)
        missing = world.svc.bundle.text("upload_required", title=spec["title"])

        # the overview: the section is not complete while the file is missing
        browser = page_login(world, applicant.login)
        assert _section_state(browser.get(f"/declarations/{declaration}").text, SECTION) == "errors"
        # 确定申报: the missing file named, no confirm button
        refused = browser.get(f"/declarations/{declaration}/submit")
        assert refused.status_code == 422
        assert missing in refused.text and 'id="confirm-submit-button"' not in refused.text
        # the API says the same, at the section's path
        api = applicant.submit(declaration)
        assert api.status_code == 422
        assert {(e["message"], e["section"]) for e in api.json()["errors"]} == {(missing, SECTION)}
        state = world.one("SELECT state FROM declarations WHERE id = ?", (declaration,))["state"]
        assert state == world.svc.bundle.workflow["declaration"]["initial"]

        uploaded = applicant.post(
            f"/api/v1/declarations/{declaration}/attachments",
            data={"section_id": SECTION, "kind": spec["kind"]},
            files={"file": ("a.pdf", PDF, "application/pdf")},
        )
        assert uploaded.status_code == 201, uploaded.text
        assert _section_state(browser.get(f"/declarations/{declaration}").text, SECTION) == "done"
        confirm = browser.get(f"/declarations/{declaration}/submit")
        assert confirm.status_code == 200 and 'id="confirm-submit-button"' in confirm.text
        assert applicant.submit(declaration).status_code == 200


def test_with_the_shipped_schemas_the_same_declaration_needs_no_file(tmp_path: Path) -> None:
    """The valid case: nothing edited, nothing required here, the submission goes through."""
    build = build_edited(tmp_path, "as-shipped")
    if any(u.get("required") for u in compiled_section(build, SECTION)["uploads"]):
        pytest.skip("policy staff made it required: the drill above is then the shipped behaviour")
    with serving(build, tmp_path / "data", frozen_clock(), seed=True) as world:
        unit = world.permitted_unit("威海市选传材料测试馆", "371000")
        world.approved_path(unit, world.actor("weihai_archives"), ARCHIVES_MIDDLE)
        assert unit.org_id
        applicant = world.applicant()
        declaration = applicant.new_declaration(unit.org_id, ARCHIVES_MIDDLE)
        browser = page_login(world, applicant.login)
        assert _section_state(browser.get(f"/declarations/{declaration}").text, SECTION) == "done"
        assert applicant.submit(declaration).status_code == 200
