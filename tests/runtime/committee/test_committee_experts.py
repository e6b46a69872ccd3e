"""Expert pools and the random draw (COM-1, COM-2): the pool is kept by the committee
organising unit (one by one or from XLSX); a session draws an odd number of experts at
random with a recorded seed, never someone at an applicant's unit or with a declared
conflict or below the session's level, and refuses a pool that is too small, saying how
many experts are missing."""

from __future__ import annotations

import io
from typing import Any

from documents_helpers import UNIT_NAME, World, full_sections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from runtime.committee import experts


def office(world: World, committee: str) -> dict[str, str]:
    return world.bearer(world.org_account(committee, role="committee_office"))


def held(world: World, unit: str, committee: str, n: int = 2) -> list[str]:
    return [
        world.declaration(world.person(), full_sections(unit), chain=[unit, committee], state="passed")
        for _ in range(n)
    ]


def minimum(svc: Any, level: str = "中级") -> int:
    return int(svc.bundle.committee["experts"]["session_minimum"][level])


def add(world: World, headers: dict[str, str], n: int, *, unit: str = "山东大学", level: str = "副高级") -> list[str]:
    ids = []
    for i in range(n):
        body = {
            "name": f"专家{unit}{i}",
            "unit": unit,
            "specialty": "档案管理",
            "title": "副研究馆员",
            "title_level": level,
        }
        made = world.client.post("/api/v1/experts", json=body, headers=headers)
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
    return ids


def session(world: World, headers: dict[str, str], ids: list[str], count: int) -> Any:
    body = {"series": "档案", "level": "中级", "expert_count": count, "declaration_ids": ids}
    return world.client.post("/api/v1/review-sessions", json=body, headers=headers)


def test_the_draw_avoids_the_applicants_unit_lower_levels_and_conflicts_and_can_be_rechecked(
    world: World, unit: str, committee: str, svc: Any
) -> None:
    headers = office(world, committee)
    count = minimum(svc)
    declarations = held(world, unit, committee)
    good = add(world, headers, count + 2)
    same_unit = add(world, headers, 3, unit=UNIT_NAME)  # works where the applicants work
    too_low = add(world, headers, 3, unit="青岛大学", level="初级")
    created = session(world, headers, declarations, count)
    assert created.status_code == 201, created.text
    session_id = created.json()["id"]
    conflict = world.client.post(
        f"/api/v1/review-sessions/{session_id}/conflicts",
        json={"expert_id": good[0], "declaration_id": declarations[1], "reason": "近亲属"},
        headers=headers,
    )
    assert conflict.status_code == 201
    drawn = world.client.post(f"/api/v1/review-sessions/{session_id}/draw", headers=headers)
    assert drawn.status_code == 200, drawn.text
    body = drawn.json()
    chosen = [e["id"] for e in body["experts"]]
    assert len(chosen) == count and len(set(chosen)) == count
    assert not set(chosen) & {*same_unit, *too_low, good[0]}
    assert set(body["eligible"]) == set(good[1:])
    assert experts.pick(body["eligible"], count, body["seed"]) == chosen  # anyone can re-check it
    again = world.client.post(f"/api/v1/review-sessions/{session_id}/draw", headers=headers)
    assert again.status_code == 409


@settings(max_examples=300, deadline=None)
@given(seed=st.text(min_size=1, max_size=32), extra=st.integers(min_value=0, max_value=20))
def test_a_draw_only_ever_takes_from_the_eligible_list(seed: str, extra: int) -> None:
    eligible = [f"e{i}" for i in range(11 + extra)]
    chosen = experts.pick(eligible, 11, seed)
    assert len(set(chosen)) == 11 and set(chosen) <= set(eligible)
    assert chosen == experts.pick(eligible, 11, seed)


def test_many_draws_never_take_an_expert_from_an_applicants_unit(
    world: World, unit: str, committee: str, svc: Any
) -> None:
    headers = office(world, committee)
    count = minimum(svc)
    add(world, headers, count)
    same_unit = set(add(world, headers, 5, unit=UNIT_NAME))
    for _ in range(15):
        made = session(world, headers, held(world, unit, committee, 1), count)
        drawn = world.client.post(f"/api/v1/review-sessions/{made.json()['id']}/draw", headers=headers).json()
        assert not {e["id"] for e in drawn["experts"]} & same_unit


