"""Issue 13, finding 3: every save is bounded, draft or not; over-long input is refused with a
message naming the limit, never cut. Limits are read from build/ (the forms and
platform.yaml limits), so a YAML change keeps these tests meaningful."""

from __future__ import annotations

from typing import Any

from applicant_helpers import Applicant, World
from runtime_support import csrf_of

SECTION = "performance"


def _bundle(world: World) -> Any:
    return world.client.app.state.services.bundle  # type: ignore[attr-defined]


def _text_field(world: World) -> dict[str, Any]:
    form = _bundle(world).sections["declaration"][SECTION]
    return next(d for d in form.compiled["fields"] if d.get("maxLength"))


def _stored(world: World, declaration_id: str, section: str = SECTION) -> str:
    row = world.one("SELECT data FROM sections WHERE declaration_id = ? AND section_id = ?", (declaration_id, section))
    return str(row["data"])


def test_a_draft_one_character_over_max_length_is_refused_naming_the_limit(world: World, applicant: Applicant) -> None:
    field = _text_field(world)
    declaration_id = applicant.new_declaration()
    before = _stored(world, declaration_id)
    over = "字" * (field["maxLength"] + 1)
    response = applicant.put(
        f"/api/v1/declarations/{declaration_id}/sections/{SECTION}?draft=true", json={field["id"]: over}
    )
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["path"] == f"/{field['id']}" and str(field["maxLength"]) in error["message"]
    assert _stored(world, declaration_id) == before


def test_a_draft_exactly_at_max_length_is_saved_whole(world: World, applicant: Applicant) -> None:
    field = _text_field(world)
    declaration_id = applicant.new_declaration()
    full = "字" * field["maxLength"]
    response = applicant.put(
        f"/api/v1/declarations/{declaration_id}/sections/{SECTION}?draft=true", json={field["id"]: full}
    )
    assert response.status_code == 200
    assert full in _stored(world, declaration_id)


def test_a_draft_with_more_rows_than_the_section_allows_is_refused(world: World, applicant: Applicant) -> None:
    form = _bundle(world).sections["declaration"]["achievements"]
    declaration_id = applicant.new_declaration()
    rows = [{"category": "其他", "name": f"成果{i}"} for i in range(form.rows["max"] + 1)]
    response = applicant.put(
        f"/api/v1/declarations/{declaration_id}/sections/achievements?draft=true", json={"rows": rows}
    )
    assert response.status_code == 422 and response.json()["errors"][0]["path"] == "/rows"
    allowed = applicant.put(
        f"/api/v1/declarations/{declaration_id}/sections/achievements?draft=true",
        json={"rows": rows[: form.rows["max"]]},
    )
    assert allowed.status_code == 200


def test_a_cell_of_a_row_over_its_limit_is_refused(world: World, applicant: Applicant) -> None:
    form = _bundle(world).sections["declaration"]["achievements"]
    column = next(d for d in form.rows["fields"] if d.get("maxLength"))
    declaration_id = applicant.new_declaration()
    response = applicant.put(
        f"/api/v1/declarations/{declaration_id}/sections/achievements?draft=true",
        json={"rows": [{column["id"]: "x" * (column["maxLength"] + 1)}]},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == f"/rows/0/{column['id']}"


def test_a_field_without_its_own_max_length_has_the_platform_limit(world: World, applicant: Applicant) -> None:
    most = _bundle(world).platform["limits"]["text_max_chars"]
    declaration_id = applicant.new_declaration()
    # a dictionary field has options, not a maxLength: a draft may hold a wrong value, not a huge one
    response = applicant.put(
        f"/api/v1/declarations/{declaration_id}/sections/header?draft=true", json={"mode": "破" * (most + 1)}
    )
    assert response.status_code == 422 and str(most) in response.json()["errors"][0]["message"]


def test_the_whole_declaration_has_a_byte_budget(world: World, applicant: Applicant) -> None:
    field = _text_field(world)
    declaration_id = applicant.new_declaration()
    size = sum(
        len(r["data"].encode())
        for r in world.all("SELECT data FROM sections WHERE declaration_id = ?", (declaration_id,))
    )
    # a deployment with a budget just above what is stored now (a YAML change, made in memory)
    limits = _bundle(world).platform["limits"]
    limits["declaration_max_kb"] = size // 1024 + 1
    text = "字" * min(field["maxLength"], 1024)
    response = applicant.put(
        f"/api/v1/declarations/{declaration_id}/sections/{SECTION}?draft=true", json={field["id"]: text}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "declaration_too_large"
    assert str(limits["declaration_max_kb"]) in response.json()["errors"][0]["message"]


def test_the_byte_budget_counts_every_stored_byte_to_the_last(world: World, applicant: Applicant) -> None:
    """Exactly at the budget is kept, one byte over is refused: the count is the stored UTF-8
    bytes of every section, this one as it would be stored (the same on both backends)."""
    field = _text_field(world)
    declaration_id = applicant.new_declaration()
    url = f"/api/v1/declarations/{declaration_id}/sections/{SECTION}?draft=true"

    def stored_total() -> int:
        rows = world.all("SELECT data FROM sections WHERE declaration_id = ?", (declaration_id,))
        return sum(len(r["data"].encode("utf-8")) for r in rows)

    assert applicant.put(url, json={field["id"]: "字"}).status_code == 200
    limits = _bundle(world).platform["limits"]
    limits["declaration_max_kb"] = stored_total() // 1024 + 1  # a budget a little above (in memory)
    budget = limits["declaration_max_kb"] * 1024
    fill = budget - stored_total()  # one more ASCII character per byte
    assert 0 < fill < field["maxLength"]
    exactly = "字" + "a" * fill
    assert applicant.put(url, json={field["id"]: exactly}).status_code == 200
    assert stored_total() == budget
    response = applicant.put(url, json={field["id"]: exactly + "a"})
    assert response.status_code == 422 and response.json()["errors"][0]["code"] == "declaration_too_large"
    assert stored_total() == budget  # nothing of the refused save was kept


def test_the_page_refuses_an_over_long_paste_and_keeps_what_was_typed(world: World, applicant: Applicant) -> None:
    field = _text_field(world)
    declaration_id = applicant.new_declaration()
    client = world.page_client()
    world.page_login(client, applicant.doc["login_name"])
    url = f"/declarations/{declaration_id}/sections/{SECTION}"
    page = client.get(url)
    assert f' maxlength="{field["maxLength"]}"' not in page.text  # a browser would cut a paste silently
    typed = "长" * (field["maxLength"] + 200)
    response = client.post(url, data={"csrf_token": csrf_of(page.text), field["id"]: typed})
    assert response.status_code == 422
    assert typed in response.text and str(field["maxLength"]) in response.text
    assert typed not in _stored(world, declaration_id)
