"""Bad input to every applicant write endpoint: malformed JSON, wrong types, oversize bodies,
thousands of rows, invalid UTF-8, executables posing as PDFs, path-like and overlong file
names, forms without a CSRF token. Always a 4xx with a Chinese message, never a 500, and the
database exactly as before."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from applicant_helpers import PASSWORD, Applicant, World, person_doc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from runtime_support import csrf_of, message

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 64
CHINESE = re.compile(r"[\u4e00-\u9fff]")

NOT_AN_OBJECT: dict[str, tuple[bytes, str]] = {
    "malformed": (b'{"rank": ', "application/json"),
    "trailing garbage": (b'{"rank": "1/1"} x', "application/json"),
    "a list": (b"[1, 2, 3]", "application/json"),
    "a string": (b'"hello"', "application/json"),
    "null": (b"null", "application/json"),
    "invalid utf-8": (b'{"rank": "\xff\xfe"}', "application/json"),
    "a lone surrogate": (b'{"rank": "\\ud800"}', "application/json"),
    "a NUL character": (b'{"rank": "a\\u0000b"}', "application/json"),
    "NaN": (b'{"professional_years": NaN}', "application/json"),
    "a 5000-digit number": (b'{"professional_years": 1' + b"0" * 5000 + b"}", "application/json"),
    "deep nesting": (b"[" * 50000 + b"]" * 50000, "application/json"),
    "3 MB": (b'{"rank": "' + b"x" * 3_000_000 + b'"}', "application/json"),
    "not json": (b"rank=1/1", "application/x-www-form-urlencoded"),
    "text/plain": (b'{"rank": "1/1"}', "text/plain"),
}


@pytest.fixture
def setup(world: World, unit_id: str) -> dict[str, Any]:
    applicant = world.applicant()
    declaration_id = applicant.new_declaration()
    applicant.fill(declaration_id, unit_id)
    support = world.support()
    return {"applicant": applicant, "declaration": declaration_id, "support": support}


def _json_endpoints(setup: dict[str, Any]) -> list[tuple[str, str, dict[str, str]]]:
    applicant: Applicant = setup["applicant"]
    d = setup["declaration"]
    h = applicant.headers
    return [
        ("POST", "/api/v1/persons", {}),
        ("POST", "/api/v1/login", {}),
        ("POST", "/api/v1/password-reset", {}),
        ("POST", "/api/v1/password-reset/confirm", {}),
        ("PATCH", "/api/v1/me", h),
        ("POST", "/api/v1/me/commitment", h),
        ("POST", "/api/v1/declarations", h),
        *[("PUT", f"/api/v1/declarations/{d}/sections/{s}", h) for s in ("header", "education", "work_experience")],
        ("POST", f"/api/v1/declarations/{d}/submit", h),
        ("PATCH", f"/api/v1/persons/{applicant.id}/name", setup["support"].headers),
        ("POST", "/api/v1/logout", h),
    ]


def _assert_clear_4xx(response: Any, what: object) -> None:
    assert 400 <= response.status_code < 500, (what, response.status_code, response.text[:300])
    if response.headers["content-type"].startswith("application/json"):
        errors = response.json()["errors"]
        assert errors and all(CHINESE.search(e["message"]) for e in errors), (what, errors)
    else:
        assert CHINESE.search(response.text), what


def test_bodies_that_are_not_json_objects_are_refused_everywhere(world: World, setup: dict[str, Any]) -> None:
    before = world.dump()
    for method, path, headers in _json_endpoints(setup):
        for name, (body, content_type) in NOT_AN_OBJECT.items():
            response = world.client.request(
                method, path, content=body, headers={**headers, "content-type": content_type}
            )
            _assert_clear_4xx(response, (method, path, name))
    assert world.dump() == before
    assert setup["applicant"].get("/api/v1/me").status_code == 200  # logout with a bad body did nothing


WRONG_TYPES: list[dict[str, Any]] = [
    {"rank": 5},
    {"rank": True},
    {"rank": {"a": [1]}},
    {"rank": ["1/1"]},
    {"rank": "x" * 20000},
    {"professional_years": 1.5},
    {"professional_years": "12年"},
    {"rows": "x"},
    {"rows": [1, 2, 3]},
    {"rows": [{"start": {"y": 2010}}]},
    {"rows": [{"start": "2010.01"}] * 5000},
    {"full_time": "x"},
    {"basis": {"school": [1]}},
    {"login_name": ["a"], "password": 12345678, "account": {}, "code": 1, "new_password": None, "mobile": []},
    {"name": 12, "reason": ["x"]},
    {"unknown_field": "x"},
    {"ethnicity": None, "sex": 1},
]


def test_objects_with_wrong_types_are_refused_everywhere(world: World, setup: dict[str, Any]) -> None:
    before = world.dump()
    applicant: Applicant = setup["applicant"]
    d = setup["declaration"]
    targets = [
        ("POST", "/api/v1/persons", {}),
        ("PATCH", "/api/v1/me", applicant.headers),
        *[
            ("PUT", f"/api/v1/declarations/{d}/sections/{s}", applicant.headers)
            for s in ("header", "education", "work_experience", "achievements")
        ],
        ("PATCH", f"/api/v1/persons/{applicant.id}/name", setup["support"].headers),
    ]
    for method, path, headers in targets:
        for doc in WRONG_TYPES:
            response = world.client.request(method, path, json=doc, headers=headers)
            _assert_clear_4xx(response, (method, path, list(doc)))
    for path in ("/api/v1/login", "/api/v1/password-reset", "/api/v1/password-reset/confirm"):
        response = world.client.post(path, json={"account": 5, "mobile": [], "code": {}, "new_password": 1})
        assert response.status_code == 422 and response.json()["errors"][0]["message"] == message("not_text")
    assert world.dump() == before


def test_an_oversize_body_is_refused_before_it_is_read(world: World, setup: dict[str, Any]) -> None:
    applicant: Applicant = setup["applicant"]
    d = setup["declaration"]
    response = world.client.put(
        f"/api/v1/declarations/{d}/sections/performance",
        content=b"x" * 100,
        headers={**applicant.headers, "content-type": "application/json", "content-length": str(60 * 1024 * 1024)},
    )
    assert response.status_code == 413 and response.json()["errors"][0]["message"] == message("body_too_large")


def test_a_streamed_upload_past_the_request_limit_is_a_413_in_chinese(world: World, setup: dict[str, Any]) -> None:
    """No Content-Length (chunked): the body is counted as it arrives, and the upload's form
    reader passes the 413 on rather than calling it a malformed form."""
    applicant: Applicant = setup["applicant"]
    limit = int(world.svc.bundle.platform["uploads"]["max_request_mb"]) * 1024 * 1024
    boundary = "zc-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="section_id"\r\n\r\neducation\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()

    def chunks() -> Any:
        yield head + b"%PDF-1.4\n"
        piece = b"0" * (1024 * 1024)
        for _ in range(limit // len(piece) + 2):
            yield piece

    before = world.dump()
    response = applicant.client.post(
        f"/api/v1/declarations/{setup['declaration']}/attachments",
        content=chunks(),
        headers={**applicant.headers, "content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 413, response.text
    error = response.json()["errors"][0]  # the file's own limit or the request's, said in Chinese
    assert error["code"] in ("file_too_large", "body_too_large") and re.search("[\u4e00-\u9fff]", error["message"])
    assert world.dump() == before


def _upload(applicant: Applicant, declaration_id: str, data: dict[str, str], files: Any) -> Any:
    return applicant.post(f"/api/v1/declarations/{declaration_id}/attachments", data=data, files=files)


def test_bad_uploads_are_refused_and_nothing_is_stored(world: World, setup: dict[str, Any]) -> None:
    applicant: Applicant = setup["applicant"]
    d = setup["declaration"]
    good = {"section_id": "education", "kind": "verification"}
    cases: list[tuple[str, dict[str, str], Any, int]] = [
        ("an ELF executable named .pdf", good, {"file": ("论文.pdf", ELF, "application/pdf")}, 415),
        ("an MZ executable named .pdf", good, {"file": ("证书.pdf", MZ, "application/pdf")}, 415),
        ("a script", good, {"file": ("a.pdf", b"#!/bin/sh\nrm -rf /\n", "application/pdf")}, 415),
        ("html", good, {"file": ("a.png", b"<html><script>alert(1)</script>", "image/png")}, 415),
        ("an empty file", good, {"file": ("a.pdf", b"", "application/pdf")}, 422),
        ("too big", good, {"file": ("a.pdf", PDF + b"0" * (10 * 1024 * 1024), "application/pdf")}, 413),
        ("no file", good, None, 422),
        ("no kind", {"section_id": "education"}, {"file": ("a.pdf", PDF, "application/pdf")}, 422),
        ("unknown kind", {**good, "kind": "passport"}, {"file": ("a.pdf", PDF, "application/pdf")}, 422),
        ("unknown section", {**good, "section_id": "../../etc"}, {"file": ("a.pdf", PDF, "application/pdf")}, 404),
        ("a row for a section upload", {**good, "row": "0"}, {"file": ("a.pdf", PDF, "application/pdf")}, 422),
        (
            "a row that is not a number",
            {"section_id": "achievements", "kind": "proof", "row": "-1"},
            {"file": ("a.pdf", PDF, "application/pdf")},
            422,
        ),
        (
            "a row in digits int() refuses",
            {"section_id": "achievements", "kind": "proof", "row": "²"},
            {"file": ("a.pdf", PDF, "application/pdf")},
            422,
        ),
        (
            "a huge row",
            {"section_id": "achievements", "kind": "proof", "row": "99999"},
            {"file": ("a.pdf", PDF, "application/pdf")},
            422,
        ),
        ("21 files at once", good, [("file", ("a.pdf", PDF, "application/pdf"))] * 21, 400),
    ]
    before = world.dump()
    for name, data, files, status in cases:
        response = _upload(applicant, d, data, files)
        assert response.status_code == status, (name, response.status_code, response.text[:200])
        _assert_clear_4xx(response, name)
    json_body = applicant.post(f"/api/v1/declarations/{d}/attachments", json={"section_id": "education"})
    _assert_clear_4xx(json_body, "json instead of multipart")
    garbage = world.client.post(
        f"/api/v1/declarations/{d}/attachments",
        content=b'--xx\r\nContent-Disposition: form-data; name="a"\r\n\r\nb',
        headers={**applicant.headers, "content-type": "multipart/form-data; boundary=xx"},
    )
    _assert_clear_4xx(garbage, "truncated multipart")
    assert world.dump() == before
    stored = list((world.data_dir / "files").rglob("*")) if (world.data_dir / "files").exists() else []
    assert not [p for p in stored if p.is_file() and p.read_bytes().startswith((b"\x7fELF", b"MZ"))]


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32\\cmd.pdf", "cmd.pdf"),
        ("/abs/path/证书.pdf", "证书.pdf"),
        ("a\r\nContent-Type: text/html\r\n.pdf", None),
        ("长" * 300 + ".pdf", None),
        ("evil.exe", "evil.pdf"),
        ("....", "file.pdf"),
    ],
)
def test_a_path_like_or_overlong_file_name_is_cleaned(
    world: World, setup: dict[str, Any], name: str, shown: str | None
) -> None:
    applicant: Applicant = setup["applicant"]
    response = _upload(
        applicant,
        setup["declaration"],
        {"section_id": "education", "kind": "verification"},
        {"file": (name, PDF, "application/pdf")},
    )
    assert response.status_code == 201, response.text
    row = world.one("SELECT * FROM attachments WHERE id = ?", (response.json()["attachment_id"],))
    assert "/" not in row["filename"] and "\\" not in row["filename"] and "\n" not in row["filename"]
    assert len(row["filename"]) <= 100 and row["filename"].endswith(".pdf")
    if shown:
        assert row["filename"] == shown
    download = applicant.get(f"/api/v1/attachments/{row['id']}")
    assert download.status_code == 200
    assert "\n" not in download.headers["content-disposition"]
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["x-content-type-options"] == "nosniff"
    stored = world.data_dir / "files" / row["sha256"][:2] / row["sha256"]
    assert stored.read_bytes() == PDF


def test_a_file_name_too_long_for_a_header_is_refused(world: World, setup: dict[str, Any]) -> None:
    before = world.dump()
    response = _upload(
        setup["applicant"],
        setup["declaration"],
        {"section_id": "education", "kind": "verification"},
        {"file": ("x" * 20000 + ".pdf", PDF, "application/pdf")},
    )
    _assert_clear_4xx(response, "a 20000-character file name")
    assert world.dump() == before


def test_a_per_row_upload_remembers_its_row(world: World, setup: dict[str, Any]) -> None:
    applicant: Applicant = setup["applicant"]
    response = _upload(
        applicant,
        setup["declaration"],
        {"section_id": "achievements", "kind": "proof", "row": "0"},
        {"file": ("论文.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "image/png")},
    )
    assert response.status_code == 201
    row = world.one("SELECT row_id, media_type, filename FROM attachments")
    shown = applicant.get(f"/api/v1/declarations/{setup['declaration']}").json()
    first = shown["sections"]["achievements"]["rows"][0]["row_id"]
    assert row == {"row_id": first, "media_type": "image/png", "filename": "论文.png"}  # the row's id, not a number
    assert [(a["row_id"], a["row"]) for a in shown["attachments"]] == [(first, 0)]


def test_the_number_of_files_per_kind_is_limited(world: World, setup: dict[str, Any]) -> None:
    applicant: Applicant = setup["applicant"]
    good = {"section_id": "admin_post", "kind": "part_time_approval"}  # at most 2
    statuses = [
        _upload(
            applicant, setup["declaration"], good, {"file": (f"{i}.pdf", PDF + bytes([i]), "application/pdf")}
        ).status_code
        for i in range(3)
    ]
    assert statuses == [201, 201, 409]


# -- pages: CSRF, Origin, strict form decoding --------------------------------------------


def _logged_in_page_client(world: World, setup: dict[str, Any]) -> tuple[Any, str]:
    client = world.page_client()
    world.page_login(client, setup["applicant"].doc["login_name"])
    return client, csrf_of(client.get("/declarations").text)


def _page_posts(setup: dict[str, Any]) -> list[str]:
    d = setup["declaration"]
    return [
        "/login",
        "/register",
        "/register/confirm",
        "/recover",
        "/recover/reset",
        "/me",
        "/commitment",
        "/declarations/new",
        f"/declarations/{d}/sections/header",
        f"/declarations/{d}/sections/work_experience",
        f"/declarations/{d}/submit",
        "/logout",
    ]


def test_every_form_post_without_a_csrf_token_is_refused(world: World, setup: dict[str, Any]) -> None:
    client, _ = _logged_in_page_client(world, setup)
    before = world.dump()
    fields = {**person_doc(7), "account": "applicant1", "rank": "2/2", "agree": "yes", "mobile": "13805310001"}
    for path in _page_posts(setup):
        for token in (None, "forged-token-0123456789abcdef"):
            data = fields if token is None else {**fields, "csrf_token": token}
            response = client.post(path, data=data, follow_redirects=False)
            assert response.status_code == 403, (path, response.status_code)
            assert message("csrf_failed") in response.text
    upload = client.post(
        f"/declarations/{setup['declaration']}/attachments",
        data={"section_id": "education", "kind": "verification"},
        files={"file": ("a.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert upload.status_code == 403
    assert world.dump() == before
    assert client.get("/declarations").status_code == 200  # still logged in: /logout was refused too


def test_a_form_post_from_another_origin_is_refused_even_with_the_token(world: World, setup: dict[str, Any]) -> None:
    client, token = _logged_in_page_client(world, setup)
    before = world.dump()
    for path in _page_posts(setup):
        response = client.post(
            path, data={"csrf_token": token, "rank": "2/2"}, headers={"origin": "https://evil.example"}
        )
        assert response.status_code == 403, path
    assert world.dump() == before
    same = client.post(
        f"/declarations/{setup['declaration']}/sections/admin_post",
        data={"csrf_token": token, "post": "无"},
        headers={"origin": "http://testserver"},
    )
    assert same.status_code == 200


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("percent-encoded invalid utf-8", b"rank=%ff%fe"),
        ("raw invalid utf-8", b"rank=\xff\xfe"),
        ("a NUL character", b"rank=a%00b"),
        ("thousands of rows", "&".join(f"rows.{i}.start=2010.01" for i in range(5000)).encode()),
    ],
)
def test_bad_form_bodies_are_refused_and_nothing_is_saved(
    world: World, setup: dict[str, Any], name: str, body: bytes
) -> None:
    client, token = _logged_in_page_client(world, setup)
    before = world.dump()
    for section in ("header", "work_experience"):
        response = client.post(
            f"/declarations/{setup['declaration']}/sections/{section}",
            content=b"csrf_token=" + token.encode() + b"&" + body,
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        _assert_clear_4xx(response, name)
    assert world.dump() == before


def test_too_many_rows_in_a_form_within_the_field_limit_are_refused(world: World, setup: dict[str, Any]) -> None:
    client, token = _logged_in_page_client(world, setup)
    before = world.dump()
    rows = {f"rows.{i}.start": "2010.01" for i in range(200)}
    response = client.post(
        f"/declarations/{setup['declaration']}/sections/work_experience", data={"csrf_token": token, **rows}
    )
    assert response.status_code == 422 and "行数过多" in response.text
    assert world.dump() == before


def test_a_multipart_body_where_a_form_is_expected_is_refused(world: World, setup: dict[str, Any]) -> None:
    client, token = _logged_in_page_client(world, setup)
    response = client.post(
        f"/declarations/{setup['declaration']}/sections/header",
        data={"csrf_token": token},
        files={"file": ("a.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 415


# -- hypothesis: arbitrary JSON never breaks a section save --------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
FIELDS = st.sampled_from(["rank", "level", "rows", "full_time", "basis", "post", "x", "unit", "professional_years"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    section=st.sampled_from(["header", "education", "work_experience", "achievements", "admin_post"]),
    document=st.dictionaries(FIELDS, JSON_VALUES, max_size=5) | JSON_VALUES,
)
def test_arbitrary_json_gets_a_2xx_or_a_4xx_never_a_500(
    world: World, setup: dict[str, Any], section: str, document: Any
) -> None:
    applicant: Applicant = setup["applicant"]
    response = applicant.put(
        f"/api/v1/declarations/{setup['declaration']}/sections/{section}?draft=true",
        content=json.dumps(document).encode(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code < 500, (document, response.text[:300])
    if response.status_code >= 400:
        assert CHINESE.search(response.json()["errors"][0]["message"])


def test_the_password_never_appears_in_any_response(world: World, setup: dict[str, Any]) -> None:
    applicant: Applicant = setup["applicant"]
    assert PASSWORD not in applicant.get("/api/v1/me").text
    assert PASSWORD not in applicant.get(f"/api/v1/declarations/{setup['declaration']}").text
