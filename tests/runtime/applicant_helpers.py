"""Helpers for the applicant tests (REG-*, DEC-*): ID numbers, valid documents, an API driver."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runtime_support import INSIDE_WINDOW, PASSWORD, Db, api_login, captcha, login_fields, person_doc
from runtime_support import valid_declaration as valid_sections
from starlette.testclient import TestClient

from runtime.clock import Clock

UNIT_NAME = "威海市测试档案服务中心"


@dataclass
class Applicant:
    client: TestClient
    id: str
    token: str
    doc: dict[str, Any]
    password: str = PASSWORD

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, headers=self.headers, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.client.post(path, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def put(self, path: str, **kw: Any) -> Any:
        return self.client.put(path, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def patch(self, path: str, **kw: Any) -> Any:
        return self.client.patch(path, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def new_declaration(self) -> str:
        response = self.post("/api/v1/declarations")
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def save(self, declaration_id: str, section: str, doc: Any) -> Any:
        return self.put(f"/api/v1/declarations/{declaration_id}/sections/{section}", json=doc)

    def fill(self, declaration_id: str, unit_id: str) -> None:
        for section, doc in valid_sections(unit_id).items():
            response = self.save(declaration_id, section, doc)
            assert response.status_code == 200, (section, response.text)


@dataclass
class World:
    client: TestClient
    clock: Clock
    data_dir: Path
    count: list[int] = field(default_factory=lambda: [0])

    @property
    def svc(self) -> Any:
        """The app's services: policy texts and limits come from its build/, never restated."""
        return self.client.app.state.services  # type: ignore[attr-defined]

    def db(self) -> Db:
        return Db(self.client.app.state.services.storage)  # type: ignore[attr-defined]

    def one(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        with self.db() as conn:
            row = conn.execute(sql, params).fetchone()
        return dict(row) if row is not None else None

    def all(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        with self.db() as conn:
            return [dict(r) for r in conn.execute(sql, params).fetchall()]

    def captcha(self) -> tuple[str, str]:
        return captcha(self.client)

    def api_login(self, account: str, password: str = PASSWORD, client: TestClient | None = None) -> Any:
        return api_login(client or self.client, account, password, captcha_from=self.client)

    def register(self, doc: dict[str, Any]) -> Any:
        return self.client.post("/api/v1/persons", json=doc)

    def applicant(self, *, agree: bool = True, **overrides: Any) -> Applicant:
        self.count[0] += 1
        doc = person_doc(self.count[0], **overrides)
        created = self.register(doc)
        assert created.status_code == 201, created.text
        logged = self.api_login(doc["login_name"], doc["password"])
        assert logged.status_code == 200, logged.text
        found = Applicant(self.client, created.json()["id"], logged.json()["token"], doc, doc["password"])
        if agree:
            assert found.post("/api/v1/me/commitment").status_code == 200
        return found

    def support(self) -> Applicant:
        """A platform-support account (REG-3), logged in over the API."""
        from runtime.web.security import hash_password

        account_id = uuid.uuid4().hex
        with self.db() as conn:
            conn.execute(
                "INSERT INTO accounts (id, kind, role, login_name, name, org_id, password_hash, data, created_at)"
                " VALUES (?, 'organisation', 'support', ?, '技术支持', 'sd_support', ?, '{}', ?)",
                (account_id, f"support_{account_id[:6]}", hash_password(PASSWORD), INSIDE_WINDOW.isoformat()),
            )
        logged = self.api_login(f"support_{account_id[:6]}")
        assert logged.status_code == 200, logged.text
        return Applicant(self.client, account_id, logged.json()["token"], {"login_name": f"support_{account_id[:6]}"})

    def unit(self, name: str = UNIT_NAME, region: str = "weihai", permitted: int = 1) -> str:
        org_id = "u_" + uuid.uuid4().hex[:10]
        with self.db() as conn:
            conn.execute(
                "INSERT INTO organisations (id, name, kinds, region, supervisor_id, uscc, authority, permitted,"
                " data, created_at) VALUES (?, ?, '[\"employer\"]', ?, NULL, NULL, 0, ?, '{}', ?)",
                (org_id, name, region, permitted, INSIDE_WINDOW.isoformat()),
            )
        return org_id

    def dump(self, *, skip: tuple[str, ...] = ("captchas", "login_attempts", "sessions")) -> dict[str, list[Any]]:
        """Every row of every table (for 'nothing changed' checks)."""
        return self.db().dump(skip)

    # -- pages --------------------------------------------------------------------------

    def page_client(self) -> TestClient:
        return TestClient(self.client.app, base_url="http://testserver")

    def page_login(self, client: TestClient, account: str, password: str = PASSWORD) -> Any:
        page = client.get("/login")
        return client.post("/login", data={**login_fields(page.text), "account": account, "password": password})
