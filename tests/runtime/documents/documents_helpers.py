"""Helpers for the printed-document tests (PRN-1, PRN-2, CERT-1): a world whose declarations
are put into the needed state straight in the test's SQLite file, and a full declaration."""

from __future__ import annotations

import io
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader
from runtime_support import INSIDE_WINDOW, ROOT, Db  # noqa: F401  (ROOT: re-exported to the tests)
from starlette.testclient import TestClient

from runtime.web.security import digest, token

NOW = INSIDE_WINDOW
STAMP = NOW.isoformat(timespec="seconds")
RARE_NAME = "张𠀀䶮"  # U+20000 (CJK extension B) and U+4DAE (extension A)
ID_NUMBER = "371002199001011237"
UNIT_NAME = "威海市示范档案服务中心"


def full_sections(unit_id: str) -> dict[str, dict[str, Any]]:
    """Every section filled, several rows each, with Chinese text a reader can find again."""
    return {
        "header": {
            "year": 2026,
            "rank": "2/3",
            "level": "中级",
            "series": "档案",
            "title": "馆员",
            "specialty": "档案管理",
            "mode": "正常晋升",
            "unit": unit_id,
            "is_work_unit": "否",
            "work_unit": "威海市人才服务有限公司(劳务派遣)",
            "entrusted": "否",
            "work_start": "2012.07",
            "professional_years": 12,
        },
        "education": {
            "full_time": {
                "school": "山东大学",
                "major": "档案学",
                "education": "大学本科",
                "degree": "学士",
                "graduated": "2012.06",
                "chsi_code": "A1B2C3D4E5F6",
            },
            "basis": {
                "school": "中国人民大学",
                "major": "档案管理与信息资源",
                "education": "硕士研究生",
                "degree": "硕士",
                "graduated": "2016.06",
            },
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
                },
                {
                    "level": "无",
                    "qualification": "档案职业资格证书",
                    "qualification_on": "2014.05",
                },
            ]
        },
        "admin_post": {"post": "保管利用科副科长", "since": "2021.03"},
        "assessments": {
            "rows": [
                {"year": "2023", "post": "助理馆员", "grade": "合格", "assessor": "威海市档案馆人事科"},
                {"year": "2024", "post": "助理馆员", "grade": "优秀", "assessor": "威海市档案馆办公室"},
                {"year": "2025", "post": "助理馆员", "grade": "优秀", "assessor": "威海市档案馆党总支"},
            ]
        },
        "language_computer": {"foreign_language": "英语,大学英语六级", "computer": "全国计算机等级考试二级"},
        "continuing_education": {
            "rows": [
                {
                    "start": f"{year}.01",
                    "end": f"{year}.12",
                    "category": "公需科目" if year % 2 else "专业科目",
                    "content": f"档案数字化专题培训第{year - 2020}期",
                    "hours": "90学时",
                }
                for year in range(2021, 2026)
            ]
        },
        "work_experience": {
            "rows": [
                {
                    "start": "2012.07",
                    "end": "2016.06",
                    "unit_dept_post": "威海市档案馆/接收征集科/管理员",
                    "professional_work": "档案接收",
                    "post": "科员",
                    "summary": "负责机关档案接收进馆",
                },
                {
                    "start": "2016.07",
                    "end": "2021.02",
                    "unit_dept_post": "威海市档案馆/保管利用科/助理馆员",
                    "professional_work": "档案保管",
                    "post": "助理馆员",
                    "summary": "负责馆藏档案保管与查阅利用",
                },
                {
                    "start": "2021.03",
                    "end": "至今",
                    "unit_dept_post": "威海市档案馆/保管利用科/副科长",
                    "professional_work": "档案利用",
                    "post": "副科长",
                    "summary": "主持数字档案馆利用平台建设",
                },
            ]
        },
        "achievements": {
            "rows": [
                {
                    "category": "论文/著作",
                    "name": f"论文:《数字档案馆元数据管理研究之{n}》",
                    "time": f"202{n}.05",
                    "rank": "1/2",
                    "publisher": f"《中国档案》202{n}年第5期",
                }
                for n in range(1, 4)
            ]
            + [
                {
                    "category": "获奖",
                    "name": "威海市档案工作先进个人",
                    "time": "2024.12",
                    "rank": "1/1",
                    "authority": "威海市人力资源和社会保障局",
                    "award_level": "市级",
                }
            ]
        },
        "performance": {"achievements_text": "任现职以来,负责馆藏档案的数字化与利用服务工作。" * 12},
        "societies": {"societies_text": "山东省档案学会会员,威海市档案学会理事"},
        "attachments": {},
    }


