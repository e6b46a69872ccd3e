"""The integrity archive (INT-1, INT-2): HR authorities and committee organising units record
a person with reason, evidence and period; while it is in force 确定申报 is refused with
the end date; the person sees their own records, nobody else's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from chain_helpers import ARCHIVES_MIDDLE, Actor, World
from runtime_support import csrf_of

PDF = b"%PDF-1.4\n%evidence\n"


def id_number_of(world: World, person: Actor) -> str:
    return str(world.one("SELECT id_number FROM accounts WHERE id = ?", (person.account_id,))["id_number"])


def record(world: World, by: Actor, person: Actor, **changes: Any) -> Any:
    spec = world.svc.bundle.committee["integrity"]
    fields = {
        "id_number": id_number_of(world, person),
        "reason": spec["reasons"][0],
        "detail": "论文抄袭,经核实",
        **changes,
    }
    files = {"evidence": ("决定书.pdf", changes.pop("evidence", PDF), "application/pdf")}
    fields.pop("evidence", None)
    return by.client.post("/api/v1/integrity-records", data=fields, files=files, headers=by.headers)


@pytest.fixture
def ready(chain_world: World) -> tuple[World, Actor, str]:
    """An applicant with a complete declaration at a permitted unit, not yet submitted."""
    unit = chain_world.permitted_unit("威海市诚信测试单位", "371000")
    applicant = chain_world.applicant()
    assert unit.org_id
    return chain_world, applicant, applicant.new_declaration(unit.org_id, ARCHIVES_MIDDLE)


def test_a_person_with_a_record_in_force_cannot_submit_and_is_told_until_when(ready: tuple[World, Actor, str]) -> None:
    world, applicant, declaration = ready
    hr = world.actor("weihai_hrss")
    made = record(world, hr, applicant)
    assert made.status_code == 201, made.text
    years = world.svc.bundle.committee["integrity"]["years"]
    today = world.svc.clock.today()
    ends = today.replace(year=today.year + years) - timedelta(days=1)
    assert made.json()["starts"] == today.isoformat() and made.json()["ends"] == ends.isoformat()

    refused = applicant.submit(declaration)
    assert refused.status_code == 409
    error = refused.json()["errors"][0]
    assert error["code"] == "integrity_in_force" and error["rule"] == "INT-1"
    assert error["message"] == world.svc.bundle.text("integrity_in_force", ends=ends.isoformat())
    assert world.one("SELECT state FROM declarations WHERE id = ?", (declaration,))["state"] == "draft"
    audit = world.one("SELECT * FROM audit WHERE action = 'integrity_record' AND target = ?", (applicant.account_id,))
    assert audit is not None


def test_a_record_that_ended_yesterday_no_longer_stops_a_declaration(ready: tuple[World, Actor, str]) -> None:
    world, applicant, declaration = ready
    years = world.svc.bundle.committee["integrity"]["years"]
    today = world.svc.clock.today()
    starts = today.replace(year=today.year - years)  # in force until yesterday
    made = record(world, world.actor("weihai_archives"), applicant, starts=starts.isoformat())
    assert made.status_code == 201, made.text
    assert made.json()["ends"] == (today - timedelta(days=1)).isoformat()
    assert applicant.submit(declaration).status_code == 200


def test_a_person_sees_their_own_records_and_nobody_elses(ready: tuple[World, Actor, str]) -> None:
    world, applicant, _ = ready
    other = world.applicant()
    assert record(world, world.actor("weihai_hrss"), applicant).status_code == 201
    mine = applicant.get("/api/v1/me/integrity-records").json()["records"]
    assert len(mine) == 1 and mine[0]["in_force"] and mine[0]["org_name"] == "威海市人力资源和社会保障局"
    assert other.get("/api/v1/me/integrity-records").json()["records"] == []
    assert applicant.get("/api/v1/integrity-records").status_code == 403


def test_only_the_roles_of_the_policy_record_and_every_field_is_checked(ready: tuple[World, Actor, str]) -> None:
    world, applicant, _ = ready
    hr = world.actor("weihai_hrss")
    unit = world.permitted_unit("威海市另一单位", "371000")
    assert record(world, unit, applicant).status_code == 403
    assert record(world, applicant, applicant).status_code == 403
    cases = [
        ({"id_number": "371002199001011237"}, 422, "/id_number"),  # valid form, nobody registered
        ({"id_number": "abc"}, 422, "/id_number"),
        ({"reason": "迟到"}, 422, "/reason"),
        ({"detail": "情" * (world.svc.bundle.committee["integrity"]["reason_detail_max_length"] + 1)}, 422, "/detail"),
        ({"starts": "2026-02-30"}, 422, "/starts"),
        ({"starts": "明天"}, 422, "/starts"),
        ({"evidence": b""}, 422, "/evidence"),
        ({"evidence": b"MZ\x90\x00 not a document"}, 415, "/evidence"),
    ]
    for changes, status, path in cases:
        answer = record(world, hr, applicant, **changes)
        assert answer.status_code == status, (changes, answer.text)
        assert answer.json()["errors"][0]["path"] == path
    as_json = hr.post("/api/v1/integrity-records", json={"id_number": id_number_of(world, applicant)})
    assert as_json.status_code == 415
    assert world.client.post("/api/v1/integrity-records", data={}).status_code == 401
    assert world.one("SELECT COUNT(*) AS n FROM integrity_records")["n"] == 0


def test_the_integrity_pages_record_with_evidence_and_show_the_person_their_record(
    ready: tuple[World, Actor, str],
) -> None:
    from chain_helpers import page_login

    world, applicant, _ = ready
    hr = page_login(world, "weihai_hrss")
    page = hr.get("/integrity")
    assert page.status_code == 200
    spec = world.svc.bundle.committee["integrity"]
    fields = {
        "csrf_token": csrf_of(page.text),
        "id_number": id_number_of(world, applicant),
        "reason": spec["reasons"][1],
    }
    saved = hr.post("/integrity", data=fields, files={"evidence": ("e.pdf", PDF, "application/pdf")})
    assert saved.status_code == 200 and world.svc.bundle.text("integrity_saved") in saved.text
    no_csrf = hr.post(
        "/integrity", data={**fields, "csrf_token": ""}, files={"evidence": ("e.pdf", PDF, "application/pdf")}
    )
    assert no_csrf.status_code == 403
    person = page_login(world, applicant.login)
    mine = person.get("/me/integrity")
    assert mine.status_code == 200 and spec["reasons"][1] in mine.text
    assert world.one("SELECT COUNT(*) AS n FROM integrity_records")["n"] == 1


@pytest.mark.parametrize("limit", [1, 2, 5])
def test_an_offices_records_come_in_keyset_pages_newest_first(ready: tuple[World, Actor, str], limit: int) -> None:
    world, applicant, _ = ready
    office = world.actor("weihai_hrss")
    people = [applicant, *(world.applicant() for _ in range(4))]
    for n, person in enumerate(people):
        assert record(world, office, person).status_code == 201
        if n % 2:
            world.svc.clock.advance(seconds=1)  # some records share a second: the id breaks the tie
    stored = world.svc.storage.all("SELECT id, created_at FROM integrity_records")
    expected = [r["id"] for r in sorted(stored, key=lambda r: (r["created_at"], r["id"]), reverse=True)]
    seen: list[str] = []
    cursor = ""
    while True:
        page = office.get("/api/v1/integrity-records", params={"limit": limit, "cursor": cursor})
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["records"]) <= limit
        seen += [r["id"] for r in body["records"]]
        if body["next_cursor"] is None:
            break
        cursor = body["next_cursor"]
    assert seen == expected
    assert world.actor("rushan_hrss").get("/api/v1/integrity-records").json()["records"] == []
