"""评审表 (PRN-1): the whole declaration as a PDF, every section in schema order, generated
from the schemas; who may download it."""

from __future__ import annotations

import io
import json
import logging
import shutil
from pathlib import Path

import pytest
import yaml
from documents_helpers import (
    ID_NUMBER,
    NOW,
    RARE_NAME,
    ROOT,
    World,
    distinct_row_values,
    drawn_without_a_glyph,
    full_sections,
    pdf_text,
    squeeze,
)
from pypdf import PdfReader
from runtime_support import build_json
from starlette.testclient import TestClient

from generator.compiler import compile_schemas, write_build
from runtime.app import create_app
from runtime.clock import Clock


def print_title(document: str) -> str:
    """The title schemas/print/ gives a printed document."""
    return str(build_json("print.json")[document]["title"])


def section_titles() -> list[str]:
    composite = json.loads((ROOT / "build" / "forms" / "declaration.json").read_text("utf-8"))
    return [
        json.loads((ROOT / "build" / "forms" / "declaration" / f"{s}.json").read_text("utf-8"))["title"]
        for s in composite["sections"]
    ]


def make_full(world: World, unit: str, committee: str) -> tuple[str, str, dict]:  # type: ignore[type-arg]
    person = world.person(id_number=ID_NUMBER)
    sections = full_sections(unit)
    declaration = world.declaration(person, sections, chain=[unit, committee], holder=unit, reached=0)
    world.attachment(declaration, "education", "verification", "学历学位验证报告.pdf")
    world.attachment(declaration, "achievements", "proof", "论文首页扫描件.pdf", row=0)
    return person, declaration, sections


def test_the_review_form_holds_the_name_the_title_every_section_and_every_filled_row(
    world: World, unit: str, committee: str, caplog: pytest.LogCaptureFixture
) -> None:
    person, declaration, sections = make_full(world, unit, committee)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        response = world.client.get(f"/api/v1/declarations/{declaration}/review-form.pdf", headers=world.bearer(person))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    assert RARE_NAME in text  # 生僻字 extracted as themselves
    assert print_title("review_form") in text
    assert "馆员" in text and "档案管理" in text
    for title in section_titles():
        assert squeeze(title) in text, title
    for value in distinct_row_values(sections):
        assert squeeze(value) in text, value
    # group fields (education): both groups with their values
    for value in ("全日制学历", "评审依据学历", "山东大学", "中国人民大学", "档案管理与信息资源", "A1B2C3D4E5F6"):
        assert value in text, value
    # organisation fields print the unit's name, not its id; free text prints whole
    assert "威海市示范档案服务中心" in text and unit not in text
    assert squeeze(sections["performance"]["achievements_text"]) in text
    # the list of attachments
    assert "学历学位验证报告.pdf" in text and "论文首页扫描件.pdf" in text
    # the footer: declaration id, short schema version, print time; page numbers
    manifest = json.loads((ROOT / "build" / "manifest.json").read_text("utf-8"))
    assert declaration in text
    assert manifest["schema_hash"][:8] in text
    assert "2026-11-1010:00" in text
    assert "第1页共" in text
    # no character fell back to a missing-glyph box
    assert not [r for r in caplog.records if ".notdef" in r.getMessage()]
    assert drawn_without_a_glyph(response.content, RARE_NAME + print_title("review_form")) == []


