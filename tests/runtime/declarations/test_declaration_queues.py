"""Queues read from indexed chain rows, filtered in SQL, one keyset page at a time (issue 14, REV-1):
every visible declaration exactly once across pages, nothing beyond `reached`, filters and counts
equal to the same rule applied to the rows the test made, and bad paging input a clear 422."""

from __future__ import annotations

import random
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
from runtime.review import workflow

NAMES = ["王小明", "李%华", "张_伟", "赵敏"]


@pytest.fixture
def rows_world(tmp_path: Path, clock: Clock, database: str | None) -> Iterator[World]:
    app = create_app(ROOT / "build", tmp_path / "data", dev=True, clock=clock, database=database)
    with TestClient(app, base_url="http://testserver") as client:
        yield World(client)
    app.state.services.storage.close()


class Scene:
    """Two units under one department; 40 declarations in every mix of series, level, state,
    holder and reach; some updated at distinct times, many at the same one (ties)."""

    def __init__(self, world: World) -> None:
        self.world = world
        svc = world.client.app.state.services  # type: ignore[attr-defined]
        self.svc = svc
        self.series = [e["value"] for e in svc.bundle.entries("series")][:3]
        self.levels = [e["value"] for e in svc.bundle.entries("levels")][:2]
        self.states = list(workflow.definition(svc)["states"])[:4]
        self.unit = world.org("单位甲")
        self.other_unit = world.org("单位乙")
        self.department = world.org("主管部门", kinds=("department",))
        self.stranger = world.org("无关单位")
        self.made: list[dict[str, Any]] = []
        pick = random.Random(14)
        for n in range(40):
            unit = self.unit if n % 3 else self.other_unit
            chain = [unit, self.department]
            reached = pick.choice([0, 0, 1])
            holder = chain[reached] if pick.random() < 0.7 else None
            name = NAMES[n % len(NAMES)]
            number = f"3710021990010{n:04d}"[:17] + "X"
            person = world.person(name, id_number=number)
            header = {"unit": unit, "series": pick.choice(self.series), "level": pick.choice(self.levels)}
            state = pick.choice(self.states)
            declaration_id = world.declaration(
                person, {"header": header}, chain=chain, state=state, reached=reached, holder=holder
            )
            updated = f"2026-11-{10 + n % 7:02d}T09:00:00+08:00" if n % 2 else "2026-11-10T10:00:00+08:00"
            world.execute("UPDATE declarations SET updated_at = ? WHERE id = ?", (updated, declaration_id))
            self.made.append(
                {
                    "id": declaration_id,
                    "chain": chain,
                    "reached": reached,
                    "holder": holder,
                    "state": state,
                    "name": name,
                    "id_number": number,
                    "updated_at": updated,
                    **header,
                }
            )

    def visible_to(self, org: str) -> list[dict[str, Any]]:
        return [d for d in self.made if org in d["chain"] and d["chain"].index(org) <= d["reached"]]

    def headers(self, org: str) -> dict[str, str]:
        return self.world.bearer(self.world.org_account(org))


@pytest.fixture
def scene(rows_world: World) -> Scene:
    return Scene(rows_world)


def read_all(scene: Scene, headers: dict[str, str], limit: int, **params: str) -> tuple[list[str], list[int]]:
    ids: list[str] = []
    totals: list[int] = []
    cursor = ""
    for _ in range(100):
        query = {**params, "limit": str(limit), **({"cursor": cursor} if cursor else {})}
        answer = scene.world.client.get("/api/v1/declarations", params=query, headers=headers)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert len(body["declarations"]) <= limit
        ids += [d["id"] for d in body["declarations"]]
        totals.append(body["total"])
        if not body["next_cursor"]:
            return ids, totals
        cursor = body["next_cursor"]
    raise AssertionError("the pages never ended")


def test_paging_through_a_queue_returns_every_visible_declaration_once_newest_first(scene: Scene) -> None:
    for org in (scene.unit, scene.department):
        expected = sorted(scene.visible_to(org), key=lambda d: (d["updated_at"], d["id"]), reverse=True)
        ids, totals = read_all(scene, scene.headers(org), limit=7)
        assert ids == [d["id"] for d in expected]
        assert set(totals) == {len(expected)}


def test_an_organisation_sees_nothing_beyond_its_reach_or_off_its_chain(scene: Scene) -> None:
    ids, _ = read_all(scene, scene.headers(scene.stranger), limit=50)
    assert ids == []
    hidden = next(d for d in scene.made if d["reached"] == 0)
    ids, _ = read_all(scene, scene.headers(scene.department), limit=50)
    assert hidden["id"] not in ids
    scene.world.execute("UPDATE declarations SET reached = 1 WHERE id = ?", (hidden["id"],))
    ids, _ = read_all(scene, scene.headers(scene.department), limit=50)
    assert hidden["id"] in ids  # the chain rows follow the declaration


