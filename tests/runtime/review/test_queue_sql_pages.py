"""The review queue's pages come from SQL (issue 14; REV-1..3, DEC-3): for every filter, search and
sort, walking all pages gives exactly the declarations — in exactly the order, with exactly the
count — that the plain rule applied to the rows this test made gives, on both backends."""

from __future__ import annotations

import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from runtime_support import ROOT
from starlette.testclient import TestClient

sys.path.insert(0, str(Path(__file__).parents[1] / "documents"))

from documents_helpers import World

from runtime.app import create_app
from runtime.clock import Clock
from runtime.review import queue, workflow
from runtime.web.http import HttpError

NAMES = ["王小明", "Li Ming", "李%华", "张_伟", "赵敏", "li lei"]
UNITS = ["beta单位", "Alpha单位"]  # code-point order puts the capital first
# valid ranks, ranks with the spaces people type around them, and what is no rank at all
RANKS = ["1/3", "2/3", " 3 / 3 ", "10/12", "2/3\u3000", "abc", "", "12345/1", None]
RANK = re.compile(
    r"^[ \t\n\r\f\v\u00a0\u3000]*([0-9]{1,4})[ \t\n\r\f\v\u00a0\u3000]*/"
    r"[ \t\n\r\f\v\u00a0\u3000]*([0-9]{1,4})[ \t\n\r\f\v\u00a0\u3000]*$"
)


@pytest.fixture
def rows_world(tmp_path: Path, clock: Clock, database: str | None) -> Iterator[World]:
    app = create_app(ROOT / "build", tmp_path / "data", dev=True, clock=clock, database=database)
    with TestClient(app, base_url="http://testserver") as client:
        yield World(client)
    app.state.services.storage.close()


class Scene:
    """Two units under one department; 45 declarations in every mix of series, level, state,
    holder, reach, rank and name; many changed at one same time (ties)."""

    def __init__(self, world: World) -> None:
        svc = world.client.app.state.services  # type: ignore[attr-defined]
        self.svc = svc
        self.series = [e["value"] for e in svc.bundle.entries("series")][:2]
        self.levels = [e["value"] for e in svc.bundle.entries("levels")][:2]
        self.states = list(workflow.definition(svc)["states"])[:3]
        self.units = [world.org(name) for name in UNITS]
        self.unit_names = dict(zip(self.units, UNITS, strict=True))
        self.department = world.org("主管部门", kinds=("department",))
        self.made: list[dict[str, Any]] = []
        pick = random.Random(1414)
        for n in range(45):
            unit = self.units[n % 2]
            chain = [unit, self.department]
            reached = pick.choice([0, 1, 1])
            holder = chain[reached] if pick.random() < 0.7 else None
            name = NAMES[n % len(NAMES)]
            number = f"37100219900101{n:03d}X"
            person = world.person(name, id_number=number)
            rank = RANKS[n % len(RANKS)]
            header: dict[str, Any] = {
                "unit": unit,
                "series": pick.choice(self.series),
                "level": pick.choice(self.levels),
            }
            if rank is not None:
                header["rank"] = rank
            state = pick.choice(self.states)
            made = world.declaration(
                person, {"header": header}, chain=chain, state=state, reached=reached, holder=holder
            )
            updated = f"2026-11-{10 + n % 5:02d}T09:00:00+08:00" if n % 3 else "2026-11-10T10:00:00+08:00"
            world.execute("UPDATE declarations SET updated_at = ? WHERE id = ?", (updated, made))
            self.made.append(
                {
                    "id": made,
                    "chain": chain,
                    "reached": reached,
                    "holder": holder,
                    "state": state,
                    "name": name,
                    "id_number": number,
                    "updated_at": updated,
                    "unit_name": self.unit_names[unit],
                    "rank": rank,
                    **header,
                }
            )

    def account(self, org: str) -> Any:
        return {"id": "viewer", "kind": "organisation", "role": "reviewer", "org_id": org}

    def expected(self, org: str, **query: Any) -> list[str]:
        """The plain rule: what the organisation may see, filtered, searched and sorted in Python."""
        rows = [d for d in self.made if org in d["chain"] and d["chain"].index(org) <= d["reached"]]
        for key in ("series", "level", "state"):
            if query.get(key):
                rows = [d for d in rows if d[key] == query[key]]
        if query.get("held_only"):
            rows = [d for d in rows if d["holder"] == org]
        text = str(query.get("q", "")).strip().lower()
        if text:
            rows = [d for d in rows if any(text in d[k].lower() for k in ("name", "id_number", "unit_name"))]
        rows.sort(key=lambda d: (d["updated_at"], d["id"]), reverse=True)
        if query.get("sort") == "rank":
            rows.sort(key=lambda d: (d["unit_name"], rank_key(d["rank"]), d["name"]))
        return [d["id"] for d in rows]

    def walk(self, org: str, per_page: int, **query: Any) -> tuple[list[str], set[int]]:
        """Every page of the queue, first to last: the ids in order and the totals each page gave."""
        ids: list[str] = []
        totals: set[int] = set()
        number = 1
        while True:
            found = queue.find(self.svc, self.account(org), per_page=per_page, page=number, **query)
            assert len(found.rows) <= per_page and found.page == number
            ids += [r["id"] for r in found.rows]
            totals.add(found.total)
            if number >= found.pages:
                return ids, totals
            number += 1


