"""一览表 (PRN-2): one row per applicant of an organisation's series × level, as a landscape
PDF, a spreadsheet and a preview page; only declarations the organisation holds or held."""

from __future__ import annotations

import io
from typing import Any

from documents_helpers import RARE_NAME, UNIT_NAME, World, full_sections, pdf_text, squeeze
from openpyxl import load_workbook
from pypdf import PdfReader
from runtime_support import build_json, message

QUERY = {"series": "档案", "level": "中级"}
OVERVIEW = build_json("print.json")["overview"]
# a column's title by what it shows (print.yaml names each column's source)
COLUMN = {c["source"]: c["title"] for c in OVERVIEW["columns"]}
STATES = build_json("workflow.json")["declaration"]["states"]


def header(unit: str, **changes: Any) -> dict[str, dict[str, Any]]:
    return {"header": {**full_sections(unit)["header"], **changes}}


def populate(world: World, unit: str, committee: str) -> dict[str, str]:
    """Three declarations the unit holds or held, and four it must not list."""
    names: dict[str, str] = {}
    for rank, name in ((2, "王小明"), (1, RARE_NAME), (3, "李晓红")):
        person = world.person(name=name, sex="男" if rank == 2 else "女")
        holder, reached = (unit, 0) if rank != 3 else (committee, 1)  # reported upward: held before
        names[name] = world.declaration(
            person, header(unit, rank=f"{rank}/3"), chain=[unit, committee], holder=holder, reached=reached
        )
    other_unit = world.org("威海市其他档案馆")
    world.declaration(world.person(name="外单位人"), header(other_unit), chain=[other_unit, committee])
    world.declaration(
        world.person(name="高级别人"), header(unit, level="副高级", title="副研究馆员"), chain=[unit, committee]
    )
    world.declaration(world.person(name="别系列人"), header(unit, series="新闻", title="编辑"), chain=[unit, committee])
    # a draft whose chain was never handed to anyone
    world.declaration(world.person(name="草稿人"), header(unit), chain=[unit], state="draft", reached=-1, holder=None)
    return names


def test_the_overview_pdf_has_one_row_per_declaration_the_unit_held(world: World, unit: str, committee: str) -> None:
    populate(world, unit, committee)
    headers = world.bearer(world.org_account(unit))
    response = world.client.get("/api/v1/overview.pdf", params=QUERY, headers=headers)
    assert response.status_code == 200, response.text
    reader = PdfReader(io.BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    text = pdf_text(response.content)
    assert OVERVIEW["title"] in text
    for name in (RARE_NAME, "王小明", "李晓红"):
        assert name in text
    for name in ("外单位人", "高级别人", "别系列人", "草稿人"):
        assert name not in text
    for column in OVERVIEW["columns"]:
        assert squeeze(column["title"]) in squeeze(text), column
    assert UNIT_NAME in text and "2/3" in text and STATES["submitted"]["title"] in text


def test_the_spreadsheet_has_one_row_per_declaration_with_the_right_values(
    world: World, unit: str, committee: str
) -> None:
    populate(world, unit, committee)
    headers = world.bearer(world.org_account(unit))
    response = world.client.get("/api/v1/overview.xlsx", params=QUERY, headers=headers)
    assert response.status_code == 200
    assert "spreadsheetml" in response.headers["content-type"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == OVERVIEW["title"]
    titles = rows[2]
    assert list(titles) == [c["title"] for c in OVERVIEW["columns"]]
    # each row by what its columns show, not by their titles
    by_source = {c["source"]: i for i, c in enumerate(OVERVIEW["columns"])}
    data = [{source: r[i] for source, i in by_source.items()} for r in rows[3:]]
    assert [d["person.name"] for d in data] == [RARE_NAME, "王小明", "李晓红"]  # by recommendation rank
    first = data[0]
    assert first["row_number"] == 1
    assert first["person.sex"] == "女" and first["person.birth_date"] == "1990-01-01"
    typed = full_sections("unit")["header"]
    assert first["header.unit"] == UNIT_NAME and first["header.rank"] == "1/3"
    for field in ("series", "level", "title", "specialty", "mode", "work_start", "professional_years"):
        assert first[f"header.{field}"] == typed[field], field
    assert first["declaration.state"] == STATES["submitted"]["title"]
    assert data[1]["person.sex"] == "男"


def test_the_preview_page_shows_the_same_rows_with_download_links(world: World, unit: str, committee: str) -> None:
    populate(world, unit, committee)
    browser = world.browser(world.org_account(unit))
    empty = browser.get("/overview")
    assert empty.status_code == 200 and 'name="series"' in empty.text
    page = browser.get("/overview", params=QUERY)
    assert page.status_code == 200
    assert page.text.count("<tr>") - 1 == 3  # header row + one per declaration
    assert RARE_NAME in page.text and "外单位人" not in page.text
    assert "/overview.pdf?series=" in page.text and "/overview.xlsx?series=" in page.text
    assert browser.get("/overview.pdf", params=QUERY).content.startswith(b"%PDF")
    assert browser.get("/overview.xlsx", params=QUERY).status_code == 200


def test_a_unit_without_declarations_gets_an_empty_overview(world: World, unit: str) -> None:
    headers = world.bearer(world.org_account(unit))
    response = world.client.get("/api/v1/overview", params=QUERY, headers=headers)
    assert response.status_code == 200 and response.json()["rows"] == []
    pdf = world.client.get("/api/v1/overview.pdf", params=QUERY, headers=headers)
    assert pdf.status_code == 200 and "无" in pdf_text(pdf.content)


def test_an_unknown_series_or_level_is_a_clear_422(world: World, unit: str) -> None:
    headers = world.bearer(world.org_account(unit))
    for params in (
        {},
        {"series": "档案"},
        {"series": "不存在的系列", "level": "中级"},
        {"series": "档案", "level": "x"},
    ):
        response = world.client.get("/api/v1/overview.pdf", params=params, headers=headers)
        assert response.status_code == 422, params
        assert response.json()["errors"][0]["message"] == message("overview_params")
    page = world.browser(world.org_account(unit)).get("/overview", params={"series": "x", "level": "中级"})
    assert page.status_code == 422 and message("overview_params") in page.text


def test_applicants_and_visitors_get_no_overview(world: World, unit: str) -> None:
    person = world.person()
    response = world.client.get("/api/v1/overview.xlsx", params=QUERY, headers=world.bearer(person))
    assert response.status_code == 403
    assert world.client.get("/api/v1/overview.pdf", params=QUERY).status_code == 401
    assert world.browser(person).get("/overview", params=QUERY).status_code == 403
    assert world.browser().get("/overview", follow_redirects=False).status_code == 303


def test_a_long_overview_repeats_its_header_on_every_page(world: World, unit: str, committee: str) -> None:
    for i in range(70):
        world.declaration(
            world.person(name=f"申报人{i:02d}"), header(unit, rank=f"{i + 1}/70"), chain=[unit, committee]
        )
    headers = world.bearer(world.org_account(unit))
    response = world.client.get("/api/v1/overview.pdf", params=QUERY, headers=headers)
    pages = [squeeze(p.extract_text() or "") for p in PdfReader(io.BytesIO(response.content)).pages]
    assert len(pages) >= 2
    assert all(squeeze(COLUMN["person.name"]) in page and squeeze(COLUMN["header.unit"]) in page for page in pages)
    text = "".join(pages)
    assert all(f"申报人{i:02d}" in text for i in range(70))