def distinct_row_values(sections: dict[str, dict[str, Any]]) -> list[str]:
    """One value per filled row that only that row holds (what a reader checks for)."""
    found = []
    for doc in sections.values():
        for row in doc.get("rows") or []:
            texts = [str(v) for v in row.values() if isinstance(v, str) and len(v) >= 4 and not v.isascii()]
            found.append(max(texts, key=len))
    return found


@dataclass
class World:
    client: TestClient
    names: dict[str, int] = field(default_factory=dict)

    def db(self) -> Db:
        return Db(self.client.app.state.services.storage)  # type: ignore[attr-defined]

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        with self.db() as conn:
            conn.execute(sql, params)

    def one(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        with self.db() as conn:
            row = conn.execute(sql, params).fetchone()
        return dict(row) if row is not None else None

    def org(self, name: str, kinds: tuple[str, ...] = ("employer",), region: str = "weihai") -> str:
        org_id = "o_" + uuid.uuid4().hex[:10]
        self.execute(
            "INSERT INTO organisations (id, name, kinds, region, authority, permitted, data, created_at)"
            " VALUES (?, ?, ?, ?, 0, 1, '{}', ?)",
            (org_id, name, json.dumps(list(kinds)), region, STAMP),
        )
        return org_id

    def person(self, name: str = RARE_NAME, id_number: str | None = None, **data: Any) -> str:
        account_id = uuid.uuid4().hex
        number = id_number or f"37100219900101{len(self.names):04d}"
        self.names[account_id] = len(self.names)
        extra = {"sex": "女", "ethnicity": "汉族", "birth_date": "1990-01-01", **data}
        self.execute(
            "INSERT INTO accounts (id, kind, role, login_name, id_number, name, mobile, password_hash, data,"
            " commitment_version, commitment_at, created_at)"
            " VALUES (?, 'person', 'applicant', ?, ?, ?, '13800000001', 'x', ?, 'v1', ?, ?)",
            (account_id, "p" + account_id[:12], number, name, json.dumps(extra, ensure_ascii=False), STAMP, STAMP),
        )
        return account_id

    def org_account(self, org_id: str, role: str = "reviewer") -> str:
        account_id = uuid.uuid4().hex
        self.execute(
            "INSERT INTO accounts (id, kind, role, login_name, name, org_id, password_hash, data, created_at)"
            " VALUES (?, 'organisation', ?, ?, ?, ?, 'x', '{}', ?)",
            (account_id, role, "o" + account_id[:12], "经办人", org_id, STAMP),
        )
        return account_id

    def bearer(self, account_id: str) -> dict[str, str]:
        raw = token()
        self.execute(
            "INSERT INTO api_tokens (token_hash, account_id, created_at, expires_at, revoked)"
            " VALUES (?, ?, ?, '2999-01-01T00:00:00+08:00', 0)",
            (digest(raw), account_id, STAMP),
        )
        return {"Authorization": f"Bearer {raw}"}

    def browser(self, account_id: str | None = None) -> TestClient:
        """A page client, logged in as `account_id` through a session row (or anonymous)."""
        client = TestClient(self.client.app, base_url="http://testserver")
        if account_id is not None:
            raw = token()
            self.execute(
                "INSERT INTO sessions (id_hash, account_id, csrf_token, created_at, last_seen) VALUES (?, ?, ?, ?, ?)",
                (digest(raw), account_id, token(), STAMP, STAMP),
            )
            client.cookies.set("sid", raw)
        return client

    def declaration(
        self,
        person_id: str,
        sections: dict[str, dict[str, Any]],
        *,
        chain: list[str],
        state: str = "submitted",
        reached: int | None = None,
        holder: str | None = "chain end",
        certificate_no: str | None = None,
        state_since: str = STAMP,
    ) -> str:
        declaration_id = uuid.uuid4().hex
        header = sections.get("header") or {}
        with self.db() as conn:
            schema_hash = self.client.get("/api/v1/forms").json()["policy_version"]  # the build being served
            conn.execute(
                "INSERT INTO declarations (id, person_id, notice_id, year, schema_hash, state, holder_org_id,"
                " unit_id, series, level, chain, reached, state_since, certificate_no, created_at, updated_at)"
                " VALUES (?, ?, 'notice_2026', 2026, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    declaration_id,
                    person_id,
                    schema_hash,
                    state,
                    (chain[-1] if chain else None) if holder == "chain end" else holder,
                    header.get("unit"),
                    header.get("series"),
                    header.get("level"),
                    json.dumps(chain),
                    len(chain) - 1 if reached is None else reached,
                    state_since,
                    certificate_no,
                    STAMP,
                    STAMP,
                ),
            )
            for section_id, doc in sections.items():
                conn.execute(
                    "INSERT INTO sections (declaration_id, section_id, data, error_count, updated_at)"
                    " VALUES (?, ?, ?, 0, ?)",
                    (declaration_id, section_id, json.dumps(doc, ensure_ascii=False), STAMP),
                )
            conn.execute(
                "INSERT INTO history (declaration_id, transition, from_state, to_state, actor_id, comment, at)"
                " VALUES (?, 'submit', 'draft', ?, ?, '', ?)",
                (declaration_id, state, person_id, STAMP),
            )
        return declaration_id

    def attachment(
        self, declaration_id: str, section_id: str, kind: str, filename: str, row: int | None = None
    ) -> None:
        self.execute(
            "INSERT INTO attachments (id, declaration_id, section_id, row_id, kind, filename, sha256, size,"
            " media_type, uploaded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 10, 'application/pdf',"
            " (SELECT person_id FROM declarations WHERE id = ?), ?)",
            (
                uuid.uuid4().hex,
                declaration_id,
                section_id,
                None if row is None else f"legacy{row}",  # rows stored here carry no id: by position
                kind,
                filename,
                "0" * 64,
                declaration_id,
                STAMP,
            ),
        )