@pytest.mark.parametrize("key", ["series", "level", "state", "held", "holder", "q_name", "q_id_number"])
def test_each_filter_keeps_exactly_the_matching_declarations(scene: Scene, key: str) -> None:
    org = scene.department
    visible = scene.visible_to(org)
    sample = visible[0]
    checks: dict[str, tuple[dict[str, str], Any]] = {
        "series": ({"series": sample["series"]}, lambda d: d["series"] == sample["series"]),
        "level": ({"level": sample["level"]}, lambda d: d["level"] == sample["level"]),
        "state": ({"state": sample["state"]}, lambda d: d["state"] == sample["state"]),
        "held": ({"held": "1"}, lambda d: d["holder"] == org),
        "holder": ({"holder": scene.unit}, lambda d: d["holder"] == scene.unit),
        "q_name": ({"q": "%"}, lambda d: "%" in d["name"]),  # a wildcard is a plain character
        "q_id_number": ({"q": sample["id_number"].lower()}, lambda d: d["id_number"] == sample["id_number"]),
    }
    params, keep = checks[key]
    ids, totals = read_all(scene, scene.headers(org), limit=5, **params)
    assert sorted(ids) == sorted(d["id"] for d in visible if keep(d))
    assert set(totals) == {len(ids)}


def test_a_filter_that_matches_nothing_gives_an_empty_page_and_a_zero_count(scene: Scene) -> None:
    answer = scene.world.client.get(
        "/api/v1/declarations", params={"series": "不存在的系列"}, headers=scene.headers(scene.department)
    )
    assert answer.json() == {"declarations": [], "next_cursor": None, "limit": answer.json()["limit"], "total": 0}


def test_the_page_size_defaults_and_is_bounded_by_platform_policy(scene: Scene) -> None:
    lists = scene.svc.bundle.platform["lists"]
    headers = scene.headers(scene.department)
    assert scene.world.client.get("/api/v1/declarations", headers=headers).json()["limit"] == lists["page_size"]
    for bad in (str(lists["max_page_size"] + 1), "0", "-1", "ten", "²", "１", "9" * 5000):
        answer = scene.world.client.get("/api/v1/declarations", params={"limit": bad}, headers=headers)
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["code"] == "list_limit_invalid"
        assert str(lists["max_page_size"]) in answer.json()["errors"][0]["message"]


# the last two: ["\ud800", "x"] and ["x", "\ud800"], lone surrogates no database takes
@pytest.mark.parametrize(
    "cursor", ["not-base64!", "WzEsMl0", "eyJhIjoxfQ", "x" * 300, "WyJcdWQ4MDAiLCJ4Il0", "WyJ4IiwiXHVkODAwIl0"]
)
def test_a_forged_cursor_is_a_clear_422(scene: Scene, cursor: str) -> None:
    answer = scene.world.client.get(
        "/api/v1/declarations", params={"cursor": cursor}, headers=scene.headers(scene.department)
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["code"] == "list_cursor_invalid"


def test_a_deleted_declaration_leaves_no_chain_rows(scene: Scene) -> None:
    gone = scene.made[0]["id"]
    scene.world.execute("DELETE FROM sections WHERE declaration_id = ?", (gone,))
    scene.world.execute("DELETE FROM declarations WHERE id = ?", (gone,))
    assert scene.world.one("SELECT COUNT(*) AS n FROM declaration_chain WHERE declaration_id = ?", (gone,)) == {"n": 0}


def _chain_rows(scene: Scene, declaration_id: str) -> list[dict[str, Any]]:
    return [
        scene.world.one(
            "SELECT org_id, updated_at FROM declaration_chain WHERE declaration_id = ? AND position = ?",
            (declaration_id, n),
        )
        for n in range(2)
    ]


def test_the_chain_rows_follow_every_change_of_a_declaration_on_a_chain(scene: Scene) -> None:
    made = scene.made[1]
    scene.world.execute(
        "UPDATE declarations SET updated_at = ? WHERE id = ?", ("2026-12-01T09:00:00+08:00", made["id"])
    )
    assert [r["updated_at"] for r in _chain_rows(scene, made["id"])] == ["2026-12-01T09:00:00+08:00"] * 2
    # taken off its chain (back to no chain at all): its rows go with it
    scene.world.execute("UPDATE declarations SET chain = '[]' WHERE id = ?", (made["id"],))
    assert _chain_rows(scene, made["id"]) == [None, None]


def test_a_declaration_without_a_chain_has_no_chain_rows_until_it_gets_one(scene: Scene) -> None:
    draft = scene.world.declaration(
        scene.world.person("钱多多", id_number="371002199001019990"), {}, chain=[], holder=None
    )
    scene.world.execute("UPDATE declarations SET updated_at = ? WHERE id = ?", ("2026-12-01T09:00:00+08:00", draft))
    assert _chain_rows(scene, draft) == [None, None]
    chain = f'["{scene.unit}", "{scene.department}"]'
    scene.world.execute("UPDATE declarations SET chain = ?, reached = 0 WHERE id = ?", (chain, draft))
    assert [r["org_id"] for r in _chain_rows(scene, draft)] == [scene.unit, scene.department]