def rank_key(rank: str | None) -> tuple[int, int]:
    found = RANK.match(rank or "")
    return (int(found[1]), int(found[2])) if found else (10**6, 10**6)


@pytest.fixture
def scene(rows_world: World) -> Scene:
    return Scene(rows_world)


def queries(scene: Scene) -> list[dict[str, Any]]:
    return [
        {},
        {"series": scene.series[0]},
        {"level": scene.levels[1], "state": scene.states[0]},
        {"held_only": True},
        {"q": "li"},  # in two names, whatever their case
        {"q": "%"},  # a wildcard is a plain character
        {"q": "_"},
        {"q": "101007x"},  # the tail of one ID number, typed in lower case
        {"q": " alpha "},  # part of a unit's name, spaces around it
        {"q": "没有这个人"},
        {"series": scene.series[1], "q": "单位"},
    ]


@pytest.mark.parametrize("sort", ["date", "rank"])
def test_every_page_of_every_filter_and_search_holds_exactly_the_plain_rules_rows_in_order(
    scene: Scene, sort: str
) -> None:
    for org in (*scene.units, scene.department):
        for query in queries(scene):
            expected = scene.expected(org, sort=sort, **query)
            ids, totals = scene.walk(org, per_page=4, sort=sort, **query)
            assert ids == expected, (org, query)
            assert totals == {len(expected)}, (org, query)


def test_the_rank_order_puts_the_units_recommendation_first_and_what_is_no_rank_last(scene: Scene) -> None:
    ids, _ = scene.walk(scene.department, per_page=50, sort="rank")
    by_id = {d["id"]: d for d in scene.made}
    unit_first = [by_id[i] for i in ids if by_id[i]["unit_name"] == min(UNITS)]
    ranks = [rank_key(d["rank"]) for d in unit_first]
    assert ranks == sorted(ranks) and ranks[0] == (1, 3) and ranks[-1] == (10**6, 10**6)


def test_a_page_past_the_last_shows_the_last_and_an_empty_queue_one_empty_page(scene: Scene) -> None:
    expected = scene.expected(scene.department)
    found = queue.find(scene.svc, scene.account(scene.department), per_page=10, page=999)
    assert found.pages == -(-len(expected) // 10) and found.page == found.pages
    assert [r["id"] for r in found.rows] == expected[(found.pages - 1) * 10 :]
    stranger = queue.find(scene.svc, scene.account("o_nobody"), per_page=10, page=3)
    assert (stranger.rows, stranger.total, stranger.page, stranger.pages) == ([], 0, 1, 1)


def test_each_page_row_carries_the_applicant_and_the_declaring_units_name(scene: Scene) -> None:
    found = queue.find(scene.svc, scene.account(scene.department), per_page=50)
    by_id = {d["id"]: d for d in scene.made}
    for row in found.rows:
        made = by_id[row["id"]]
        assert (row["person_name"], row["unit_name"], row["_id_number"]) == (
            made["name"],
            made["unit_name"],
            made["id_number"],
        )
        assert row["rank"] == (made["rank"] or "")


def test_every_found_row_comes_once_through_each_found(scene: Scene) -> None:
    account = scene.account(scene.department)
    rows = list(queue.each_found(scene.svc, account, sort="rank", per_page=6))
    assert [r["id"] for r in rows] == scene.expected(scene.department, sort="rank")


def test_a_person_has_no_review_queue(scene: Scene) -> None:
    person = {"id": "p", "kind": "person", "role": "applicant", "org_id": None}
    with pytest.raises(HttpError) as refused:
        queue.find(scene.svc, person)
    assert refused.value.status == 403