def pdf_text(content: bytes) -> str:
    """Every page's text, whitespace removed (cells wrap lines anywhere)."""
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader.pages))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def drawn_without_a_glyph(content: bytes, characters: str) -> list[str]:
    """The characters of `characters` that a PDF prints with no outline: missing from the
    font that shows them (WeasyPrint then numbers them past the font's last glyph) or
    mapped to an empty glyph, i.e. the boxes or blanks a reader would see. Read from
    each embedded font program and its ToUnicode map (Identity-H: code = glyph id)."""
    from fontTools.ttLib import TTFont

    wanted = set(characters)
    seen: dict[str, bool] = {}
    reader = PdfReader(io.BytesIO(content))
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            if font.get("/Subtype") != "/Type0" or "/ToUnicode" not in font:
                continue
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
            if program is None:
                continue
            tt = TTFont(io.BytesIO(program.get_object().get_data()))
            for gid, char in _to_unicode(font["/ToUnicode"].get_object().get_data()).items():
                if char in wanted:
                    seen[char] = seen.get(char, False) or _has_outline(tt, gid)
    return sorted(c for c in wanted if not seen.get(c, False))


def _to_unicode(cmap: bytes) -> dict[int, str]:
    """glyph id → text of a ToUnicode CMap (bfchar and bfrange lines)."""
    text = cmap.decode("latin-1")
    mapping: dict[int, str] = {}

    def utf16(hexa: str) -> str:
        return bytes.fromhex(hexa).decode("utf-16-be")

    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for code, value in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(code, 16)] = utf16(value)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for low, high, value in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = ord(utf16(value)[-1])
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = utf16(value)[:-1] + chr(start + offset)
    return mapping


def _has_outline(font: Any, gid: int) -> bool:
    if gid >= font["maxp"].numGlyphs:
        return False
    name = font.getGlyphOrder()[gid]
    if "glyf" in font:
        glyph = font["glyf"][name]
        return bool(glyph.numberOfContours)
    charstrings = font["CFF "].cff.topDictIndex[0].CharStrings
    return charstrings[name].calcBounds(charstrings) is not None
