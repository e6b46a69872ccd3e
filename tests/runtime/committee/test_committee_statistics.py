"""Statistics (STAT-1): counts of a notice year by series, level, region and state, scoped by
role and region (the city bureau: the whole city; a district bureau: its district; a
department: what is routed to it), equal to counts made directly in SQL on a seeded data
set; drill-down lists, XLSX export and a server-rendered SVG chart of the same numbers."""

from __future__ import annotations

import html
import io
import random
import re
from typing import Any

import pytest
from documents_helpers import World, full_sections
from openpyxl import load_workbook

YEAR = 2026


def seeded(world: World, svc: Any) -> dict[str, Any]:
    """Sixty declarations over three regions, two departments and every workflow state."""
    rng = random.Random(15)
    units = {region: world.org(f"统计测试单位{region}", region=region) for region in ("weihai", "huancui", "wendeng")}
    departments = ["weihai_archives", "weihai_education"]
    series = [e["value"] for e in svc.bundle.entries("series")][:4]
    levels = [e["value"] for e in svc.bundle.entries("levels")]
    states = list(svc.bundle.workflow["declaration"]["states"])
    for _ in range(60):
        region = rng.choice(list(units))
        department = rng.choice(departments)
        sections = full_sections(units[region])
        sections["header"].update(series=rng.choice(series), level=rng.choice(levels))
        never_sent = rng.random() < 0.15  # a draft nobody has held: counted by no one
        world.declaration(
            world.person(),
            sections,
            chain=[units[region], department],
            state=rng.choice(states),
            reached=-1 if never_sent else rng.choice([0, 1]),
        )
    return {"units": units}


def sql_counts(world: World, by: str, where: str, params: tuple[Any, ...]) -> dict[str, int]:
    """The expected numbers, counted straight from the database."""
    column = {"series": "d.series", "level": "d.level", "region": "u.region", "state": "d.state"}[by]
    rows = world.db().execute(
        f"SELECT {column} AS value, COUNT(*) AS n FROM declarations d JOIN organisations u ON u.id = d.unit_id"
        f" WHERE d.year = ? AND d.reached >= 0 AND {where} GROUP BY {column}",
        (YEAR, *params),
    )
    return {str(r["value"]): int(r["n"]) for r in rows}


def api_counts(world: World, headers: dict[str, str], by: str, **filters: str) -> dict[str, int]:
    answer = world.client.get("/api/v1/statistics", params={"year": YEAR, "by": by, **filters}, headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["total"] == sum(r["count"] for r in body["rows"])
    return {str(r["value"]): r["count"] for r in body["rows"]}


@pytest.fixture
def data(world: World, svc: Any) -> dict[str, Any]:
    return seeded(world, svc)


def test_the_city_bureau_counts_the_whole_city_by_every_dimension(world: World, svc: Any, data: Any) -> None:
    city = world.bearer(world.org_account("weihai_hrss", role="hr_admin"))
    regions = [r["id"] for r in svc.bundle.platform["regions"]]
    marks = ",".join("?" for _ in regions)
    for by in svc.bundle.committee["statistics"]["dimensions"]:
        assert api_counts(world, city, by) == sql_counts(world, by, f"u.region IN ({marks})", tuple(regions)), by
    assert sum(api_counts(world, city, "state").values()) > 40


def test_a_district_bureau_counts_only_its_district(world: World, svc: Any, data: Any) -> None:
    district = world.bearer(world.org_account("huancui_hrss", role="hr_admin"))
    for by in ("series", "level", "state", "region"):
        assert api_counts(world, district, by) == sql_counts(world, by, "u.region = ?", ("huancui",)), by
    assert set(api_counts(world, district, "region")) == {"huancui"}


def test_a_department_counts_what_is_routed_to_it(world: World, svc: Any, data: Any) -> None:
    office = world.bearer(world.org_account("weihai_archives", role="committee_office"))
    expected = sql_counts(world, "series", "d.chain LIKE ?", ('%"weihai_archives"]',))
    assert api_counts(world, office, "series") == expected
    assert sum(expected.values()) < sum(sql_counts(world, "series", "1 = 1", ()).values())


def test_filters_narrow_the_counts_and_the_drill_down_lists_exactly_the_counted(
    world: World, svc: Any, data: Any
) -> None:
    city = world.bearer(world.org_account("weihai_hrss", role="hr_admin"))
    by_series = api_counts(world, city, "series")
    series = max(by_series, key=lambda k: by_series[k])
    by_level = api_counts(world, city, "level", series=series)
    assert sum(by_level.values()) == by_series[series]
    level = next(iter(by_level))
    listed = world.client.get(
        "/api/v1/statistics/declarations", params={"year": YEAR, "series": series, "level": level}, headers=city
    ).json()["declarations"]
    assert len(listed) == by_level[level]
    assert {(d["series"], d["level"]) for d in listed} == {(series, level)}


def test_those_without_statistics_and_bad_queries_are_refused(world: World, svc: Any, data: Any) -> None:
    unit = world.bearer(world.org_account(data["units"]["weihai"]))
    assert world.client.get("/api/v1/statistics", params={"year": YEAR}, headers=unit).status_code == 403
    person = world.bearer(world.person())
    assert world.client.get("/api/v1/statistics", params={"year": YEAR}, headers=person).status_code == 403
    assert world.client.get("/api/v1/statistics", params={"year": YEAR}).status_code == 401
    city = world.bearer(world.org_account("weihai_hrss", role="hr_admin"))
    bad = [({"year": 1999}, "/year"), ({"year": "x"}, "/year"), ({"by": "person_name"}, "/by")]
    bad += [({"year": digits}, "/year") for digits in ("²²²²", "２０２６", "9" * 5000)]  # digits int() refuses or reads
    for params, path in bad:
        for endpoint in ("/api/v1/statistics", "/api/v1/statistics/declarations", "/api/v1/statistics.xlsx"):
            answer = world.client.get(endpoint, params=params, headers=city)
            assert answer.status_code == 422 and answer.json()["errors"][0]["path"] == path, (endpoint, params)


def test_the_spreadsheet_and_the_chart_show_the_same_numbers(world: World, svc: Any, data: Any) -> None:
    city = world.bearer(world.org_account("weihai_hrss", role="hr_admin"))
    counts = world.client.get("/api/v1/statistics", params={"year": YEAR, "by": "level"}, headers=city).json()
    sheet = world.client.get("/api/v1/statistics.xlsx", params={"year": YEAR, "by": "level"}, headers=city)
    assert sheet.status_code == 200
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(min_row=4, values_only=True))
    assert {str(r[0]): r[1] for r in rows[:-1]} == {r["title"]: r["count"] for r in counts["rows"]}
    assert rows[-1][1] == counts["total"]
    chart = world.client.get("/api/v1/statistics/chart.svg", params={"year": YEAR, "by": "level"}, headers=city)
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml")
    text = chart.text
    assert "<svg" in text and "<script" not in text
    for row in counts["rows"]:
        assert row["title"] in text and f">{row['count']}<" in text


