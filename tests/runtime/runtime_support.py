"""What the runtime test packages (applicant/, chain/, documents/) share: the repository root, the
moment inside the notice window the clock is frozen at, ONE valid declaration, a registration
document, and logging in with the dev captcha over the API or through the login page."""

from __future__ import annotations

import gc
import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from runtime.bundle import Bundle, load_bundle  # noqa: E402
from runtime.clock import Clock  # noqa: E402
from runtime.demo import content  # noqa: E402

# 2026-11-10 (a Tuesday) 10:00 in Weihai: inside notice_2026 (2026-11-01 .. 2026-12-31).
INSIDE_WINDOW = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
PASSWORD = "Weihai#2026x"

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def frozen_clock() -> Clock:
    found = Clock(8)
    found.freeze(INSIDE_WINDOW)
    return found


# The test applicant's life story (not policy): completed against build/ by
# runtime.demo.content, so a new required field, a new limit or a changed code list in
# schemas/ needs no edit here.
PERSONA: dict[str, dict[str, Any]] = {
    "header": {
        "rank": "1/1",
        "level": "中级",
        "series": "档案",
        "title": "馆员",
        "specialty": "档案管理",
        "mode": "正常晋升",
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


@lru_cache(maxsize=1)
def _bundle() -> Bundle:
    return load_bundle(ROOT / "build")


def valid_declaration(unit_id: str) -> dict[str, dict[str, Any]]:
    """A fresh declaration of `unit_id` that passes every section under build/ (the persona is
    档案/中级/馆员/档案管理, which has a city-table cell); a package changes the fields it needs
    on its copy."""
    today = INSIDE_WINDOW.astimezone(frozen_clock().zone).date()
    return content.valid_declaration(_bundle(), today.year, today, {"unit": unit_id}, PERSONA)


def schema_node(form: str, pointer: str) -> dict[str, Any]:
    """The compiled JSON Schema of one field of a form, named by a path such as /rows/0/name."""
    compiled = json.loads((ROOT / "build" / "forms" / f"{form}.json").read_text(encoding="utf-8"))
    node = compiled["schema"]
    for part in pointer.strip("/").split("/"):
        node = node["items"] if part.isdigit() else node["properties"][part]
    return dict(node)


def field_message(form: str, pointer: str, keyword: str = "required") -> str:
    """The Chinese message build/ gives a field for a JSON Schema keyword (its x-messages), e.g.
    the 'please fill in' text of a required field: tests compare with this, never with a copy,
    so a changed text in schemas/messages.yaml keeps them green."""
    return str(schema_node(form, pointer)["x-messages"][keyword])


def id_number(birth: str = "19900101", sequence: int = 123, region: str = "371002") -> str:
    """A GB 11643 ID number; an odd sequence is a man, an even one a woman."""
    body = f"{region}{birth}{sequence:03d}"
    total = sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True))
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


# -- logging in -------------------------------------------------------------------------------


def captcha(client: TestClient) -> tuple[str, str]:
    """A captcha and, in dev mode, its answer."""
    body = client.get("/api/v1/captcha").json()
    return body["captcha_id"], body["answer"]


def api_login(
    client: TestClient,
    account: str,
    password: str = PASSWORD,
    totp_code: str | None = None,
    *,
    captcha_from: TestClient | None = None,
) -> Any:
    """POST /api/v1/login with a solved dev captcha (fetched through `captcha_from`, else `client`)."""
    captcha_id, answer = captcha(captcha_from or client)
    body = {"account": account, "password": password, "captcha_id": captcha_id, "captcha_answer": answer}
    if totp_code is not None:
        body["totp_code"] = totp_code
    return client.post("/api/v1/login", json=body)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no csrf token on the page"
    return found.group(1)


def login_fields(html: str) -> dict[str, str]:
    """The hidden fields of the login page, the dev captcha solved."""
    captcha_id = re.search(r'name="captcha_id" value="([^"]+)"', html)
    answer = re.search(r'data-answer="([^"]+)"', html)
    assert captcha_id and answer
    return {"csrf_token": csrf_of(html), "captcha_id": captcha_id.group(1), "captcha_answer": answer.group(1)}


def certificate_number(committee_policy: dict[str, Any], year: int) -> re.Pattern[str]:
    """What a certificate number of this year looks like under the build's policy (COM-5)."""
    spec = committee_policy["certificates"]
    prefix = re.escape(str(spec["number_prefix"]).replace("{year}", f"{year:04d}"))
    return re.compile(rf"{prefix}[2-9A-HJKMNP-Z]{{{int(spec['random_length'])}}}")


class Row(dict[str, Any]):
    """A row by column name or by position, as sqlite3.Row allowed."""

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, int):
            return list(self.values())[key]
        return super().__getitem__(key)


class Rows:
    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = [Row(r) for r in rows]

    def fetchone(self) -> Row | None:
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list[Row]:
        return self.rows

    def __iter__(self) -> Any:
        return iter(self.rows)


class Db:
    """A test's direct access to the app's own database, through the app's storage, so the same
    test runs on SQLite and on PostgreSQL; `with world.db() as conn:` is one transaction."""

    def __init__(self, storage: Any) -> None:
        self.storage = storage
        self._action: Any = None

    def __enter__(self) -> Db:
        self._action = self.storage.transaction()
        self._action.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._action.__exit__(*exc)

    def execute(self, sql: str, params: Any = ()) -> Rows:
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            return Rows(self.storage.all(sql, params))
        self.storage.execute(sql, params)
        return Rows([])

    def dump(self, skip: tuple[str, ...]) -> dict[str, list[Any]]:
        """Every row of every table in a stable order (for 'nothing changed' checks)."""
        return {
            t: sorted((tuple(sorted(r.items())) for r in self.storage.all(f"SELECT * FROM {t}")), key=repr)
            for t in self.storage.tables()
            if t not in skip
        }


# -- policy read from build/ (tests never restate it) ------------------------------------------


def build_json(name: str) -> Any:
    """A file of build/ (platform.json, messages.json …), as the runtime reads it."""
    import json

    return json.loads((ROOT / "build" / name).read_text(encoding="utf-8"))


def account_policy(key: str) -> int:
    """A number of platform.yaml `accounts` (REG-5, REG-6 …)."""
    return int(build_json("platform.json")["accounts"][key])


def message(key: str, **values: object) -> str:
    """A text of messages.yaml (ui, api or formats) with its {placeholders} filled, as the runtime
    shows it."""
    texts = build_json("messages.json")
    template = str(next((texts[part][key] for part in ("ui", "api", "formats") if key in texts.get(part, {})), key))
    for name, value in values.items():
        template = template.replace("{" + name + "}", str(value))
    return template


def template_pattern(template: str) -> str:
    """A message template as a regular expression: its text exactly, each {placeholder} any text."""
    return "".join(".+?" if part.startswith("{") else re.escape(part) for part in re.split(r"(\{\w+\})", template))


def password_examples(listed: str) -> list[dict[str, str]]:
    """The password policy's valid or invalid examples, each {password, login_name?, id_number?}."""
    found = build_json("platform.json")["passwords"].get("examples", {}).get(listed, [])
    return [e if isinstance(e, dict) else {"password": e} for e in found]


@contextmanager
def cyclic_garbage() -> Iterator[list[object]]:
    """The objects in reference cycles (freed only by the garbage collector) that the block left:
    the list fills when the block ends."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    found: list[object] = []
    try:
        yield found
        gc.collect()
        found.extend(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