def test_no_seed_ever_draws_an_expert_who_works_at_an_applicants_unit(
    world: World, unit: str, committee: str, svc: Any
) -> None:
    """COM-2 over many seeds (hypothesis): the draw of a session whose pool holds experts of
    the applicant's unit, re-done with any seed the way the stored seed is re-checked."""
    headers = office(world, committee)
    count = minimum(svc)
    add(world, headers, count + 3)
    same_unit = set(add(world, headers, 6, unit=UNIT_NAME))
    made = session(world, headers, held(world, unit, committee, 1), count).json()
    row = world.one("SELECT * FROM review_sessions WHERE id = ?", (made["id"],))
    eligible = experts.eligible(svc, row)
    assert not set(eligible) & same_unit and len(eligible) >= count

    @settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(seed=st.one_of(st.text(min_size=1, max_size=40), st.binary(min_size=16, max_size=16).map(bytes.hex)))
    def never_same_unit(seed: str) -> None:
        chosen = experts.pick(eligible, count, seed)
        assert len(set(chosen)) == count and not set(chosen) & same_unit

    never_same_unit()


def test_a_pool_too_small_is_refused_saying_how_many_are_missing(
    world: World, unit: str, committee: str, svc: Any
) -> None:
    headers = office(world, committee)
    count = minimum(svc)
    add(world, headers, count - 3)
    add(world, headers, 4, unit=UNIT_NAME)  # in the pool, but 回避
    made = session(world, headers, held(world, unit, committee), count)
    refused = world.client.post(f"/api/v1/review-sessions/{made.json()['id']}/draw", headers=headers)
    assert refused.status_code == 409
    error = refused.json()["errors"][0]
    assert error["code"] == "pool_too_small" and refused.json()["missing"] == 3
    assert svc.bundle.text("pool_too_small", missing=3, available=count - 3) == error["message"]


def test_a_session_needs_an_odd_number_of_experts_at_least_the_policy_minimum(
    world: World, unit: str, committee: str, svc: Any
) -> None:
    headers = office(world, committee)
    ids = held(world, unit, committee)
    count = minimum(svc)
    for bad in (count + 1, count - 2, 0, "11", True):
        answer = session(world, headers, ids, bad)
        assert answer.status_code == 422 and answer.json()["errors"][0]["path"] == "/expert_count", bad
    foreign = world.declaration(
        world.person(), full_sections(unit), chain=[unit, world.org("别的部门", kinds=("department",))], state="passed"
    )
    assert session(world, headers, [foreign], count).status_code == 422
    assert session(world, world.bearer(world.org_account(unit)), ids, count).status_code == 403
    other_office = office(world, world.org("威海市教育局测试", kinds=("department",)))
    made = session(world, headers, ids, count).json()["id"]
    assert world.client.get(f"/api/v1/review-sessions/{made}", headers=other_office).status_code == 404


def workbook(header: list[str], rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_pool_is_imported_from_xlsx_under_the_policy_headers_all_or_nothing(
    world: World, committee: str, svc: Any
) -> None:
    headers = office(world, committee)
    columns = svc.bundle.committee["experts"]["import_columns"]
    header = list(columns)
    by_field = {field: i for i, field in enumerate(columns.values())}

    def row(name: str, level: str) -> list[Any]:
        values: list[Any] = [""] * len(header)
        for field, value in (("name", name), ("unit", "烟台大学"), ("title_level", level), ("specialty", "档案学")):
            if field in by_field:
                values[by_field[field]] = value
        return values

    def upload(content: bytes) -> Any:
        files = {"file": ("专家.xlsx", content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
        return world.client.post("/api/v1/experts/import", files=files, headers=headers)

    done = upload(workbook(header, [row("王教授", "正高级"), row("李教授", "副高级")]))
    assert done.status_code == 201 and done.json()["imported"] == 2
    bad_row = upload(workbook(header, [row("赵教授", "正高级"), row("钱教授", "特级")]))
    assert bad_row.status_code == 422 and bad_row.json()["errors"][0]["path"] == "/rows/3/title_level"
    assert upload(workbook(["名字", "单位"], [["x", "y"]])).status_code == 422
    assert upload(b"%PDF-1.4 not a workbook").status_code == 415
    pool = world.client.get("/api/v1/experts", headers=headers).json()["experts"]
    assert sorted(e["name"] for e in pool) == ["李教授", "王教授"]
