"""Who may do what (REV-1..3, PATH-1, UNIT-3, UNIT-5): every review, report, path and
permission endpoint × every role × an object of the caller's own organisation (or region)
and one of a foreign organisation, with the status each cell must get.

The world: supervisor S and unit U in 环翠区 (U reports U → S → 环翠区人社局 → 威海市档案局 for
档案 × 中级), a foreign unit F in 文登区 (F → 文登区人社局 → 威海市档案局), and an extra
`unit_admin` account of U. "own" is the object the role's organisation holds or is asked
about; "foreign" is the same kind of object of another organisation or region.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from chain_helpers import ARCHIVES_MIDDLE, PASSWORD, Actor, World, uscc
from runtime_support import INSIDE_WINDOW, ROOT
from starlette.testclient import TestClient

from runtime.app import create_app
from runtime.clock import Clock
from runtime.web.security import hash_password

ROLES = ("applicant", "unit_reviewer", "unit_admin", "supervisor", "district_hr", "committee_office", "support")
N = None  # no such cell: the role has no organisation of that kind

# endpoint -> role -> (own, foreign)
EXPECTED: dict[str, dict[str, tuple[int | None, int | None]]] = {
    "pass": {
        "applicant": (403, 403),
        "unit_reviewer": (200, 404),
        "unit_admin": (403, 404),
        "supervisor": (200, 404),
        "district_hr": (200, 404),
        "committee_office": (200, 404),
        "support": (N, 404),
    },
    "return": {
        "applicant": (403, 403),
        "unit_reviewer": (200, 404),
        "unit_admin": (403, 404),
        "supervisor": (200, 404),
        "district_hr": (200, 404),
        "committee_office": (200, 404),
        "support": (N, 404),
    },
    "report": {
        "applicant": (403, 403),
        "unit_reviewer": (200, 404),
        "unit_admin": (403, 404),
        "supervisor": (200, 404),
        "district_hr": (200, 404),
        "committee_office": (409, 404),  # the end of the chain reports nowhere
        "support": (N, 404),
    },
    "result": {
        "applicant": (403, 403),
        "unit_reviewer": (403, 404),
        "unit_admin": (403, 404),
        "supervisor": (403, 404),
        "district_hr": (409, 404),  # may record results, but only at the end of a chain
        "committee_office": (200, 404),
        "support": (N, 404),
    },
    "path_request": {
        "applicant": (403, N),
        "unit_reviewer": (201, N),
        "unit_admin": (201, N),
        "supervisor": (201, N),
        "district_hr": (201, N),
        "committee_office": (422, N),  # nothing above it for this cell
        "support": (403, N),
    },
    "path_list": {
        "applicant": (403, N),
        "unit_reviewer": (200, N),
        "unit_admin": (200, N),
        "supervisor": (200, N),
        "district_hr": (200, N),
        "committee_office": (200, N),
        "support": (403, N),
    },
    "path_approve": {
        "applicant": (N, 403),
        "unit_reviewer": (403, 404),  # own: its own request, which only the upper one decides
        "unit_admin": (403, 404),
        "supervisor": (200, 404),
        "district_hr": (200, 404),
        "committee_office": (200, 404),
        "support": (N, 403),
    },
    "path_reject": {
        "applicant": (N, 403),
        "unit_reviewer": (403, 404),
        "unit_admin": (403, 404),
        "supervisor": (200, 404),
        "district_hr": (200, 404),
        "committee_office": (200, 404),
        "support": (N, 403),
    },
    "permission_request": {
        "applicant": (403, N),
        "unit_reviewer": (201, N),
        "unit_admin": (409, N),  # its unit already holds permission
        "supervisor": (403, N),
        "district_hr": (403, N),
        "committee_office": (403, N),
        "support": (403, N),
    },
    "permission_list": {
        "applicant": (403, N),
        "unit_reviewer": (403, N),
        "unit_admin": (403, N),
        "supervisor": (403, N),
        "district_hr": (200, N),
        "committee_office": (403, N),
        "support": (403, N),
    },
    "permission_approve": {
        "applicant": (N, 403),
        "unit_reviewer": (N, 403),
        "unit_admin": (N, 403),
        "supervisor": (N, 403),
        "district_hr": (200, 404),
        "committee_office": (N, 403),
        "support": (N, 403),
    },
    "permission_reject": {
        "applicant": (N, 403),
        "unit_reviewer": (N, 403),
        "unit_admin": (N, 403),
        "supervisor": (N, 403),
        "district_hr": (200, 404),
        "committee_office": (N, 403),
        "support": (N, 403),
    },
    "password_reset": {
        "applicant": (N, 403),
        "unit_reviewer": (N, 403),
        "unit_admin": (N, 403),
        "supervisor": (N, 403),
        "district_hr": (200, 404),
        "committee_office": (N, 403),
        "support": (N, 403),
    },
}

LEVEL_OF = {"unit_reviewer": 0, "unit_admin": 0, "supervisor": 1, "district_hr": 2, "committee_office": 3}


@dataclass
class Scene:
    world: World
    actors: dict[str, Actor]
    foreign_unit: Actor
    foreign_hr: Actor
    owner: Actor  # the applicant of U's declarations
    counter: Iterator[int] = field(default_factory=itertools.count)

    def fresh(self) -> tuple[str, str]:
        """A series × level with a path, not used before (a pending request is unique per cell)."""
        cells = self.world.svc.bundle.routing["tables"]["weihai_city"]["cells"]
        found = [(series, level) for series, levels in cells.items() for level in levels if series != "档案"]
        return found[next(self.counter)]

    def declaration(self, level: int, state: str, *, foreign: bool = False) -> str:
        """A declaration of U (or F) held by the chain's organisation at `level`, in `state`."""
        applicant = self.world.applicant() if foreign else self.owner
        if not foreign:
            self.owner = self.world.applicant()  # one declaration per applicant and notice
        start = self.foreign_unit if foreign else self.actors["unit_reviewer"]
        assert start.org_id
        declaration = applicant.new_declaration(start.org_id, ARCHIVES_MIDDLE)
        assert applicant.submit(declaration).status_code == 200
        below = (
            [start, self.foreign_hr]
            if foreign
            else [self.actors[r] for r in ("unit_reviewer", "supervisor", "district_hr")]
        )
        chain = [*below, self.actors["committee_office"]]
        for holder in chain[:level]:
            assert holder.pass_(declaration).status_code == 200
            assert holder.report(ARCHIVES_MIDDLE, declaration).status_code == 200
        if state == "passed":
            assert chain[level].pass_(declaration).status_code == 200
        return declaration

    def pending_path(self, role: str, *, foreign: bool) -> str:
        """A pending path request addressed to the role's organisation (own) or to 文登区人社局."""
        series, level = self.fresh()
        if foreign:
            requester, upper = self.foreign_unit, self.foreign_hr
        elif role in ("unit_reviewer", "unit_admin"):
            requester, upper = self.actors["unit_reviewer"], self.actors["supervisor"]
        else:
            below = {"supervisor": "unit_reviewer", "district_hr": "supervisor", "committee_office": "district_hr"}
            requester, upper = self.actors[below[role]], self.actors[role]
            if role == "committee_office":
                series, level = "档案", "初级"  # a cell whose department is 威海市档案局
                self.world.svc.storage.execute(
                    "DELETE FROM paths WHERE org_id = ? AND upper_org_id = ? AND series = ? AND level = ?",
                    (requester.org_id, upper.org_id, series, level),
                )
        assert upper.org_id
        asked = requester.request_path(series, level, upper.org_id)
        assert asked.status_code == 201, asked.text
        return str(asked.json()["id"])

    def pending_permission(self, region: str) -> str:
        unit = self.world.register_unit(f"待审核单位{uuid.uuid4().hex[:6]}", region)
        info = unit.get("/api/v1/units/me").json()
        code = uscc("371071", 9000 + self.world.next())  # one code per unit: a permitted one's is refused (UNIT-4)
        asked = unit.post("/api/v1/units/me/permission", json={"uscc": code, "region": info["region"]})
        assert asked.json()["state"] == "pending_manual", asked.text
        return str(asked.json()["id"])


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory, module_database: str | None) -> Iterator[Scene]:
    data = tmp_path_factory.mktemp("matrix")
    clock = Clock(8)
    clock.freeze(INSIDE_WINDOW)
    app = create_app(ROOT / "build", data, dev=True, clock=clock, database=module_database)
    with TestClient(app, base_url="http://testserver") as client:
        world = World(client, app)
        world.seed_authorities()
        supervisor = world.supervisor("环翠区教育和体育局", "huancui")
        unit = world.permitted_unit("环翠区矩阵测试学校", "371002", supervisor.org_id)
        foreign_unit = world.permitted_unit("文登区矩阵测试工厂", "371003")
        with world.db() as conn:
            conn.execute(
                "INSERT INTO accounts (id, kind, role, login_name, name, org_id, password_hash, data, created_at)"
                " VALUES (?, 'organisation', 'unit_admin', 'u_admin', '经办人', ?, ?, '{}', ?)",
                (uuid.uuid4().hex, unit.org_id, hash_password(PASSWORD), INSIDE_WINDOW.isoformat()),
            )
        actors = {
            "applicant": world.applicant(),
            "unit_reviewer": unit,
            "unit_admin": world.actor("u_admin"),
            "supervisor": supervisor,
            "district_hr": world.actor("huancui_hrss"),
            "committee_office": world.actor("weihai_archives"),
            "support": world.actor("sd_support"),
        }
        foreign_hr = world.actor("wendeng_hrss")
        title = ARCHIVES_MIDDLE
        world.approved_path(unit, supervisor, title)
        world.approved_path(supervisor, actors["district_hr"], title)
        world.approved_path(actors["district_hr"], actors["committee_office"], title)
        world.approved_path(foreign_unit, foreign_hr, title)
        yield Scene(world, actors, foreign_unit, foreign_hr, actors["applicant"])
    app.state.services.storage.close()


