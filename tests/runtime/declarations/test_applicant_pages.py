"""The applicant's pages, rendered and read: required markers, inline Chinese errors next to the
fields, rows added and removed without JavaScript, uploads per section and per row with their
errors, the overview's completeness, cascading selects narrowed by level and series."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import markupsafe
import pytest
from applicant_helpers import Applicant, World, valid_sections
from runtime_support import build_json, csrf_of, field_message, message, template_pattern


def escape(text: str) -> str:
    """A text as the pages' templates write it (Jinja's autoescape)."""
    return str(markupsafe.escape(text))


HEADER = build_json("forms/declaration/header.json")
WORK_EXPERIENCE = build_json("forms/declaration/work_experience.json")

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def pages(world: World, applicant: Applicant) -> tuple[Any, str]:
    """A logged-in page client and a fresh declaration."""
    client = world.page_client()
    world.page_login(client, applicant.doc["login_name"])
    created = client.post(
        "/declarations/new", data={"csrf_token": csrf_of(client.get("/declarations").text)}, follow_redirects=False
    )
    assert created.status_code == 303
    return client, created.headers["location"].rsplit("/", 1)[-1]


def _section(client: Any, declaration_id: str, section: str, **params: str) -> Any:
    return client.get(f"/declarations/{declaration_id}/sections/{section}", params=params)


def _post(client: Any, declaration_id: str, section: str, data: dict[str, str]) -> Any:
    page = _section(client, declaration_id, section)
    return client.post(
        f"/declarations/{declaration_id}/sections/{section}", data={"csrf_token": csrf_of(page.text), **data}
    )


def _options(html: str, select_id: str) -> list[str]:
    found = re.search(rf'<select id="{select_id}".*?</select>', html, re.S)
    assert found, select_id
    return [v for v in re.findall(r'<option value="([^"]*)"', found.group(0)) if v]


def _attributes_are_separated(html: str) -> None:
    glued = re.search(r'="[^"]*"[^\s>/]', html)
    assert not glued, f"attributes run together: {glued.group(0)[:80] if glued else ''}"


SECTIONS = list(valid_sections("x"))


@pytest.mark.parametrize("section", SECTIONS)
def test_every_section_page_renders_with_required_markers_and_well_formed_attributes(
    world: World, pages: tuple[Any, str], section: str
) -> None:
    client, declaration_id = pages
    page = _section(client, declaration_id, section)
    assert page.status_code == 200
    html = page.text
    form = world.client.app.state.services.bundle.sections["declaration"][section]  # type: ignore[attr-defined]
    for field in form.compiled["fields"]:
        label = re.search(
            rf'<(label for="{field["id"]}"|fieldset class="group[^"]*" id="{field["id"]}")>?.*?</(label|legend)>',
            html,
            re.S,
        )
        assert label, field["id"]
        assert ('<span class="req">*</span>' in label.group(0)) == bool(field.get("required")), field["id"]
    for column in (form.compiled.get("rows") or {}).get("fields") or []:
        header = re.search(rf"<th>{re.escape(column['title'])}(<span class=\"req\">\*</span>)?</th>", html)
        assert header and bool(header.group(1)) == bool(column.get("required")), column["id"]
    assert ('id="uploads"' in html) == bool(form.compiled.get("uploads"))
    assert 'class="default-submit"' in html and html.index("default-submit") < html.index('id="save"')
    _attributes_are_separated(html)
    assert "<script>" not in html and " onclick=" not in html and 'style="' not in html


def test_errors_appear_in_chinese_next_to_their_fields_and_in_a_summary(world: World, pages: tuple[Any, str]) -> None:
    client, declaration_id = pages
    # the header's required-if rules, triggered by the answers their own `when` names
    required_if = [r for r in HEADER["rules"] if r["kind"] == "required-if"]
    triggers = {k: v for r in required_if for k, v in r["params"]["when"].items()}
    page = _post(client, declaration_id, "header", {"rank": "6/5", **triggers})
    assert required_if and page.status_code == 422
    html = page.text
    for field, expected in [
        ("rank", field_message("declaration/header", "/rank", "format")),
        *((r["params"]["field"], r["message"]) for r in required_if),
        ("level", field_message("declaration/header", "/level")),
    ]:
        block = re.search(rf'<div class="field has-error"[^>]*>\s*<label for="{field}">.*?</div>', html, re.S)
        assert block, field
        assert f'aria-describedby="{field}-error"' in block.group(0)
        assert re.search(rf'<p class="error" id="{field}-error">[^<]*{re.escape(escape(expected))}', block.group(0)), (
            field
        )
        assert f'<a href="#{field}">' in html
    assert re.search(template_pattern(message("errors_summary")), html)
    assert 'value="6/5"' in html  # what was typed stays
    # the draft is kept so nothing typed is lost, and the overview counts its errors
    overview = client.get(f"/declarations/{declaration_id}")
    assert re.search(r'sections/header">[^<]+</a>.*?data-state="errors"><span class="bad">', overview.text, re.S)


def test_row_errors_appear_in_their_cells(world: World, pages: tuple[Any, str]) -> None:
    client, declaration_id = pages
    page = _post(
        client,
        declaration_id,
        "work_experience",
        {
            "rows.0.start": "2012.07",
            "rows.0.end": "2015.06",
            "rows.0.unit_dept_post": "甲/乙/丙",
            "rows.1.start": "2016.03",
            "rows.1.end": "至今",
            "rows.1.unit_dept_post": "甲-乙-丙",
        },
    )
    assert page.status_code == 422
    # DEC-13: the gap's own message names the months missing (2015.07 to 2016.02).
    assert re.search(r'<p class="error" id="rows-1-start-error">[^<]*2015\.07[^<]*2016\.02', page.text)
    pattern = field_message("declaration/work_experience", "/rows/0/unit_dept_post", "pattern")
    assert f'<p class="error" id="rows-1-unit_dept_post-error">{escape(pattern)}' in page.text
    start = next(f["title"] for f in WORK_EXPERIENCE["rows"]["fields"] if f["id"] == "start")
    assert re.search(rf'<td class="has-error" data-label="{re.escape(escape(start))}"[^>]*>', page.text)


class _Cells(HTMLParser):
    """Each control inside a row's cell: (column, its aria-label or None)."""

    def __init__(self) -> None:
        super().__init__()
        self.column: str | None = None
        self.controls: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "td":
            self.column = found.get("data-column")
        elif tag in ("input", "select", "textarea") and self.column and found.get("type") != "hidden":
            self.controls.append((self.column, found.get("aria-label")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self.column = None


def test_every_cell_of_a_row_is_named_by_its_row_and_column(world: World, pages: tuple[Any, str]) -> None:
    """A screen reader hears which row and column a cell is (its aria-label is one attribute,
    not text run into the tag), from row_field_label in messages.yaml."""
    client, declaration_id = pages
    page = _section(client, declaration_id, "work_experience")
    cells = _Cells()
    cells.feed(page.text)
    titles = {f["id"]: f["title"] for f in WORK_EXPERIENCE["rows"]["fields"]}
    assert [column for column, _ in cells.controls] == list(titles)  # the one blank row offered
    for column, label in cells.controls:
        assert label == message("row_field_label", n=1, title=titles[column]), column


def test_rows_are_added_and_removed_without_javascript(world: World, pages: tuple[Any, str]) -> None:
    client, declaration_id = pages
    empty = _section(client, declaration_id, "work_experience")
    assert len(re.findall(r"<tr data-row>", empty.text)) == 1  # one blank row to start with
    row0 = {"rows.0.start": "2012.07", "rows.0.end": "2015.06", "rows.0.unit_dept_post": "甲/乙/丙"}
    saved0 = _post(client, declaration_id, "work_experience", {**row0, "save": "1"})
    assert len(re.findall(r"<tr data-row>", saved0.text)) == 2  # the saved row and a blank one for the next
    blank1 = {"rows.1.start": "", "rows.1.end": "", "rows.1.unit_dept_post": ""}  # the blank row, as posted
    added = _post(client, declaration_id, "work_experience", {**row0, **blank1, "add_row": "1"})
    assert len(re.findall(r"<tr data-row>", added.text)) == 3  # 新增一行 beside an unused blank row: two blank rows
    assert 'name="rows.2.start"' in added.text and 'value="2012.07"' in added.text
    row1 = {"rows.1.start": "2015.07", "rows.1.end": "至今", "rows.1.unit_dept_post": "丁/戊/己"}
    filled = _post(client, declaration_id, "work_experience", {**row0, **row1, "add_row": "1"})
    # the blank row filled in, then 新增一行: both rows kept and one blank row for the next, not two
    assert len(re.findall(r"<tr data-row>", filled.text)) == 3
    assert 'value="丁/戊/己"' in filled.text and 'name="rows.2.start"' in filled.text
    assert 'name="rows.3.start"' not in filled.text
    saved = _post(client, declaration_id, "work_experience", {**row0, **row1, "rows.2.start": "", "save": "1"})
    assert saved.status_code == 200 and message("saved") in saved.text
    assert len(re.findall(r"<tr data-row>", saved.text)) == 3
    for odd in ("²", "9" * 5000):  # digits to str.isdigit(), not to int(): no version, no row removed
        kept = _post(client, declaration_id, "work_experience", {**row0, **row1, "remove_row": odd, "version": odd})
        assert kept.status_code == 200 and 'value="甲/乙/丙"' in kept.text and 'value="丁/戊/己"' in kept.text
    removed = _post(client, declaration_id, "work_experience", {**row0, **row1, "remove_row": "0"})
    stored = world.one(
        "SELECT data FROM sections WHERE declaration_id = ? AND section_id = 'work_experience'", (declaration_id,)
    )["data"]
    assert "丁/戊/己" in stored and "甲/乙/丙" not in stored
    assert 'value="丁/戊/己"' in removed.text and 'value="甲/乙/丙"' not in removed.text


def test_a_cleared_row_in_the_middle_does_not_shift_the_removed_one(world: World, pages: tuple[Any, str]) -> None:
    client, declaration_id = pages
    rows = {
        "rows.0.start": "2012.07", "rows.0.end": "2015.06", "rows.0.unit_dept_post": "甲/乙/丙",
        "rows.1.start": "", "rows.1.end": "", "rows.1.unit_dept_post": "",
        "rows.2.start": "2015.07", "rows.2.end": "至今", "rows.2.unit_dept_post": "丁/戊/己",
    }  # fmt: skip
    _post(client, declaration_id, "work_experience", {**rows, "remove_row": "2"})
    stored = world.one(
        "SELECT data FROM sections WHERE declaration_id = ? AND section_id = 'work_experience'", (declaration_id,)
    )["data"]
    assert "甲/乙/丙" in stored and "丁/戊/己" not in stored


def test_the_cascading_selects_offer_the_options_of_the_chosen_level_and_series(
    world: World, pages: tuple[Any, str]
) -> None:
    client, declaration_id = pages
    dictionaries = build_json("dictionaries.json")
    every_series = dictionaries["series"]["entries"]
    levels = [e["value"] for e in dictionaries["levels"]["entries"]]
    blank = _section(client, declaration_id, "header")
    offered = _options(blank.text, "title")
    assert all(title in offered for entry in every_series for titles in entry["titles"].values() for title in titles)
    # a series with titles at two levels or more, its levels in the dictionary's order
    entry = next(e for e in every_series if len(e["titles"]) >= 2 and e.get("specialties"))
    first, second = [level for level in levels if level in entry["titles"]][:2]
    chosen = _post(client, declaration_id, "header", {"level": first, "series": entry["value"]})
    assert _options(chosen.text, "title") == entry["titles"][first]
    assert _options(chosen.text, "specialty") == entry["specialties"]
    assert 'data-depends-on="level,series"' in chosen.text
    other = _post(client, declaration_id, "header", {"level": second, "series": entry["value"]})
    assert _options(other.text, "title") == entry["titles"][second]
    series_only = _post(client, declaration_id, "header", {"series": entry["value"]})
    every_level = [t for level in levels for t in entry["titles"].get(level, [])]
    assert _options(series_only.text, "title") == list(dict.fromkeys(every_level))


def test_a_typed_unit_name_becomes_the_units_id_and_shows_as_its_name(
    world: World, pages: tuple[Any, str], unit_id: str
) -> None:
    client, declaration_id = pages
    page = _post(client, declaration_id, "header", {"unit": "威海市测试档案服务中心"})
    assert 'value="威海市测试档案服务中心"' in page.text
    stored = world.one(
        "SELECT data FROM sections WHERE declaration_id = ? AND section_id = 'header'", (declaration_id,)
    )
    assert f'"unit":"{unit_id}"' in stored["data"]
    unknown = _post(client, declaration_id, "header", {"unit": "不存在的单位"})
    refused = re.escape(world.svc.bundle.text("unit_not_found", name="不存在的单位"))
    assert re.search(rf'<p class="error" id="unit-error">{refused}', unknown.text)
    assert world.svc.bundle.text("unit_suggestions", names="")[:4] not in unknown.text  # nothing alike


def test_a_mistyped_unit_name_is_refused_with_the_closest_permitted_names(
    world: World, pages: tuple[Any, str], unit_id: str
) -> None:
    client, declaration_id = pages
    typo = _post(client, declaration_id, "header", {"unit": "威海市测式档案服务中心"})
    error = re.search(r'<p class="error" id="unit-error">([^<]+)</p>', typo.text)
    assert error
    assert world.svc.bundle.text("unit_not_found", name="威海市测式档案服务中心") in error.group(1)
    assert world.svc.bundle.text("unit_suggestions", names="威海市测试档案服务中心") in error.group(1)
    assert world.svc.bundle.text("unit_not_permitted") not in error.group(1)
    search = client.get("/units/search", params={"q": "测试档案"}).json()["units"]
    assert [u["name"] for u in search] == ["威海市测试档案服务中心"]


def test_the_system_fields_show_their_values_after_a_save(world: World, pages: tuple[Any, str]) -> None:
    client, declaration_id = pages
    page = _post(client, declaration_id, "header", {"rank": "1/1", "year": "1999", "entrusted": "是"})
    assert re.search(r'<input id="year"[^>]*value="2026"[^>]*readonly', page.text, re.S)
    assert re.search(r'<input id="entrusted"[^>]*value="否"[^>]*readonly', page.text, re.S)


def _upload(client: Any, declaration_id: str, section: str, data: dict[str, str], content: bytes) -> Any:
    page = _section(client, declaration_id, section)
    return client.post(
        f"/declarations/{declaration_id}/attachments?section={section}&kind={data.get('kind', '')}",
        data={"csrf_token": csrf_of(page.text), "section_id": section, **data},
        files={"file": ("材料.pdf", content, "application/pdf")},
        follow_redirects=False,
    )


def test_uploads_per_section_and_per_row_are_listed_on_the_section_page(
    world: World, pages: tuple[Any, str], unit_id: str
) -> None:
    client, declaration_id = pages
    education = _section(client, declaration_id, "education")
    assert 'enctype="multipart/form-data"' in education.text and 'name="row_number"' not in education.text
    done = _upload(client, declaration_id, "education", {"kind": "verification"}, PDF)
    assert done.status_code == 303 and done.headers["location"].endswith("/sections/education#uploads")
    listed = client.get(done.headers["location"])
    link = re.search(r'<a href="/attachments/([0-9a-f]+)">材料.pdf</a>', listed.text)
    assert link
    assert client.get(f"/attachments/{link.group(1)}").content == PDF
    # per row: the achievements section asks which saved row the file proves, by the row's id
    achievements = _section(client, declaration_id, "achievements")
    assert 'name="row_id"' not in achievements.text  # no saved row yet: nothing to prove
    rows = valid_sections("x")["achievements"]["rows"]
    posted = {
        f"rows.{i}.{k}": str(v)
        for i, row in enumerate([rows[0], {**rows[0], "name": "论文:《乙》"}])
        for k, v in row.items()
    }
    saved = _post(client, declaration_id, "achievements", {**posted, "save": "1"})
    ids = re.findall(r'<option value="([0-9a-f]{32})">', saved.text)
    assert len(ids) == 2 and 'name="rows.1.row_id"' in saved.text
    row = _upload(client, declaration_id, "achievements", {"kind": "proof", "row_id": ids[1]}, PDF + b"2")
    assert row.status_code == 303
    shown = client.get(row.headers["location"])
    assert f"材料.pdf</a> ({escape(message('row'))} 2)" in shown.text
    assert world.one("SELECT row_id FROM attachments WHERE section_id = 'achievements'")["row_id"] == ids[1]


def _spec(world: World, section: str, kind: str) -> dict[str, Any]:
    spec = world.svc.bundle.sections["declaration"][section].upload(kind)
    assert spec is not None
    return dict(spec)


@pytest.mark.parametrize(
    ("content", "kind", "code", "named_limits"),
    [
        (b"\x7fELF\x02\x01\x01", "verification", "unsupported_file_type", True),
        (b"", "verification", "empty_file", True),
        (PDF, "passport", "unknown_upload_kind", False),
        (None, "verification", "file_too_large", True),  # just over the size limit of the kind
    ],
)
def test_an_upload_error_is_shown_on_the_section_page_with_the_limits_of_the_upload(
    world: World, pages: tuple[Any, str], content: bytes | None, kind: str, code: str, named_limits: bool
) -> None:
    client, declaration_id = pages
    if content is None:
        content = PDF + b"0" * (int(_spec(world, "education", kind)["max_size_kb"]) * 1024)
    refused = _upload(client, declaration_id, "education", {"kind": kind}, content)
    assert refused.status_code == 303
    assert "upload_error=" in refused.headers["location"]
    page = client.get(refused.headers["location"])
    shown = re.search(r'<p class="error" role="alert" id="upload-error">([^<]+)</p>', page.text)
    assert shown and shown.group(1).startswith(world.svc.bundle.text(code, limit="")[:4])
    if named_limits:
        assert world.svc.bundle.text("upload_limits").split("{")[0] in shown.group(1)
        from runtime.declarations.uploads import limits_text

        assert limits_text(world.svc, _spec(world, "education", kind)) in shown.group(1)
    assert world.one("SELECT COUNT(*) AS n FROM attachments")["n"] == 0


def test_an_upload_far_over_the_limit_names_the_limits_not_a_bare_request_too_large(
    world: World, pages: tuple[Any, str]
) -> None:
    """An 11 MB file for a 10 MB kind is refused before its fields are read; the message still
    says size, types and count (issue 16)."""
    from runtime.declarations.uploads import limits_text

    client, declaration_id = pages
    spec = _spec(world, "education", "verification")
    content = PDF + b"0" * (int(spec["max_size_kb"]) * 1024 + 1024 * 1024)
    refused = _upload(client, declaration_id, "education", {"kind": "verification"}, content)
    page = client.get(refused.headers["location"])
    assert limits_text(world.svc, spec) in page.text
    assert world.svc.bundle.text("body_too_large") not in page.text


def test_the_upload_error_shows_only_known_messages(world: World, pages: tuple[Any, str]) -> None:
    client, declaration_id = pages
    page = _section(client, declaration_id, "education", upload_error="<script>alert(1)</script>")
    assert 'id="upload-error"' not in page.text and "alert(1)" not in page.text
    limited = _section(client, declaration_id, "education", upload_error="too_many_files", limit="<b>")
    assert world.svc.bundle.text("too_many_files", limit="") in limited.text and "<b>" not in limited.text


def test_a_failed_upload_returns_to_a_real_section_only(world: World, pages: tuple[Any, str]) -> None:
    client, declaration_id = pages
    page = _section(client, declaration_id, "education")
    refused = client.post(
        f"/declarations/{declaration_id}/attachments?section=//evil.example",
        data={"csrf_token": csrf_of(page.text), "section_id": "education", "kind": "verification"},
        files={"file": ("a.pdf", b"MZ", "application/pdf")},
        follow_redirects=False,
    )
    assert refused.status_code == 303
    assert refused.headers["location"].startswith(f"/declarations/{declaration_id}/sections/header?")


def _states(html: str) -> dict[str, str]:
    return dict(re.findall(r'sections/([a-z_]+)">[^<]+</a>.*?data-state="(\w+)"', html, re.S))


def test_the_overview_states_are_true_untouched_sections_are_not_complete(
    world: World, applicant: Applicant, pages: tuple[Any, str], unit_id: str
) -> None:
    """未填写 / 有错误 (n) / 已完成 (issue 16): a new declaration has nothing complete."""
    client, declaration_id = pages
    fresh = _states(client.get(f"/declarations/{declaration_id}").text)
    assert len(fresh) == len(world.svc.bundle.declaration_sections())
    assert "done" not in fresh.values() and "empty" in fresh.values()
    applicant.save(declaration_id, "header", valid_sections(unit_id)["header"])
    applicant.save(declaration_id, "education", valid_sections(unit_id)["education"])
    after_page = client.get(f"/declarations/{declaration_id}").text
    after = _states(after_page)
    assert after["header"] == "done" and after["education"] == "done"
    assert after["work_experience"] == "errors"
    count = after_page.count('data-state="errors"')
    assert count == list(after.values()).count("errors")
    label = world.svc.bundle.text("section_errors", count="")
    assert label.split("(")[0] in after_page


def test_my_declarations_page_shows_state_holder_and_the_new_button(
    world: World, applicant: Applicant, pages: tuple[Any, str]
) -> None:
    client, declaration_id = pages
    page = client.get("/declarations")
    assert f'href="/declarations/{declaration_id}"' in page.text
    draft = build_json("workflow.json")["declaration"]
    assert draft["states"][draft["initial"]]["title"] in page.text and message("holder_self") in page.text
    notices = build_json("platform.json")["notices"]
    assert 'id="new-declaration"' in page.text and any(escape(n["title"]) in page.text for n in notices)
    assert "张1" in page.text  # who is logged in


def test_the_layout_shows_the_logged_in_name_and_a_logout_form(world: World, pages: tuple[Any, str]) -> None:
    client, _ = pages
    page = client.get("/declarations")
    assert '<span class="who">张1</span>' in page.text
    assert re.search(r'<form method="post" action="/logout"[^>]*>\s*<input type="hidden" name="csrf_token"', page.text)


def test_each_section_page_carries_its_conditions_and_each_upload_its_limits(
    world: World, pages: tuple[Any, str]
) -> None:
    """Serialised once per form and said once per upload kind (issue 14), the same on every page:
    data-client parses back to the section's compiled client rules, and each kind of upload
    names the limits its spec sets."""
    import html
    import json

    from runtime.web.forms import upload_limits_text

    client, declaration_id = pages
    for form in world.svc.bundle.declaration_sections():
        for _ in range(2):  # the second page is served from what the first one worked out
            page = client.get(f"/declarations/{declaration_id}/sections/{form.id}").text
            found = re.search(r'data-client="([^"]*)"', page)
            if form.compiled.get("client"):
                assert found and json.loads(html.unescape(found.group(1))) == form.compiled["client"]
            else:
                assert found is None
            shown = re.findall(r'<p class="hint upload-limits">([^<]*)</p>', page)
            assert [html.unescape(s) for s in shown] == [upload_limits_text(world.svc, u) for u in form.uploads]
