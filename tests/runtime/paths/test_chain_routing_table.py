"""The routing table (PATH-2, PATH-3) cell by cell, empty cells included, over GET
/api/v1/routing. The table is the one build/ compiled from schemas/routing/ (the seed's section
四.7 transcribed there): the tests read it and never restate a cell, so policy staff can move
a cell in YAML and the tests follow."""

from __future__ import annotations

from typing import Any

import pytest
from chain_helpers import World
from runtime_support import build_json, message

ROUTING = build_json("routing.json")
PLATFORM = build_json("platform.json")
CITY = next(iter(ROUTING["tables"].values()))  # the city's table (one region, one table)
CITY_REGION = next(r for r in PLATFORM["regions"] if r["kind"] == "city")
LOWER_REGIONS = [r["id"] for r in PLATFORM["regions"] if r.get("parent") == CITY_REGION["id"]]


def series() -> list[str]:
    return [e["value"] for e in build_json("dictionaries.json")["series"]["entries"]]


def cells() -> dict[tuple[str, str], str]:
    """Every (series, level) of the code lists with the organisation its cell names, "" when empty."""
    return {(s, level): CITY["cells"].get(s, {}).get(level, "") for s in series() for level in CITY["levels"]}


def authority(predicate: Any) -> dict[str, Any]:
    return next(a for a in PLATFORM["authorities"] if predicate(a))


def test_every_series_has_a_row_and_every_cell_names_an_authority() -> None:
    assert set(CITY["cells"]) == set(series())
    named = {name for name in cells().values() if name}
    assert named and named <= {a["name"] for a in PLATFORM["authorities"]}
    assert any(not name for name in cells().values())  # the table has empty cells: no path there


def test_every_cell_of_the_city_table_routes_a_city_unit_without_supervisor(world: World) -> None:
    caller = world.actor(authority(lambda a: a["region"] == CITY_REGION["id"] and "region_hr" in a["kinds"])["id"])
    for (name_of_series, level), name in cells().items():
        params = {"series": name_of_series, "level": level, "region": CITY_REGION["id"]}
        response = caller.get("/api/v1/routing", params=params)
        if name:
            assert response.status_code == 200, (name_of_series, level, response.text)
            assert response.json()["names"] == [name], (name_of_series, level)
        else:
            assert response.status_code == 404, (name_of_series, level, response.text)
            assert response.json()["errors"][0]["message"] == message("routing_empty_cell")


@pytest.mark.parametrize("region", LOWER_REGIONS)
def test_district_units_go_through_their_hr_authority_then_the_city_table(world: World, region: str) -> None:
    hr = authority(lambda a: a["region"] == region and "region_hr" in a["kinds"])["name"]
    city_hr = authority(lambda a: a["region"] == CITY_REGION["id"] and "region_hr" in a["kinds"])
    supervisor = authority(lambda a: a["region"] == CITY_REGION["id"] and "region_hr" not in a["kinds"])
    caller = world.actor(city_hr["id"])
    for (name_of_series, level), name in cells().items():
        params = {"series": name_of_series, "level": level, "region": region}
        plain = caller.get("/api/v1/routing", params=params)
        supervised = caller.get("/api/v1/routing", params={**params, "supervisor": supervisor["id"]})
        if name:
            assert plain.json()["names"] == [hr, name], (region, name_of_series, level)
            expected = [supervisor["name"], hr, name]
            assert supervised.json()["names"] == expected, (region, name_of_series, level)
        else:
            assert (plain.status_code, supervised.status_code) == (404, 404), (region, name_of_series, level)


def test_a_city_unit_with_a_supervisor_goes_to_it_first(world: World) -> None:
    city_hr = authority(lambda a: a["region"] == CITY_REGION["id"] and "region_hr" in a["kinds"])
    caller = world.actor(city_hr["id"])
    # a supervisor that is itself the organising unit of some cells and not of others
    by_name = {a["name"]: a for a in PLATFORM["authorities"] if a["region"] == CITY_REGION["id"]}
    supervisor = next(by_name[n] for n in cells().values() if n in by_name and n != city_hr["name"])
    own = next(cell for cell, n in cells().items() if n == supervisor["name"])
    other = next(cell for cell, n in cells().items() if n and n != supervisor["name"])

    def names(cell: tuple[str, str]) -> list[str]:
        params = {"series": cell[0], "level": cell[1], "region": CITY_REGION["code"], "supervisor": supervisor["id"]}
        return list(caller.get("/api/v1/routing", params=params).json()["names"])

    assert names(other) == [supervisor["name"], cells()[other]]
    assert names(own) == [supervisor["name"]]  # the supervisor is the organising unit itself: once


def test_bad_routing_queries_are_422_with_a_message(world: World) -> None:
    caller = world.actor(authority(lambda a: a["region"] == CITY_REGION["id"] and "region_hr" in a["kinds"])["id"])
    known, level = next(cell for cell, name in cells().items() if name)
    province = next((r["code"] for r in PLATFORM["regions"] if r.get("kind") == "province"), "370000")
    for params in (
        {"series": known, "level": "not a level", "region": CITY_REGION["id"]},
        {"series": "not a series", "level": level, "region": CITY_REGION["id"]},
        {"series": known, "level": level, "region": province},
        {"series": known, "level": level, "region": CITY_REGION["id"], "supervisor": "nobody"},
        {},
    ):
        response = caller.get("/api/v1/routing", params=params)
        assert response.status_code == 422, params
        assert all(e["message"] for e in response.json()["errors"])
    assert world.client.get("/api/v1/routing", params={"series": known}).status_code == 401