def _review_target(scene: Scene, endpoint: str, role: str, own: bool) -> str:
    state = "passed" if endpoint in ("report", "result") else "submitted"
    if role == "applicant":
        return scene.declaration(0, state, foreign=not own)
    if own:
        return scene.declaration(LEVEL_OF[role], state)
    if role in ("unit_reviewer", "unit_admin"):
        return scene.declaration(0, state, foreign=True)  # held by F
    if role == "district_hr":
        return scene.declaration(1, state, foreign=True)  # held by 文登区人社局
    return scene.declaration(0, state)  # held by U: never reached S, the committee or support


def _call(scene: Scene, endpoint: str, role: str, own: bool) -> Any:
    actor = scene.actors[role]
    if endpoint in ("pass", "return", "report", "result"):
        target = _review_target(scene, endpoint, role, own)
        calls: dict[str, Callable[[], Any]] = {
            "pass": lambda: actor.pass_(target),
            "return": lambda: actor.return_(target, "请补充材料"),
            "report": lambda: actor.report(ARCHIVES_MIDDLE, target),
            "result": lambda: actor.result(target, True),
        }
        return calls[endpoint]()
    if endpoint == "path_request":
        if role == "committee_office":
            return actor.request_path("档案", "中级", "weihai_hrss")
        series, level = scene.fresh()
        region = actor.get(
            "/api/v1/routing",
            params={
                "series": series,
                "level": level,
                "region": "huancui",
                "supervisor": scene.actors["supervisor"].org_id,
            },
        ).json()
        chain = [o["id"] for o in region.get("chain", [])]
        position = (
            0 if role in ("unit_reviewer", "unit_admin", "applicant", "support") else chain.index(actor.org_id) + 1
        )
        return actor.request_path(series, level, chain[position])
    if endpoint == "path_list":
        return actor.get("/api/v1/paths")
    if endpoint in ("path_approve", "path_reject"):
        path_id = scene.pending_path(role, foreign=not own)
        verb = endpoint.split("_")[1]
        return actor.post(f"/api/v1/paths/{path_id}/{verb}", json={"comment": "不符合条件"})
    if endpoint == "permission_request":
        if role == "unit_reviewer":
            actor = scene.world.register_unit(f"新单位{uuid.uuid4().hex[:6]}", "371002")
        return actor.post("/api/v1/units/me/permission", json={"uscc": uscc("371002", 8), "region": "371002"})
    if endpoint == "permission_list":
        return actor.get("/api/v1/permission-requests")
    if endpoint in ("permission_approve", "permission_reject"):
        request_id = scene.pending_permission("371002" if own else "371003")
        verb = endpoint.split("_")[1]
        return actor.post(f"/api/v1/permission-requests/{request_id}/{verb}", json={"comment": "经核实"})
    if endpoint == "password_reset":
        unit = scene.world.register_unit(f"重置单位{uuid.uuid4().hex[:6]}", "371002" if own else "371003")
        return actor.post(f"/api/v1/units/{unit.org_id}/password-reset")
    raise AssertionError(endpoint)


