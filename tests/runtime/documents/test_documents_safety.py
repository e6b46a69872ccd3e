"""Printing is safe with hostile input: what a user typed is text, never HTML or CSS; WeasyPrint
fetches nothing but data: URLs and the app's own files; no attachment enters a PDF."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from documents_helpers import ROOT, World, drawn_without_a_glyph, full_sections, pdf_text
from openpyxl import load_workbook
from pypdf import PdfReader

from runtime.documents import pdf
from runtime.documents.pdf import Printer, css_string, fetcher_class

PAYLOAD = (
    '<img src="file:///etc/passwd"><link rel="attachment" href="file:///etc/passwd">'
    '<img src="http://127.0.0.1:9/track.png"><style>@import url(http://127.0.0.1:9/x.css)</style>'
)
FORMULA = '=HYPERLINK("http://127.0.0.1:9/","点击")'


@pytest.fixture
def fetched(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every URL WeasyPrint asked the fetcher for in a print worker, allowed or refused."""
    calls: list[str] = []
    original = pdf.WorkerPool.render

    def recording(self: pdf.WorkerPool, *args: Any, **kwargs: Any) -> bytes:
        try:
            return original(self, *args, **kwargs)
        finally:
            calls.extend(self.last_asked)

    monkeypatch.setattr(pdf.WorkerPool, "render", recording)
    return calls


def free_text_fields() -> dict[str, list[tuple[str, str | None]]]:
    """(field, sub-field or None) of every text field of every section, rows marked 'rows'."""
    found: dict[str, list[tuple[str, str | None]]] = {}
    for path in sorted((ROOT / "build" / "forms" / "declaration").glob("*.json")):
        compiled = json.loads(path.read_text("utf-8"))
        fields: list[tuple[str, str | None]] = []
        for d in compiled["fields"]:
            if d["type"] == "group":
                fields += [(d["id"], s["id"]) for s in d["fields"] if s["type"] == "text"]
            elif d["type"] in ("text", "textarea") or d.get("widget") == "textarea":
                fields.append((d["id"], None))
        for d in (compiled.get("rows") or {}).get("fields") or []:
            if d["type"] in ("text", "textarea"):
                fields.append(("rows", d["id"]))
        found[compiled["id"]] = fields
    return found


def hostile_sections(unit: str) -> dict[str, dict[str, Any]]:
    sections = full_sections(unit)
    for section_id, fields in free_text_fields().items():
        doc = sections.setdefault(section_id, {})
        for field, sub in fields:
            if field == "rows":
                doc.setdefault("rows", [{}])
                for row in doc["rows"]:
                    row[sub] = PAYLOAD
            elif sub is not None:
                doc.setdefault(field, {})[sub] = PAYLOAD
            else:
                doc[field] = PAYLOAD
    sections["header"]["work_unit"] = FORMULA
    return sections


def assert_harmless(content: bytes, fetched: list[str]) -> None:
    assert [u for u in fetched if not u.startswith(("asset:", "data:"))] == []
    reader = PdfReader(io.BytesIO(content))
    assert reader.attachments == {}
    assert b"/EmbeddedFile" not in content and b"/FileAttachment" not in content
    assert b"root:x:0:0" not in content
    text = pdf_text(content)
    assert "root:x:0" not in text
    assert "file:///etc/passwd" in text  # printed as the text it is


def test_markup_typed_into_every_free_text_field_prints_as_text_and_fetches_nothing(
    world: World, unit: str, committee: str, fetched: list[str]
) -> None:
    sections = hostile_sections(unit)
    assert sum(len(f) for f in free_text_fields().values()) >= 20
    person = world.person(name="张三<img src=file:///etc/passwd>")
    declaration = world.declaration(
        person, sections, chain=[unit, committee], state="approved", certificate_no="WH2026X1", holder=committee
    )
    headers = world.bearer(person)
    for url in (
        f"/api/v1/declarations/{declaration}/review-form.pdf",
        f"/api/v1/declarations/{declaration}/certificate.pdf",
    ):
        response = world.client.get(url, headers=headers)
        assert response.status_code == 200, url
        assert_harmless(response.content, fetched)
    org = world.bearer(world.org_account(unit))
    overview = world.client.get("/api/v1/overview.pdf", params={"series": "档案", "level": "中级"}, headers=org)
    assert overview.status_code == 200
    assert_harmless(overview.content, fetched)
    assert "asset:print/print.css" in fetched


def test_a_formula_typed_into_a_field_stays_text_in_the_spreadsheet(world: World, unit: str, committee: str) -> None:
    person = world.person(name="=1+1")
    sections = {"header": {**full_sections(unit)["header"], "specialty": FORMULA}}
    world.declaration(person, sections, chain=[unit, committee], holder=unit, reached=0)
    org = world.bearer(world.org_account(unit))
    response = world.client.get("/api/v1/overview.xlsx", params={"series": "档案", "level": "中级"}, headers=org)
    sheet = load_workbook(io.BytesIO(response.content)).active
    row = [c for c in sheet[4]]
    values = {c.value for c in row}
    assert "=1+1" in values and FORMULA in values
    assert all(c.data_type != "f" for c in row)


