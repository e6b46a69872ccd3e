"""Results publicity and objections (PUB-2, PUB-3): the public page lists only what policy shows
(a masked ID number, never a phone), objections are real-name only, bounded and throttled per
address, the office holding the result decides each with a reason, and a result becomes final
only when its publicity closed without an undecided or upheld objection."""

from __future__ import annotations

import html
import re
from typing import Any

import crowd
import pytest
from chain_helpers import ARCHIVES_MIDDLE, World, page_login
from runtime_support import csrf_of, id_number, message
from starlette.testclient import TestClient

PDF = b"%PDF-1.4\n%evidence\n"


@pytest.fixture
def recorded(chain_world: World) -> tuple[World, str]:
    """A declaration the committee office has just recorded as 评审通过: under publicity."""
    world = chain_world
    unit = world.permitted_unit("威海市公示测试单位", "371000")
    committee = world.actor("weihai_archives")
    world.approved_path(unit, committee, ARCHIVES_MIDDLE)
    applicant = world.applicant()
    assert unit.org_id
    declaration = applicant.new_declaration(unit.org_id, ARCHIVES_MIDDLE)
    assert applicant.submit(declaration).status_code == 200
    assert unit.pass_(declaration).status_code == 200
    assert unit.report(ARCHIVES_MIDDLE, declaration).status_code == 200
    assert committee.pass_(declaration).status_code == 200
    assert committee.result(declaration, True).json()["state"] == "pass_publicity"
    return world, declaration


def spec(world: World) -> dict[str, Any]:
    found: dict[str, Any] = world.svc.bundle.committee["results_publicity"]
    return found


def objection(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "王异议",
        "id_number": id_number(sequence=456),
        "contact": "13900001111",
        "text": "该申报人的论文系他人代写",
        **overrides,
    }


def public(world: World) -> TestClient:
    return TestClient(world.app, base_url="http://testserver")


def test_the_public_list_shows_the_policys_fields_with_a_masked_id_and_no_phone(recorded: tuple[World, str]) -> None:
    world, declaration = recorded
    person = world.one(
        "SELECT a.id_number, a.mobile, a.name FROM accounts a JOIN declarations d ON d.person_id = a.id WHERE d.id = ?",
        (declaration,),
    )
    listing = public(world).get("/api/v1/results-publicity")
    assert listing.status_code == 200
    body = listing.json()
    assert body["columns"] == [f["title"] for f in spec(world)["fields"]]
    row = next(r for r in body["rows"] if r["declaration_id"] == declaration)
    assert person["name"] in row["values"]
    assert person["id_number"] not in str(body) and person["mobile"] not in str(body)
    assert any(v.endswith(person["id_number"][-4:]) and "*" in v for v in row["values"])
    page = public(world).get("/results-publicity")
    assert page.status_code == 200 and person["name"] in page.text and person["id_number"] not in page.text


def test_a_result_not_under_publicity_is_not_listed_and_cannot_be_objected_to(chain_world: World) -> None:
    world = chain_world
    unit = world.permitted_unit("威海市未公示单位", "371000")
    applicant = world.applicant()
    assert unit.org_id
    declaration = applicant.new_declaration(unit.org_id, ARCHIVES_MIDDLE)
    assert all(
        r["declaration_id"] != declaration for r in public(world).get("/api/v1/results-publicity").json()["rows"]
    )
    refused = public(world).post(f"/api/v1/results-publicity/{declaration}/objections", json=objection())
    assert refused.status_code == 404
    assert public(world).get(f"/results-publicity/{declaration}/objection").status_code == 404


@pytest.mark.parametrize(
    "missing",
    [{"name": ""}, {"contact": ""}, {"id_number": "", "unit": ""}],
    ids=["no name", "no contact", "neither ID number nor unit"],
)
def test_an_anonymous_objection_is_refused(recorded: tuple[World, str], missing: dict[str, str]) -> None:
    world, declaration = recorded
    refused = public(world).post(f"/api/v1/results-publicity/{declaration}/objections", json=objection(**missing))
    assert refused.status_code == 422 and refused.json()["errors"][0]["code"] == "objection_anonymous"
    assert refused.json()["errors"][0]["rule"] == "PUB-2"
    assert world.one("SELECT COUNT(*) AS n FROM result_objections")["n"] == 0


