"""A unit's queue with 10,000 declarations in it (issue 16; REV-1): every page, first or last,
filtered, searched or sorted by rank, shows one bounded page and says how many there are in
all. How fast that is is bench/bench_queue_pages.py's business, not a test's."""

from __future__ import annotations

import re
from typing import Any

import crowd
import pytest
from chain_helpers import World, page_login

from runtime.demo.seed import DEMO_PASSWORD, demo_data, seed_demo

CLONES = 10_000
ROW = re.compile(r'name="declaration_ids" value="([0-9a-f]+)"')


@pytest.fixture
def crowded(world: World) -> dict[str, Any]:
    svc = world.svc
    seed_demo(svc)
    unit = svc.storage.one("SELECT id, name FROM organisations WHERE name = ?", (demo_data()["declaring_unit"],))
    first = crowd.declare_many(svc, unit["id"], 1)[0]
    crowd.clone_many(svc, first.declaration_id, CLONES)
    reviewer = svc.storage.one(
        "SELECT login_name FROM accounts WHERE org_id = ? ORDER BY created_at LIMIT 1", (unit["id"],)
    )
    total = svc.storage.one(
        "SELECT COUNT(*) AS n FROM declaration_chain WHERE org_id = ? AND visible = 1", (unit["id"],)
    )["n"]
    assert total > CLONES
    return {"unit": unit, "login": reviewer["login_name"], "total": int(total), "first": first}


def _count(page: str) -> list[int]:
    found = re.search(r'id="queue-count">([^<]*)<', page)
    assert found, "the queue says how many there are"
    return [int(n) for n in re.findall(r"\d+", found.group(1))]


def test_a_queue_of_ten_thousand_shows_one_bounded_page_with_the_whole_count(
    world: World, crowded: dict[str, Any]
) -> None:
    lists = world.svc.bundle.platform["lists"]
    browser = page_login(world, crowded["login"], DEMO_PASSWORD)
    first = browser.get("/review")
    assert first.status_code == 200
    rows = ROW.findall(first.text)
    assert 0 < len(rows) <= int(lists["max_page_size"])
    total, page, pages = _count(first.text)
    assert (total, page) == (crowded["total"], 1)
    assert pages == -(-total // len(rows))

    # the last page: what is left over, and nothing from the first page again
    last = browser.get("/review", params={"page": pages})
    assert last.status_code == 200
    left = ROW.findall(last.text)
    assert len(left) == total - (pages - 1) * len(rows)
    assert not set(left) & set(rows)
    # a page beyond the last shows the last one, not an error
    beyond = browser.get("/review", params={"page": pages + 5})
    assert beyond.status_code == 200 and _count(beyond.text)[1] == pages


def test_a_search_or_a_sort_among_ten_thousand_stays_one_bounded_page(world: World, crowded: dict[str, Any]) -> None:
    lists = world.svc.bundle.platform["lists"]
    browser = page_login(world, crowded["login"], DEMO_PASSWORD)
    searched = browser.get("/review", params={"q": crowded["first"].id_number})
    assert ROW.findall(searched.text) == [crowded["first"].declaration_id]
    assert _count(searched.text)[0] == 1
    ranked = browser.get("/review", params={"sort": "rank", "page": 3})
    assert ranked.status_code == 200
    assert 0 < len(ROW.findall(ranked.text)) <= int(lists["max_page_size"])
    nothing = browser.get("/review", params={"q": "没有这个人"})
    assert ROW.findall(nothing.text) == [] and _count(nothing.text)[0] == 0