def test_the_fetcher_refuses_files_networks_and_escapes_from_the_build(tmp_path: Path) -> None:
    fetcher = fetcher_class()(ROOT / "build" / "templates")
    for url in (
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.png",
        "https://example.invalid/x.css",
        "ftp://127.0.0.1/x",
        "asset:../../runtime/app.py",
        "asset:/etc/passwd",
        "asset:print/../../manifest.json",
        "asset:print/review_form.html",  # templates are not assets
        "asset:print/missing.css",
        "relative/path.css",
        "javascript:alert(1)",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    css = fetcher.fetch("asset:print/print.css")
    assert b"@page" in css.read()
    data = fetcher.fetch("data:text/plain;base64,aGVsbG8=")
    assert data.read() == b"hello"


def test_even_raw_html_cannot_pull_a_file_or_an_attachment_into_a_pdf(
    fetched: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    printer = Printer(ROOT / "build")
    html = (
        "<html><head><meta charset=utf-8>"
        '<link rel="attachment" href="file:///etc/passwd" title="passwd">'
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css"></head><body>'
        '<img src="file:///etc/passwd"><a rel="attachment" href="file:///etc/passwd">附件</a>'
        '<iframe src="file:///etc/passwd"></iframe><object data="file:///etc/passwd"></object>'
        "<p>正文</p></body></html>"
    )
    with caplog.at_level(logging.WARNING):
        content = printer.html_to_pdf(html)
    # WeasyPrint's warnings in the worker reach the server's log
    assert any(r.name.startswith("weasyprint") and "file:///etc/passwd" in r.getMessage() for r in caplog.records)
    assert "正文" in pdf_text(content)
    assert PdfReader(io.BytesIO(content)).attachments == {}
    assert b"root:x:0:0" not in content
    assert fetched and all(u.startswith(("file:", "http:")) for u in fetched)  # asked, and refused


def test_only_print_templates_can_be_rendered() -> None:
    printer = Printer(ROOT / "build")
    with pytest.raises(ValueError):
        printer.html("layout.html", {})
    with pytest.raises(ValueError):
        printer.html("print/../layout.html", {})


def test_page_texts_reach_css_only_as_escaped_strings() -> None:
    assert css_string('a"b') == '"a\\22 b"'
    escaped = css_string("</style><script>x</script>")
    assert "<" not in escaped and ">" not in escaped and "/" not in escaped
    assert pdf.counter_content("第{page}页 共{pages}页") == '"第" counter(page) "页 共" counter(pages) "页"'


def test_footer_texts_stay_one_css_string_whatever_they_hold() -> None:
    import tinycss2

    hostile = '申报编号：x"; } body { display: none } @page { @bottom-left { content: "y'
    css = str(pdf.page_css("portrait", "第{page}页", [hostile, "打印时间：2026-11-10 10:00"]))
    (rule,) = tinycss2.parse_stylesheet(css, skip_whitespace=True)
    assert rule.type == "at-rule" and rule.lower_at_keyword == "page"
    margins = [t for t in tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True) if t.type == "at-rule"]
    assert [m.lower_at_keyword for m in margins] == ["bottom-right", "bottom-left"]
    (content,) = tinycss2.parse_blocks_contents(margins[1].content, skip_whitespace=True)
    values = [t for t in content.value if t.type != "whitespace"]
    assert [v.type for v in values] == ["string"]
    assert values[0].value == hostile + pdf.FOOTER_GAP + "打印时间：2026-11-10 10:00"


def test_no_character_of_a_rare_name_prints_as_a_box_in_any_document(
    world: World, unit: str, committee: str, caplog: pytest.LogCaptureFixture
) -> None:
    person = world.person(name="𠀀䶮龘𪚥")  # extension B, extension A, BMP rarities
    declaration = world.declaration(
        person, full_sections(unit), chain=[unit, committee], state="approved", certificate_no="WH2026R1", holder=unit
    )
    headers = world.bearer(person)
    org = world.bearer(world.org_account(unit))
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        documents = [
            world.client.get(f"/api/v1/declarations/{declaration}/review-form.pdf", headers=headers),
            world.client.get(f"/api/v1/declarations/{declaration}/certificate.pdf", headers=headers),
            world.client.get("/api/v1/overview.pdf", params={"series": "档案", "level": "中级"}, headers=org),
        ]
    for response in documents:
        assert response.status_code == 200
        assert "𠀀䶮龘𪚥" in pdf_text(response.content)
        assert drawn_without_a_glyph(response.content, "𠀀䶮龘𪚥") == []
    assert not [r.getMessage() for r in caplog.records if ".notdef" in r.getMessage()]


def test_a_character_no_font_has_is_caught_as_a_box(caplog: pytest.LogCaptureFixture) -> None:
    """The check above can fail: CJK extension G (U+3134A) is beyond every installed font."""
    printer = Printer(ROOT / "build")
    with caplog.at_level(logging.WARNING):
        content = printer.html_to_pdf('<link rel="stylesheet" href="asset:print/print.css"><p>张𠀀\U0003134a</p>')
    assert drawn_without_a_glyph(content, "张𠀀\U0003134a") == ["\U0003134a"]
    assert any(".notdef" in r.getMessage() for r in caplog.records)