def test_a_real_name_objection_with_a_unit_instead_of_an_id_number_is_taken(recorded: tuple[World, str]) -> None:
    world, declaration = recorded
    made = public(world).post(
        f"/api/v1/results-publicity/{declaration}/objections", json=objection(id_number="", unit="威海市某单位")
    )
    assert made.status_code == 201 and made.json()["declaration_id"] == declaration


@pytest.mark.parametrize(
    ("field", "value"),
    [("id_number", "370000000000000000"), ("contact", "12345"), ("text", "")],
    ids=["bad ID number", "bad mobile", "no reasons"],
)
def test_an_objection_with_a_bad_field_names_the_field(recorded: tuple[World, str], field: str, value: str) -> None:
    world, declaration = recorded
    refused = public(world).post(
        f"/api/v1/results-publicity/{declaration}/objections", json=objection(**{field: value})
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["path"] == f"/{field}"


def test_objection_texts_are_bounded_by_policy(recorded: tuple[World, str]) -> None:
    world, declaration = recorded
    limit = int(spec(world)["objection_max_length"])
    too_long = public(world).post(
        f"/api/v1/results-publicity/{declaration}/objections", json=objection(text="长" * (limit + 1))
    )
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["path"] == "/text"
    just = public(world).post(f"/api/v1/results-publicity/{declaration}/objections", json=objection(text="长" * limit))
    assert just.status_code == 201


def test_objections_from_one_address_are_throttled_after_the_policys_count(recorded: tuple[World, str]) -> None:
    world, declaration = recorded
    allowed = int(spec(world)["objections_per_address"])
    client = public(world)
    for _ in range(allowed):
        assert client.post(f"/api/v1/results-publicity/{declaration}/objections", json=objection()).status_code == 201
    throttled = client.post(f"/api/v1/results-publicity/{declaration}/objections", json=objection())
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) > 0