CELLS = [
    (endpoint, role, ownership, expected)
    for endpoint, by_role in EXPECTED.items()
    for role in ROLES
    for ownership, expected in zip(("own", "foreign"), by_role[role], strict=True)
    if expected is not None
]


def test_the_matrix_covers_every_endpoint_and_role() -> None:
    assert all(set(by_role) == set(ROLES) for by_role in EXPECTED.values())
    assert len(CELLS) > 100


@pytest.mark.parametrize(("endpoint", "role", "ownership", "expected"), CELLS, ids=lambda v: str(v))
def test_each_cell_gets_its_status(scene: Scene, endpoint: str, role: str, ownership: str, expected: int) -> None:
    response = _call(scene, endpoint, role, ownership == "own")
    assert response.status_code == expected, response.text


ANONYMOUS = [
    ("post", "/api/v1/declarations/x/pass"),
    ("post", "/api/v1/declarations/x/return"),
    ("post", "/api/v1/declarations/x/result"),
    ("post", "/api/v1/declarations/x/transitions/pass"),
    ("post", "/api/v1/reports"),
    ("post", "/api/v1/paths"),
    ("get", "/api/v1/paths"),
    ("post", "/api/v1/paths/x/approve"),
    ("post", "/api/v1/paths/x/reject"),
    ("get", "/api/v1/routing"),
    ("post", "/api/v1/units/me/permission"),
    ("get", "/api/v1/permission-requests"),
    ("post", "/api/v1/permission-requests/x/approve"),
    ("post", "/api/v1/permission-requests/x/reject"),
    ("post", "/api/v1/units/x/password-reset"),
    ("get", "/api/v1/region-units"),
]


@pytest.mark.parametrize(("method", "path"), ANONYMOUS)
def test_without_a_token_every_endpoint_is_401(scene: Scene, method: str, path: str) -> None:
    response = getattr(scene.world.client, method)(path, headers={"Authorization": "Bearer nonsense"})
    assert response.status_code == 401
