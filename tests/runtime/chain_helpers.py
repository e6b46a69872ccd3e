"""Helpers for the review-chain tests (UNIT-*, PATH-*, REV-*): credit codes, valid
declarations, and a world of organisations driven over the JSON API."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from runtime_support import INSIDE_WINDOW, PASSWORD, Db, api_login, login_fields, person_doc, valid_declaration
from starlette.testclient import TestClient

from runtime.demo.seed import seed_authority_accounts
from runtime.web.security import hash_password

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc(division: str, serial: int = 1, *, valid: bool = True) -> str:
    """A GB 32100 code registered in `division`; with valid=False the check character is wrong."""
    body = f"91{division}MA{serial:07d}"[:17]
    body = body + "0" * (17 - len(body))
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(body, _USCC_WEIGHTS, strict=True))
    check = _USCC_ALPHABET[(31 - total % 31) % 31]
    if not valid:
        check = _USCC_ALPHABET[(_USCC_ALPHABET.index(check) + 1) % 31]
    return body + check


@dataclass(frozen=True)
class Title:
    series: str
    level: str
    title: str
    specialty: str
    current: tuple[str, str]  # (level, title) held now


ARCHIVES_MIDDLE = Title("档案", "中级", "馆员", "档案管理", ("初级", "助理馆员"))
ENGINEERING_SENIOR = Title("工程技术", "正高级", "正高级工程师", "机械工程", ("副高级", "高级工程师"))
ENGINEERING_VICE = Title("工程技术", "副高级", "高级工程师", "机械工程", ("中级", "工程师"))


def valid_sections(unit_id: str, title: Title) -> dict[str, dict[str, Any]]:
    """A declaration that passes every section: the shared one, for `title`."""
    sections = valid_declaration(unit_id)
    header = sections["header"]
    header.update(level=title.level, series=title.series, title=title.title, specialty=title.specialty)
    held = sections["current_title"]["rows"][0]
    held.update(level=title.current[0], series=title.series, title=title.current[1])
    for row in sections["assessments"]["rows"]:
        row["post"] = title.current[1]
    return sections


@dataclass
class Actor:
    """A logged-in API client: a person or an organisation's account."""

    client: TestClient
    login: str
    token: str
    account_id: str
    org_id: str | None
    role: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, headers=self.headers, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Any:
        if json is None:
            return self.client.post(path, headers=self.headers, **kw)
        return self.client.post(path, headers=self.headers, json=json, **kw)

    def put(self, path: str, json: Any) -> Any:
        return self.client.put(path, headers=self.headers, json=json)

    def patch(self, path: str, json: Any) -> Any:
        return self.client.patch(path, headers=self.headers, json=json)

    # -- applicant ------------------------------------------------------------------------

    def new_declaration(self, unit_id: str, title: Title) -> str:
        created = self.post("/api/v1/declarations")
        assert created.status_code == 201, created.text
        declaration_id = str(created.json()["id"])
        for section, doc in valid_sections(unit_id, title).items():
            saved = self.put(f"/api/v1/declarations/{declaration_id}/sections/{section}", doc)
            assert saved.status_code == 200, (section, saved.text)
        return declaration_id

    def submit(self, declaration_id: str) -> Any:
        return self.post(f"/api/v1/declarations/{declaration_id}/submit")

    # -- organisations --------------------------------------------------------------------

    def request_path(self, series: str, level: str, upper: str) -> Any:
        return self.post("/api/v1/paths", json={"series": series, "level": level, "upper_unit_id": upper})

    def pass_(self, declaration_id: str, comment: str = "") -> Any:
        return self.post(f"/api/v1/declarations/{declaration_id}/pass", json={"comment": comment})

    def return_(self, declaration_id: str, comment: str, sections: list[str] | None = None) -> Any:
        body: dict[str, Any] = {"comment": comment}
        if sections is not None:
            body["sections"] = sections
        return self.post(f"/api/v1/declarations/{declaration_id}/return", json=body)

    def report(self, title: Title, *ids: str) -> Any:
        return self.post(
            "/api/v1/reports", json={"series": title.series, "level": title.level, "declaration_ids": list(ids)}
        )

    def result(self, declaration_id: str, passed: bool) -> Any:
        return self.post(f"/api/v1/declarations/{declaration_id}/result", json={"passed": passed})

    def confirm(self, declaration_id: str, passed: bool = True) -> Any:
        """COM-5, PUB-2: make a published result final (after its publicity)."""
        step = "confirm_pass" if passed else "confirm_fail"
        return self.post(f"/api/v1/declarations/{declaration_id}/transitions/{step}", json={})