def test_the_objection_form_needs_its_csrf_token_and_takes_evidence(recorded: tuple[World, str]) -> None:
    world, declaration = recorded
    browser = public(world)
    page = browser.get(f"/results-publicity/{declaration}/objection")
    assert page.status_code == 200
    fields = objection()
    forged = browser.post(f"/results-publicity/{declaration}/objection", data=fields, files={"x": ("", b"")})
    assert forged.status_code == 403
    anonymous = browser.post(
        f"/results-publicity/{declaration}/objection",
        data={**fields, "name": "", "csrf_token": csrf_of(page.text)},
        files={"evidence": ("", b"")},
    )
    assert anonymous.status_code == 422 and world.svc.bundle.text("objection_anonymous") in anonymous.text
    done = browser.post(
        f"/results-publicity/{declaration}/objection",
        data={**fields, "csrf_token": csrf_of(page.text)},
        files={"evidence": ("证据.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/results-publicity?done=1"
    stored = world.one("SELECT evidence_name, evidence_type FROM result_objections")
    assert stored == {"evidence_name": "证据.pdf", "evidence_type": "application/pdf"}


def test_evidence_that_is_no_allowed_file_type_is_refused(recorded: tuple[World, str]) -> None:
    world, declaration = recorded
    refused = public(world).post(
        f"/api/v1/results-publicity/{declaration}/objections",
        data=objection(),
        files={"evidence": ("x.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")},
    )
    assert refused.status_code == 415


def test_the_office_holding_the_result_sees_and_decides_objections_and_nobody_else(
    recorded: tuple[World, str],
) -> None:
    world, declaration = recorded
    made = public(world).post(f"/api/v1/results-publicity/{declaration}/objections", json=objection()).json()
    office = world.actor("weihai_archives")
    listed = office.get("/api/v1/result-objections?state=open").json()["objections"]
    assert [o["id"] for o in listed] == [made["id"]] and listed[0]["name"] == "王异议"
    stranger = world.actor("weihai_education")
    assert stranger.get("/api/v1/result-objections").json()["objections"] == []
    no_reason = office.post(f"/api/v1/result-objections/{made['id']}/decision", json={"decision": "dismissed"})
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["path"] == "/reason"
    foreign = stranger.post(
        f"/api/v1/result-objections/{made['id']}/decision", json={"decision": "dismissed", "reason": "x"}
    )
    assert foreign.status_code == 404
    decided = office.post(
        f"/api/v1/result-objections/{made['id']}/decision",
        json={"decision": "dismissed", "reason": "经核实,论文为本人撰写"},
    )
    assert decided.status_code == 200 and decided.json()["decision"] == "dismissed"
    again = office.post(f"/api/v1/result-objections/{made['id']}/decision", json={"decision": "upheld", "reason": "x"})
    assert again.status_code == 409
    audit = world.one("SELECT action, target FROM audit WHERE action = 'objection_decision'")
    assert audit == {"action": "objection_decision", "target": declaration}


def test_a_result_with_an_undecided_objection_does_not_become_final(recorded: tuple[World, str]) -> None:
    world, declaration = recorded
    public(world).post(f"/api/v1/results-publicity/{declaration}/objections", json=objection())
    world.wait_out_publicity()
    office = world.actor("weihai_archives")
    refused = office.confirm(declaration)
    assert refused.status_code == 409 and refused.json()["errors"][0]["code"] == "objections_pending"
    made = office.get("/api/v1/result-objections").json()["objections"][0]
    office.post(f"/api/v1/result-objections/{made['id']}/decision", json={"decision": "dismissed", "reason": "不属实"})
    final = office.confirm(declaration)
    assert final.status_code == 200 and final.json()["state"] == "approved"


def test_an_upheld_objection_asks_for_a_correction_which_starts_a_new_publicity(recorded: tuple[World, str]) -> None:
    world, declaration = recorded
    public(world).post(f"/api/v1/results-publicity/{declaration}/objections", json=objection())
    office = world.actor("weihai_archives")
    made = office.get("/api/v1/result-objections").json()["objections"][0]
    office.post(f"/api/v1/result-objections/{made['id']}/decision", json={"decision": "upheld", "reason": "查实代写"})
    world.wait_out_publicity()
    office = world.actor("weihai_archives")
    refused = office.confirm(declaration)
    assert refused.status_code == 409 and refused.json()["errors"][0]["code"] == "objection_upheld"
    world.svc.clock.advance(seconds=1)
    corrected = office.post(
        f"/api/v1/declarations/{declaration}/transitions/correct_to_fail", json={"comment": "异议成立,更正为未通过"}
    )
    assert corrected.status_code == 200 and corrected.json()["state"] == "fail_publicity"
    world.wait_out_publicity("confirm_fail")
    office = world.actor("weihai_archives")
    assert office.confirm(declaration, passed=False).json()["state"] == "rejected"


def test_the_office_decides_on_its_page_with_csrf(recorded: tuple[World, str]) -> None:
    world, declaration = recorded
    public(world).post(f"/api/v1/results-publicity/{declaration}/objections", json=objection())
    browser = page_login(world, "weihai_archives")
    page = browser.get("/result-objections")
    assert page.status_code == 200 and "王异议" in page.text and 'href="/result-objections"' in page.text
    objection_id = world.one("SELECT id FROM result_objections")["id"]
    forged = browser.post(f"/result-objections/{objection_id}/decision", data={"decision": "dismissed", "reason": "x"})
    assert forged.status_code == 403
    done = browser.post(
        f"/result-objections/{objection_id}/decision",
        data={"decision": "dismissed", "reason": "经核实不属实", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert world.one("SELECT decision FROM result_objections") == {"decision": "dismissed"}
    applicant_browser = page_login(world, "weihai_education")
    assert "王异议" not in applicant_browser.get("/result-objections").text


def many_objections(world: World, declaration: str, count: int) -> list[dict[str, Any]]:
    """`count` objections to one result: one made through the API, the others copies of it with
    their own ids, times (some the same to the second) and decisions."""
    made = public(world).post(f"/api/v1/results-publicity/{declaration}/objections", json=objection()).json()
    first = world.one("SELECT * FROM result_objections WHERE id = ?", (made["id"],))
    rows = [first]
    for n in range(1, count):
        row = {**first, "id": f"{n:04d}-{first['id']}", "created_at": f"2026-0{1 + n % 3}-01T08:00:00+08:00"}
        if n % 2:
            row |= {"decision": "dismissed", "decision_reason": "不属实", "decided_at": row["created_at"]}
        with world.svc.storage.transaction():
            world.svc.storage.insert("result_objections", row)
        rows.append(row)
    return rows


def office_order(rows: list[dict[str, Any]]) -> list[str]:
    """Undecided first, then newest first (ties: the larger id first)."""
    ordered = sorted(rows, key=lambda r: (r["created_at"], r["id"]), reverse=True)
    return [r["id"] for r in sorted(ordered, key=lambda r: r["decision"] is not None)]


@pytest.mark.parametrize("limit", [1, 2, 3, 7])
def test_the_office_pages_through_its_objections_with_a_cursor(recorded: tuple[World, str], limit: int) -> None:
    world, declaration = recorded
    rows = many_objections(world, declaration, 9)
    office = world.actor("weihai_archives")
    for state, expected in (("", office_order(rows)), ("open", office_order([r for r in rows if not r["decision"]]))):
        seen: list[str] = []
        cursor = ""
        while True:
            page = office.get("/api/v1/result-objections", params={"state": state, "limit": limit, "cursor": cursor})
            assert page.status_code == 200, page.text
            body = page.json()
            assert len(body["objections"]) <= limit and body["limit"] == limit
            seen += [o["id"] for o in body["objections"]]
            if body["next_cursor"] is None:
                break
            cursor = body["next_cursor"]
        assert seen == expected, state


@pytest.mark.parametrize("cursor", ["x", "WyIyMDI2IiwiYSJd", "W1tdLCJhIl0", "!" * 300])
def test_a_bad_objections_cursor_is_a_clear_422(recorded: tuple[World, str], cursor: str) -> None:
    world, _ = recorded
    refused = world.actor("weihai_archives").get("/api/v1/result-objections", params={"cursor": cursor})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["message"] == message("list_cursor_invalid")


def test_the_objections_page_links_to_its_next_page(recorded: tuple[World, str]) -> None:
    world, declaration = recorded
    size = int(world.svc.bundle.platform["lists"]["page_size"])
    rows = many_objections(world, declaration, size + 2)
    browser = page_login(world, "weihai_archives")
    first = browser.get("/result-objections")
    shown = re.findall(r'<tr id="objection-([^"]+)"', first.text)
    assert shown == office_order(rows)[:size]
    link = re.search(r'<a href="(/result-objections\?cursor=[^"]+)" rel="next">', first.text)
    assert link, "no link to the next page"
    second = browser.get(html.unescape(link.group(1)))
    assert re.findall(r'<tr id="objection-([^"]+)"', second.text) == office_order(rows)[size:]
    assert 'rel="next"' not in second.text


def test_the_public_list_pages_with_a_cursor_in_the_api_and_a_link_on_the_page(recorded: tuple[World, str]) -> None:
    world, declaration = recorded
    size = int(spec(world)["page_size"])
    crowd.clone_many(world.svc, declaration, size + 1, prefix="publicclone")  # all under publicity
    state = world.one("SELECT state FROM declarations WHERE id = ?", (declaration,))["state"]
    listed = {r["id"] for r in world.svc.storage.all("SELECT id FROM declarations WHERE state = ?", (state,))}
    assert len(listed) == size + 2
    seen: list[str] = []
    cursor = ""
    while True:
        body = public(world).get("/api/v1/results-publicity", params={"cursor": cursor}).json()
        assert len(body["rows"]) <= size and body["next"] == body["next_cursor"]
        seen += [r["declaration_id"] for r in body["rows"]]
        if body["next_cursor"] is None:
            break
        cursor = body["next_cursor"]
    assert len(seen) == len(set(seen)) and set(seen) == listed
    first = public(world).get("/results-publicity")
    link = re.search(r'<a href="(/results-publicity\?after=[^"]+)" rel="next">', first.text)
    assert link, "no link to the next page"
    assert public(world).get(html.unescape(link.group(1))).status_code == 200
    refused = public(world).get("/api/v1/results-publicity", params={"cursor": "no-such-declaration"})
    assert refused.status_code == 422