def test_the_statistics_page_works_without_javascript_and_links_every_count(world: World, svc: Any, data: Any) -> None:
    browser = world.browser(world.org_account("weihai_hrss", role="hr_admin"))
    page = browser.get("/statistics", params={"year": YEAR, "by": "region"})
    assert page.status_code == 200
    assert 'id="statistics-chart" src="/statistics/chart.svg?' in page.text
    assert page.text.count("/statistics/list?") >= 2
    listed = browser.get("/statistics/list", params={"year": YEAR, "region": "huancui"})
    assert (
        listed.status_code == 200 and "统计测试单位huancui" in listed.text and "统计测试单位wendeng" not in listed.text
    )
    assert browser.get("/statistics.xlsx", params={"year": YEAR}).status_code == 200
    assert browser.get("/statistics/chart.svg", params={"year": YEAR}).status_code == 200
    assert world.browser(world.org_account(data["units"]["weihai"])).get("/statistics").status_code == 403


@pytest.mark.parametrize("limit", [1, 7, 50])
def test_the_drill_down_comes_in_keyset_pages_that_add_up_to_the_count(
    world: World, svc: Any, data: Any, limit: int
) -> None:
    city = world.bearer(world.org_account("weihai_hrss", role="hr_admin"))
    total = sum(api_counts(world, city, "region").values())
    seen: list[str] = []
    cursor = ""
    while True:
        answer = world.client.get(
            "/api/v1/statistics/declarations", params={"year": YEAR, "limit": limit, "cursor": cursor}, headers=city
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert len(body["declarations"]) <= limit and body["limit"] == limit
        seen += [d["id"] for d in body["declarations"]]
        if body["next_cursor"] is None:
            break
        cursor = body["next_cursor"]
    assert len(seen) == len(set(seen)) == total


def test_the_drill_down_page_links_to_its_next_page_with_the_filters(world: World, svc: Any, data: Any) -> None:
    size = int(svc.bundle.platform["lists"]["page_size"])
    city = world.bearer(world.org_account("weihai_hrss", role="hr_admin"))
    for _ in range(size + 1 - sum(api_counts(world, city, "region").values())):  # more than one page
        unit = data["units"]["huancui"]
        world.declaration(world.person(), full_sections(unit), chain=[unit, "weihai_archives"], reached=0)
    total = sum(api_counts(world, city, "region").values())
    browser = world.browser(world.org_account("weihai_hrss", role="hr_admin"))
    first = browser.get("/statistics/list", params={"year": YEAR})
    link = re.search(r'<a href="(/statistics/list\?[^"]+)" rel="next">', first.text)
    assert link, "no link to the next page"
    second = browser.get(html.unescape(link.group(1)))
    rows = re.compile(r"<tr><td>")
    assert len(rows.findall(first.text)) == size and len(rows.findall(second.text)) == total - size
