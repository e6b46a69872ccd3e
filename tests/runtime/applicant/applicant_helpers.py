"""Helpers for the applicant tests (REG-*, DEC-*): ID numbers, valid documents, an API driver."""

from __future__ import annotations

import re
import sqlite3
import sys
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from runtime.clock import Clock  # noqa: E402

# 2026-11-10 10:00 in Weihai: inside notice_2026 (2026-11-01 .. 2026-12-31).
INSIDE_WINDOW = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
PASSWORD = "Weihai#2026x"
UNIT_NAME = "威海市测试档案服务中心"

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(birth: str = "19900101", sequence: int = 123, region: str = "371002") -> str:
    """A GB 11643 ID number; an odd sequence is a man, an even one a woman."""
    body = f"{region}{birth}{sequence:03d}"
    total = sum(int(c) * w for c, w in zip(body, _WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def person_doc(number: int = 1, **overrides: Any) -> dict[str, Any]:
    """A valid registration (REG-1) for applicant `number`."""
    doc = {
        "login_name": f"applicant{number}",
        "id_number": id_number(sequence=100 + 2 * number + 1),
        "name": f"张{number}",
        "sex": "男",
        "ethnicity": "汉族",
        "birth_date": "1990-01-01",
        "mobile": f"1380531{number:04d}",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    doc.update(overrides)
    return doc


def valid_sections(unit_id: str) -> dict[str, dict[str, Any]]:
    """A declaration that passes every section (档案/中级/馆员/档案管理 has a city-table cell)."""
    return {
        "header": {
            "rank": "1/1",
            "level": "中级",
            "series": "档案",
            "title": "馆员",
            "specialty": "档案管理",
            "mode": "正常晋升",
            "unit": unit_id,
            "is_work_unit": "是",
            "work_start": "2012.07",
            "professional_years": 12,
        },
        "education": {
            "full_time": {"school": "山东大学", "major": "档案学", "education": "大学本科", "graduated": "2012.06"},
            "basis": {"school": "山东大学", "major": "档案学", "education": "大学本科", "graduated": "2012.06"},
        },
        "current_title": {
            "rows": [
                {
                    "level": "初级",
                    "series": "档案",
                    "title": "助理馆员",
                    "qualified_on": "2015.10",
                    "appointed_on": "2016.01",
                    "appointment_years": 10,
                }
            ]
        },
        "admin_post": {"post": "无"},
        "assessments": {
            "rows": [
                {"year": "2024", "post": "助理馆员", "grade": "合格", "assessor": "威海市档案馆"},
                {"year": "2025", "post": "助理馆员", "grade": "优秀", "assessor": "威海市档案馆"},
            ]
        },
        "language_computer": {"foreign_language": "无", "computer": "无"},
        "continuing_education": {
            "rows": [
                {
                    "start": "2025.01",
                    "end": "2025.12",
                    "category": "公需科目",
                    "content": "政策法规",
                    "hours": "30学时",
                },
                {
                    "start": "2025.01",
                    "end": "2025.12",
                    "category": "专业科目",
                    "content": "档案管理",
                    "hours": "60学时",
                },
            ]
        },
        "work_experience": {
            "rows": [
                {"start": "2012.07", "end": "2018.06", "unit_dept_post": "威海市档案馆/保管利用科/管理员"},
                {"start": "2018.07", "end": "至今", "unit_dept_post": "威海市档案馆/保管利用科/助理馆员"},
            ]
        },
        "achievements": {
            "rows": [
                {
                    "category": "论文/著作",
                    "name": "论文:《数字档案馆建设中的元数据管理》",
                    "time": "2021.05",
                    "rank": "1/1",
                    "publisher": "《中国档案》2021年第5期",
                }
            ]
        },
        "performance": {"achievements_text": "负责馆藏档案的数字化与利用服务工作," * 5},
        "societies": {"societies_text": "无"},
        "attachments": {},
    }


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
    db_path: Path
    data_dir: Path
    count: list[int] = field(default_factory=lambda: [0])

    def db(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.db_path)
        conn.row_factory = sqlite3.Row
        return conn

    def one(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        with self.db() as conn:
            row = conn.execute(sql, params).fetchone()
        return dict(row) if row is not None else None

    def all(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        with self.db() as conn:
            return [dict(r) for r in conn.execute(sql, params).fetchall()]

    def captcha(self) -> tuple[str, str]:
        body = self.client.get("/api/v1/captcha").json()
        return body["captcha_id"], body["answer"]

    def api_login(self, account: str, password: str = PASSWORD, client: TestClient | None = None) -> Any:
        captcha_id, answer = self.captcha()
        return (client or self.client).post(
            "/api/v1/login",
            json={"account": account, "password": password, "captcha_id": captcha_id, "captcha_answer": answer},
        )

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
        from runtime.security import hash_password

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
        with self.db() as conn:
            tables = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            return {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables if t not in skip}

    # -- pages --------------------------------------------------------------------------

    def page_client(self) -> TestClient:
        return TestClient(self.client.app, base_url="http://testserver")

    def page_login(self, client: TestClient, account: str, password: str = PASSWORD) -> Any:
        page = client.get("/login")
        return client.post("/login", data={**login_fields(page.text), "account": account, "password": password})


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no csrf token on the page"
    return found.group(1)


def login_fields(html: str) -> dict[str, str]:
    captcha_id = re.search(r'name="captcha_id" value="([^"]+)"', html)
    answer = re.search(r'data-answer="([^"]+)"', html)
    assert captcha_id and answer
    return {"csrf_token": csrf_of(html), "captcha_id": captcha_id.group(1), "captcha_answer": answer.group(1)}
