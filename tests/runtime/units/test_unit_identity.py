"""Issue 13, finding 10: one unit is one unit whatever width its brackets were typed in (UNIT-4),
one permitted unit per credit code, and a code's division must match the region (UNIT-3)."""

from __future__ import annotations

import unicodedata
from typing import Any

from chain_helpers import World, uscc
from hypothesis import given
from hypothesis import strategies as st

from runtime.units.names import name_key


def _ask(unit: Any, code: str, region: str) -> Any:
    return unit.post("/api/v1/units/me/permission", json={"uscc": code, "region": region})


def test_a_full_width_name_of_a_permitted_unit_is_a_duplicate(world: World) -> None:
    world.permitted_unit("威海市示范(集团)有限公司", "371000")
    for n, typed in enumerate(
        ["威海市示范（集团）有限公司", "威海市示范 (集团) 有限公司", "威海市示范【集团】有限公司"]
    ):
        again = world.register_unit(typed, "371000")
        refused = _ask(again, uscc("371000", 700 + n), "371000")
        assert refused.status_code == 409, typed
        assert refused.json()["errors"][0]["code"] == "duplicate_unit"
        assert again.get("/api/v1/units/me").json()["permitted"] is False


def test_a_different_name_is_not_a_duplicate(world: World) -> None:
    world.permitted_unit("威海市示范(集团)有限公司", "371000")
    other = world.register_unit("威海市示范(控股)有限公司", "371000")
    assert _ask(other, uscc("371000", 801), "371000").json()["state"] == "auto_approved"


def test_one_credit_code_gets_one_permitted_unit(world: World) -> None:
    first = world.register_unit("威海市甲公司", "371000")
    code = first.get("/api/v1/units/me").json()["uscc"]
    assert _ask(first, code, "371000").json()["state"] == "auto_approved"
    second = world.register_unit("威海市乙公司", "371000")
    refused = _ask(second, code, "371000")
    assert refused.status_code == 409 and refused.json()["errors"][0]["code"] == "duplicate_uscc"
    assert second.get("/api/v1/units/me").json()["permitted"] is False


def test_an_hr_authority_cannot_approve_a_second_unit_for_a_permitted_code(world: World) -> None:
    code = uscc("371002", 901)
    second = world.register_unit("文登区乙厂", "371003")
    pending = _ask(second, code, "371003")  # a 环翠 code for 文登: manual review
    assert pending.json()["state"] == "pending_manual"
    first = world.register_unit("环翠区甲厂", "371002")
    assert _ask(first, code, "371002").json()["state"] == "auto_approved"
    wendeng = world.actor("wendeng_hrss")
    decided = wendeng.post(f"/api/v1/permission-requests/{pending.json()['id']}/approve", json={"comment": "核实"})
    assert decided.status_code == 409 and decided.json()["errors"][0]["code"] == "duplicate_uscc"
    assert second.get("/api/v1/units/me").json()["permitted"] is False


def test_a_code_of_the_chosen_district_is_approved_automatically(world: World) -> None:
    unit = world.register_unit("荣成市某某公司", "371082")
    assert _ask(unit, uscc("371082", 11), "371082").json()["state"] == "auto_approved"


def test_a_district_code_claiming_the_city_is_reviewed_by_hand_and_reaches_no_department(world: World) -> None:
    unit = world.register_unit("威海市某某渔业公司", "371000")
    asked = _ask(unit, uscc("371082", 12), "371000")
    assert asked.json()["state"] == "pending_manual" and asked.json()["reasons"] == ["region"]
    assert unit.get("/api/v1/units/me").json()["permitted"] is False
    applicant = world.applicant()
    assert applicant.get("/api/v1/units", params={"q": "渔业"}).json()["units"] == []


_FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


@given(st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=30))
def test_a_name_typed_in_full_width_compares_equal_to_half_width(text: str) -> None:
    full = "".join(_FULL_WIDTH.get(c, c) for c in text)
    assert name_key(full) == name_key(text)
    assert name_key(" ".join(text)) == name_key(text)


@given(st.text(min_size=1, max_size=30))
def test_the_comparable_name_is_stable_and_has_no_space(text: str) -> None:
    key = name_key(text)
    assert name_key(key) == key
    assert not any(c.isspace() or unicodedata.category(c) == "Zs" for c in key)
