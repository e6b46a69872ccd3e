"""确定申报 goes through a confirmation page (DEC-18, issue 16): what will be sent, to whom, and
that it becomes read-only; nothing is submitted until it is confirmed. Required uploads named by
policy count toward completeness."""

from __future__ import annotations

from typing import Any

from applicant_helpers import Applicant, World
from runtime_support import csrf_of

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _browser(world: World) -> Any:
    client = world.page_client()
    world.page_login(client, "applicant1")
    return client


def _state(world: World, declaration_id: str) -> str:
    return str(world.one("SELECT state FROM declarations WHERE id = ?", (declaration_id,))["state"])


def test_the_overview_button_leads_to_a_confirmation_page_not_a_submit(world: World, filled: str) -> None:
    client = _browser(world)
    overview = client.get(f"/declarations/{filled}")
    assert f'action="/declarations/{filled}/submit"' in overview.text and 'method="get"' in overview.text
    assert 'id="submit-declaration"' in overview.text
    confirm = client.get(f"/declarations/{filled}/submit")
    assert confirm.status_code == 200 and _state(world, filled) == "draft"


def test_the_confirmation_page_names_the_receiving_unit_the_way_up_and_that_it_becomes_read_only(
    world: World, filled: str, unit_id: str
) -> None:
    client = _browser(world)
    confirm = client.get(f"/declarations/{filled}/submit").text
    unit = world.one("SELECT name FROM organisations WHERE id = ?", (unit_id,))["name"]
    assert f'<dd id="confirm-receiver"><strong>{unit}</strong></dd>' in confirm
    assert world.svc.bundle.text("submit_confirm") in confirm
    for form in world.svc.bundle.declaration_sections():
        assert f"<td>{form.title}</td>" in confirm
    assert 'name="confirmed" value="1"' in confirm and 'id="confirm-back"' in confirm


def test_a_post_without_the_confirmation_only_shows_the_page_again(world: World, filled: str) -> None:
    client = _browser(world)
    confirm = client.get(f"/declarations/{filled}/submit")
    again = client.post(f"/declarations/{filled}/submit", data={"csrf_token": csrf_of(confirm.text)})
    assert again.status_code == 200 and 'id="confirm-submit-button"' in again.text
    assert _state(world, filled) == "draft"


def test_the_confirmed_post_submits_and_the_sections_become_read_only(world: World, filled: str) -> None:
    client = _browser(world)
    confirm = client.get(f"/declarations/{filled}/submit")
    done = client.post(f"/declarations/{filled}/submit", data={"csrf_token": csrf_of(confirm.text), "confirmed": "1"})
    assert done.status_code == 200 and _state(world, filled) == "submitted"
    assert world.svc.bundle.text("submitted") in done.text
    assert world.svc.bundle.text("read_only") in client.get(f"/declarations/{filled}/sections/header").text


def test_a_declaration_with_errors_gets_no_confirm_button_but_the_errors(world: World, applicant: Applicant) -> None:
    declaration_id = applicant.new_declaration()
    client = _browser(world)
    page = client.get(f"/declarations/{declaration_id}/submit")
    assert page.status_code == 422
    assert 'id="confirm-submit-button"' not in page.text
    assert f"/declarations/{declaration_id}/sections/header?check=1#rank" in page.text


def test_a_required_upload_counts_toward_completeness_and_blocks_the_submit_until_given(
    world: World, applicant: Applicant, filled: str
) -> None:
    """A policy that marks an upload required (schemas: `required: true`) makes the section
    incomplete until a file is there; the change is applied to this app's loaded build only."""
    education = world.svc.bundle.sections["declaration"]["education"]
    spec = education.compiled["uploads"][0]
    spec["required"] = True
    try:
        client = _browser(world)
        overview = client.get(f"/declarations/{filled}").text
        assert 'sections/education">' in overview
        assert overview.split('sections/education">', 1)[1].split("</tr>", 1)[0].count('data-state="errors"') == 1
        refused = client.get(f"/declarations/{filled}/submit")
        assert refused.status_code == 422
        assert world.svc.bundle.text("upload_required", title=spec["title"]) in refused.text
        assert applicant.post(f"/api/v1/declarations/{filled}/submit").status_code == 422
        uploaded = applicant.post(
            f"/api/v1/declarations/{filled}/attachments",
            data={"section_id": "education", "kind": spec["kind"]},
            files={"file": ("a.pdf", PDF, "application/pdf")},
        )
        assert uploaded.status_code == 201, uploaded.text
        confirm = client.get(f"/declarations/{filled}/submit")
        assert confirm.status_code == 200 and 'id="confirm-submit-button"' in confirm.text
    finally:
        spec["required"] = False


def test_a_required_per_row_upload_is_asked_for_each_row(world: World, applicant: Applicant, filled: str) -> None:
    achievements = world.svc.bundle.sections["declaration"]["achievements"]
    spec = next(u for u in achievements.compiled["uploads"] if u["per_row"])
    spec["required"] = True
    try:
        rows = world.svc.storage.one(
            "SELECT data FROM sections WHERE declaration_id = ? AND section_id = 'achievements'", (filled,)
        )
        count = rows["data"].count('"category"')
        assert count >= 1
        refused = applicant.post(f"/api/v1/declarations/{filled}/submit")
        messages = [e["message"] for e in refused.json()["errors"]]
        for row in range(1, count + 1):
            assert world.svc.bundle.text("upload_required_row", title=spec["title"], row=row) in messages
    finally:
        spec["required"] = False