def test_a_long_rows_table_repeats_its_header_on_every_page(world: World, unit: str, committee: str) -> None:
    person = world.person()
    sections = full_sections(unit)
    sections["work_experience"]["rows"] = [
        {
            "start": f"{1990 + i}.01",
            "end": f"{1990 + i}.12",
            "unit_dept_post": f"威海市第{i}档案馆/保管利用科/管理员",
            "summary": "负责档案保管与利用服务工作," * 4,
        }
        for i in range(40)
    ]
    declaration = world.declaration(person, sections, chain=[unit, committee], holder=unit, reached=0)
    response = world.client.get(f"/api/v1/declarations/{declaration}/review-form.pdf", headers=world.bearer(person))
    assert response.status_code == 200
    pages = [squeeze(p.extract_text() or "") for p in PdfReader(io.BytesIO(response.content)).pages]
    holding = [p for p in pages if any(f"威海市第{i}档案馆" in p for i in range(40))]
    assert len(holding) >= 2
    columns = {c["id"]: c["title"] for c in build_json("forms/declaration/work_experience.json")["rows"]["fields"]}
    assert all(squeeze(columns["unit_dept_post"]) in page and squeeze(columns["summary"]) in page for page in holding)
    text = "".join(pages)
    assert all(f"威海市第{i}档案馆" in text for i in range(40))


def test_the_applicant_and_the_organisations_that_held_it_may_download_it_and_nobody_else(
    world: World, unit: str, committee: str
) -> None:
    person, declaration, _ = make_full(world, unit, committee)
    url = f"/api/v1/declarations/{declaration}/review-form.pdf"
    allowed = [world.bearer(person), world.bearer(world.org_account(unit))]
    for headers in allowed:
        assert world.client.get(url, headers=headers).status_code == 200
    other_person = world.bearer(world.person(name="王五"))
    not_reached_yet = world.bearer(world.org_account(committee))  # in the chain, never held it
    outsider = world.bearer(world.org_account(world.org("威海市其他单位")))
    for headers in (other_person, not_reached_yet, outsider):
        assert world.client.get(url, headers=headers).status_code == 404
    assert world.client.get(url).status_code == 401
    assert world.client.get("/api/v1/declarations/nonexistent/review-form.pdf", headers=allowed[0]).status_code == 404


def test_the_review_form_page_link_works_with_a_session_and_asks_a_visitor_to_log_in(
    world: World, unit: str, committee: str
) -> None:
    person, declaration, _ = make_full(world, unit, committee)
    url = f"/declarations/{declaration}/review-form.pdf"
    response = world.browser(person).get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert world.browser(world.person(name="赵六")).get(url).status_code == 404
    visitor = world.browser().get(url, follow_redirects=False)
    assert visitor.status_code == 303 and visitor.headers["location"] == "/login"


def test_a_field_added_to_a_section_appears_in_the_review_form_after_a_rebuild(tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", schemas)
    section = schemas / "forms" / "declaration" / "admin_post.yaml"
    data = yaml.safe_load(section.read_text("utf-8"))
    data["fields"]["approval_no"] = {"title": "任职批准文号", "maxLength": 40, "rule": "DEC-9"}
    section.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    result = compile_schemas(schemas)
    assert result.ok, result.report
    build = tmp_path / "build"
    write_build(result.artifacts, build)
    assert "approval_no" in (build / "templates" / "print" / "review_form" / "admin_post.html").read_text("utf-8")

    clock = Clock(8)
    clock.freeze(NOW)
    app = create_app(build, tmp_path / "data", dev=True, clock=clock)
    with TestClient(app) as client:
        world = World(client)
        unit = world.org("威海市示范档案服务中心")
        person = world.person()
        sections = full_sections(unit)
        sections["admin_post"]["approval_no"] = "威人社字〔2021〕18号"
        declaration = world.declaration(person, sections, chain=[unit], holder=unit, reached=0)
        response = client.get(f"/api/v1/declarations/{declaration}/review-form.pdf", headers=world.bearer(person))
    app.state.services.storage.close()
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "任职批准文号" in text and "威人社字〔2021〕18号" in text


def test_a_field_marked_print_false_stays_out_of_the_review_form(tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", schemas)
    section = schemas / "forms" / "declaration" / "admin_post.yaml"
    data = yaml.safe_load(section.read_text("utf-8"))
    data["fields"]["since"]["print"] = False
    section.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    result = compile_schemas(schemas)
    assert result.ok, result.report
    template = result.artifacts["templates/print/review_form/admin_post.html"].decode("utf-8")
    assert '"post"' in template and '"since"' not in template