@dataclass
class World:
    client: TestClient
    app: Any
    count: list[int] = field(default_factory=lambda: [0])

    @property
    def svc(self) -> Any:
        return self.app.state.services

    def db(self) -> Db:
        return Db(self.svc.storage)

    def one(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        with self.db() as conn:
            row = conn.execute(sql, params).fetchone()
        return dict(row) if row is not None else None

    def all(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        with self.db() as conn:
            return [dict(r) for r in conn.execute(sql, params).fetchall()]

    def next(self) -> int:
        self.count[0] += 1
        return self.count[0]

    def wait_out_publicity(self, transition_id: str = "confirm_pass") -> None:
        """Move the clock to the day the transition's `working_days:N` guard is met (PUB-3):
        N is read from the build, the days from the holiday calendar."""
        from runtime.committee import workdays

        step = next(t for t in self.svc.bundle.workflow["declaration"]["transitions"] if t["id"] == transition_id)
        days = max(int(g.split(":")[1]) for g in step.get("guards") or [] if g.startswith("working_days:"))
        today = self.svc.clock.today()
        self.svc.clock.advance(days=(workdays.add(self.svc, today, days) - today).days)

    def seed_authorities(self) -> None:
        with self.svc.storage.transaction():
            seed_authority_accounts(self.svc, hash_password(PASSWORD))

    def login(self, login: str, password: str = PASSWORD, totp_code: str | None = None) -> Any:
        return api_login(self.client, login, password, totp_code)

    def actor(self, login: str, password: str = PASSWORD) -> Actor:
        response = self.login(login, password)
        assert response.status_code == 200, response.text
        body = response.json()
        return Actor(self.client, login, body["token"], body["account_id"], body["org_id"], body["role"])

    def applicant(self) -> Actor:
        n = self.next()
        doc = person_doc(n, login_name=f"person{n}", name=f"申报人{n}")
        created = self.client.post("/api/v1/persons", json=doc)
        assert created.status_code == 201, created.text
        found = self.actor(doc["login_name"])
        assert found.post("/api/v1/me/commitment").status_code == 200
        return found

    def unit_doc(self, name: str, region: str, supervisor: str | None = None, **overrides: Any) -> dict[str, Any]:
        n = self.next()
        doc: dict[str, Any] = {
            "login_name": f"unit{n}",
            "unit_name": name,
            "uscc": uscc(region, n),
            "region": region,
            "contact": "王经办",
            "mobile": f"1390631{n:04d}",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        }
        if supervisor:
            doc["supervisor"] = supervisor
        doc.update(overrides)
        return doc

    def register_unit(self, name: str, region: str, supervisor: str | None = None, **overrides: Any) -> Actor:
        doc = self.unit_doc(name, region, supervisor, **overrides)
        created = self.client.post("/api/v1/units", json=doc)
        assert created.status_code == 201, created.text
        return self.actor(doc["login_name"])

    def permitted_unit(self, name: str, region: str, supervisor: str | None = None) -> Actor:
        """A registered unit whose permission passed the automatic check (UNIT-3)."""
        unit = self.register_unit(name, region, supervisor)
        info = unit.get("/api/v1/units/me").json()
        asked = unit.post(
            "/api/v1/units/me/permission",
            json={"uscc": info["uscc"], "region": info["region"], "supervisor": supervisor or ""},
        )
        assert asked.status_code == 201 and asked.json()["state"] == "auto_approved", asked.text
        return unit

    def supervisor(self, name: str, region: str) -> Actor:
        """A district supervising department (主管部门) with a reviewer account; not in platform.yaml,
        so the test adds it the way an operator would."""
        n = self.next()
        org_id = "sup_" + uuid.uuid4().hex[:8]
        with self.db() as conn:
            conn.execute(
                "INSERT INTO organisations (id, name, kinds, region, authority, permitted, data, created_at)"
                " VALUES (?, ?, '[\"supervisor\"]', ?, 0, 1, '{}', ?)",
                (org_id, name, region, INSIDE_WINDOW.isoformat()),
            )
            conn.execute(
                "INSERT INTO accounts (id, kind, role, login_name, name, org_id, password_hash, data, created_at)"
                " VALUES (?, 'organisation', 'reviewer', ?, ?, ?, ?, '{}', ?)",
                (uuid.uuid4().hex, f"sup{n}", name, org_id, hash_password(PASSWORD), INSIDE_WINDOW.isoformat()),
            )
        return self.actor(f"sup{n}")

    def approved_path(self, lower: Actor, upper: Actor, title: Title) -> None:
        assert lower.org_id and upper.org_id
        asked = lower.request_path(title.series, title.level, upper.org_id)
        assert asked.status_code == 201, asked.text
        decided = upper.post(f"/api/v1/paths/{asked.json()['id']}/approve")
        assert decided.status_code == 200, decided.text


# -- pages ----------------------------------------------------------------------------------


def page_login(world: World, login: str, password: str = PASSWORD, totp_code: str = "") -> TestClient:
    """A browser-like client with a session cookie for `login`."""
    client = TestClient(world.app, base_url="http://testserver")
    page = client.get("/login").text
    response = client.post(
        "/login",
        data={**login_fields(page), "account": login, "password": password, "totp_code": totp_code},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client
