"""Issue 13, finding 5: attachments. The audit uploaded proofs for rows 0-1000 whatever rows
existed, saw row 3's proof move under another achievement in the printed 评审表 after row 1 was
deleted, could not delete a file, and counted duplicates against the limit. Each attack again,
now refused or harmless; and what uploads leave behind is cleaned."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from applicant_helpers import Applicant, World, valid_sections
from runtime_support import csrf_of

from runtime.declarations import file_cleanup
from runtime.documents import documents

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _rows(count: int) -> list[dict[str, Any]]:
    """`count` distinct achievements in time order, from the valid example row."""
    base = valid_sections("x")["achievements"]["rows"][0]
    return [{**base, "name": f"论文:《第{i + 1}篇》", "time": f"{2019 + i}.05"} for i in range(count)]


def _upload(applicant: Applicant, declaration_id: str, content: bytes, **fields: str) -> Any:
    data = {"section_id": "achievements", "kind": "proof", **fields}
    return applicant.post(
        f"/api/v1/declarations/{declaration_id}/attachments",
        data=data,
        files={"file": ("证明.pdf", content, "application/pdf")},
    )


def _shown(applicant: Applicant, declaration_id: str) -> dict[str, Any]:
    response = applicant.get(f"/api/v1/declarations/{declaration_id}")
    assert response.status_code == 200
    return dict(response.json())


def _row_ids(applicant: Applicant, declaration_id: str) -> list[str]:
    return [r["row_id"] for r in _shown(applicant, declaration_id)["sections"]["achievements"]["rows"]]


@pytest.fixture
def three(applicant: Applicant, filled: str) -> list[str]:
    """Three achievements in the filled declaration, one proof each (named by its row)."""
    assert applicant.save(filled, "achievements", {"rows": _rows(3)}).status_code == 200
    ids = _row_ids(applicant, filled)
    for number, row_id in enumerate(ids, start=1):
        response = _upload(applicant, filled, PDF + f"proof {number}".encode(), row_id=row_id)
        assert response.status_code == 201, response.text
    return ids


@contextmanager
def _policy(world: World, **limits: int) -> Iterator[None]:
    """Smaller upload quotas for one test, restored after (the policy's own numbers are larger)."""
    block = world.svc.bundle.platform["uploads"]
    before = dict(block)
    block.update(limits)
    try:
        yield
    finally:
        block.clear()
        block.update(before)


def test_an_upload_for_a_row_that_does_not_exist_is_refused(world: World, applicant: Applicant, filled: str) -> None:
    held = len(_row_ids(applicant, filled))
    before = world.one("SELECT COUNT(*) AS n FROM attachments")["n"]
    other_section = _shown(applicant, filled)["sections"]["work_experience"]["rows"][0]["row_id"]
    for fields in (
        {"row": str(held)},
        {"row": "1000"},
        {"row_id": "0" * 32},
        {"row_id": other_section},  # a real id, of another section's row
        {"row_id": "../../etc/passwd"},
    ):
        refused = _upload(applicant, filled, PDF, **fields)
        assert refused.status_code == 422, (fields, refused.text)
        assert refused.json()["errors"][0]["message"] == world.svc.bundle.text("upload_row_unknown")
    missing = _upload(applicant, filled, PDF)  # a per-row kind names its row
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["message"] == world.svc.bundle.text("upload_row_required")
    assert world.one("SELECT COUNT(*) AS n FROM attachments")["n"] == before


def test_deleting_a_row_leaves_every_other_proof_under_its_own_row(
    world: World, applicant: Applicant, filled: str, three: list[str]
) -> None:
    rows = _shown(applicant, filled)["sections"]["achievements"]["rows"]
    assert applicant.save(filled, "achievements", {"rows": rows[1:]}).status_code == 200  # delete row 1
    shown = _shown(applicant, filled)
    assert [r["row_id"] for r in shown["sections"]["achievements"]["rows"]] == three[1:]
    proofs = [a for a in shown["attachments"] if a["section_id"] == "achievements"]
    assert [(a["row_id"], a["row"]) for a in proofs] == [(three[1], 0), (three[2], 1)]
    contents = [applicant.get(f"/api/v1/attachments/{a['id']}").content for a in proofs]
    assert contents == [PDF + b"proof 2", PDF + b"proof 3"]  # row 3's proof did not move
    # the printed 评审表 names each proof's row as it is now, with the row's own name
    declaration = world.svc.storage.declaration(filled)
    printed = next(
        s for s in documents.review_form(world.svc, declaration)["sections"] if s["form"].id == "achievements"
    )
    listed = [(a["row"], a["row_label"]) for a in printed["attachments"]]
    assert [(row, "《第2篇》" in label, "《第3篇》" in label) for row, label in listed] == [
        (0, True, False),
        (1, False, True),
    ]


def test_reordered_rows_keep_their_proofs(world: World, applicant: Applicant, filled: str, three: list[str]) -> None:
    rows = _shown(applicant, filled)["sections"]["achievements"]["rows"]
    saved = applicant.put(f"/api/v1/declarations/{filled}/sections/achievements?draft=true", json={"rows": rows[::-1]})
    assert saved.status_code == 200
    proofs = {a["row_id"]: a["row"] for a in _shown(applicant, filled)["attachments"] if a["row_id"]}
    assert proofs == {three[2]: 0, three[1]: 1, three[0]: 2}


def test_a_client_cannot_invent_or_copy_a_row_id(
    world: World, applicant: Applicant, filled: str, three: list[str]
) -> None:
    rows = _shown(applicant, filled)["sections"]["achievements"]["rows"]
    forged = [
        {**rows[0]},
        {**rows[1], "row_id": rows[0]["row_id"]},  # a second row claiming the first one's proof
        {**rows[2], "row_id": "f" * 32},  # an id the section never held
    ]
    assert applicant.save(filled, "achievements", {"rows": forged}).status_code == 200
    ids = _row_ids(applicant, filled)
    assert ids[0] == three[0] and ids[1] not in three and ids[2] not in three and ids[2] != "f" * 32
    proofs = [(a["row_id"], a["row"]) for a in _shown(applicant, filled)["attachments"] if a["row_id"]]
    assert proofs == [(three[0], 0)]  # the others' proofs went with the rows their ids named


def test_removing_a_row_on_the_page_keeps_the_other_rows_proofs(
    world: World, applicant: Applicant, filled: str, three: list[str]
) -> None:
    client = world.page_client()
    world.page_login(client, applicant.doc["login_name"])
    url = f"/declarations/{filled}/sections/achievements"
    page = client.get(url)
    fields = dict(re.findall(r'name="(rows\.\d+\.[a-z_]+)"[^>]*value="([^"]*)"', page.text))
    assert fields["rows.2.row_id"] == three[2]
    removed = client.post(url, data={"csrf_token": csrf_of(page.text), **fields, "remove_row": "0"})
    assert removed.status_code in (200, 422)  # kept as a draft either way (the selects are not posted here)
    assert re.search(r"证明.pdf</a> \(第几行 2\)", removed.text)  # the third proof, now under row 2
    assert [a["row_id"] for a in _shown(applicant, filled)["attachments"] if a["row_id"]] == three[1:]


def test_an_attachment_is_deleted_while_editable_and_404_for_anyone_else(
    world: World, applicant: Applicant, filled: str, three: list[str]
) -> None:
    proofs = [a for a in _shown(applicant, filled)["attachments"] if a["row_id"]]
    stranger = world.applicant()
    unknown = stranger.client.delete("/api/v1/attachments/" + "0" * 32, headers=stranger.headers)
    theirs = stranger.client.delete(f"/api/v1/attachments/{proofs[0]['id']}", headers=stranger.headers)
    assert unknown.status_code == theirs.status_code == 404
    assert unknown.json()["errors"][0]["message"] == theirs.json()["errors"][0]["message"]
    gone = applicant.client.delete(f"/api/v1/attachments/{proofs[0]['id']}", headers=applicant.headers)
    assert gone.status_code == 204
    assert applicant.get(f"/api/v1/attachments/{proofs[0]['id']}").status_code == 404
    # the page: 删除 beside each file, with the form's CSRF token
    client = world.page_client()
    world.page_login(client, applicant.doc["login_name"])
    page = client.get(f"/declarations/{filled}/sections/achievements")
    assert f'action="/attachments/{proofs[1]["id"]}/delete"' in page.text
    forged = client.post(f"/attachments/{proofs[1]['id']}/delete", data={"csrf_token": "x"}, follow_redirects=False)
    assert forged.status_code == 403
    deleted = client.post(
        f"/attachments/{proofs[1]['id']}/delete", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert deleted.status_code == 303 and "deleted=1" in deleted.headers["location"]
    assert world.svc.bundle.text("file_deleted") in client.get(deleted.headers["location"]).text
    # submitted: nothing can be deleted any more
    assert applicant.post(f"/api/v1/declarations/{filled}/submit").status_code == 200
    late = applicant.client.delete(f"/api/v1/attachments/{proofs[2]['id']}", headers=applicant.headers)
    assert late.status_code == 409
    assert [a["id"] for a in _shown(applicant, filled)["attachments"] if a["row_id"]] == [proofs[2]["id"]]


def test_a_duplicate_is_refused_for_its_row_and_counts_once_for_the_declaration(
    world: World, applicant: Applicant, filled: str, three: list[str]
) -> None:
    again = _upload(applicant, filled, PDF + b"proof 1", row_id=three[0])
    assert again.status_code == 409
    assert again.json()["errors"][0]["message"] == world.svc.bundle.text("duplicate_file")
    assert again.json()["existing"] in {a["id"] for a in _shown(applicant, filled)["attachments"]}
    distinct = world.one("SELECT COUNT(DISTINCT sha256) AS n FROM attachments WHERE declaration_id = ?", (filled,))["n"]
    with _policy(world, declaration_max_files=distinct):
        # one certificate proving a second row: the same bytes, so no new file to count
        assert _upload(applicant, filled, PDF + b"proof 1", row_id=three[1]).status_code == 201
        full = _upload(applicant, filled, PDF + b"a new file", row_id=three[1])
        assert full.status_code == 409
        assert full.json()["errors"][0]["message"] == world.svc.bundle.text("declaration_files_full", limit=distinct)


def test_the_declaration_byte_quota_names_its_limit(world: World, applicant: Applicant, filled: str) -> None:
    assert applicant.save(filled, "achievements", {"rows": _rows(2)}).status_code == 200
    ids = _row_ids(applicant, filled)
    big = PDF + b"0" * (700 * 1024)
    with _policy(world, declaration_max_mb=1):
        assert _upload(applicant, filled, big, row_id=ids[0]).status_code == 201
        refused = _upload(applicant, filled, big + b"1", row_id=ids[1])
        assert refused.status_code == 409
        message = refused.json()["errors"][0]["message"]
        assert message.startswith(world.svc.bundle.text("declaration_bytes_full").split("{")[0] + "1MB")
        # the section page says the same, every number filled in
        client = world.page_client()
        world.page_login(client, applicant.doc["login_name"])
        page = client.get(f"/declarations/{filled}/sections/achievements")
        posted = client.post(
            f"/declarations/{filled}/attachments?section=achievements&kind=proof",
            data={"csrf_token": csrf_of(page.text), "section_id": "achievements", "kind": "proof", "row_id": ids[1]},
            files={"file": ("证明.pdf", big + b"1", "application/pdf")},
        )
        shown = re.search(r'id="upload-error">([^<]+)</p>', posted.text)
        assert shown and shown.group(1).startswith(message) and "{" not in shown.group(1)


def test_files_of_deleted_rows_and_aborted_uploads_are_cleaned(
    world: World, applicant: Applicant, filled: str, three: list[str]
) -> None:
    store = world.data_dir / "files"
    shas = [a["sha256"] for a in _shown(applicant, filled)["attachments"] if a["row_id"]]
    rows = _shown(applicant, filled)["sections"]["achievements"]["rows"]
    assert applicant.save(filled, "achievements", {"rows": rows[1:]}).status_code == 200  # row 1 and its proof go
    leftover = store / shas[1][:2] / f"{shas[1]}.123.deadbeef.part"  # a write that died
    leftover.write_bytes(b"half")
    grace = world.svc.bundle.platform["uploads"]["orphan_grace_minutes"] * 60
    young = file_cleanup.clean(world.svc)  # nothing is old enough yet
    assert young.files == young.partial == 0 and (store / shas[0][:2] / shas[0]).exists()
    done = file_cleanup.clean(world.svc, now=time.time() + grace + 1)
    assert (done.files, done.partial) == (1, 1)
    assert not (store / shas[0][:2] / shas[0]).exists() and not leftover.exists()
    for sha in shas[1:]:  # still proving their rows
        assert (store / sha[:2] / sha).exists()
    assert [a["row"] for a in _shown(applicant, filled)["attachments"] if a["row_id"]] == [0, 1]


def test_an_attachment_record_of_a_vanished_row_is_cleaned(
    world: World, applicant: Applicant, filled: str, three: list[str]
) -> None:
    """A save that raced an upload: the record names a row the section no longer holds. It is
    never shown, and clean-files removes it."""
    world.svc.storage.execute("UPDATE attachments SET row_id = ? WHERE row_id = ?", ("e" * 32, three[0]))
    assert len([a for a in _shown(applicant, filled)["attachments"] if a["row_id"]]) == 2
    assert file_cleanup.clean(world.svc).records == 1
    assert world.one("SELECT COUNT(*) AS n FROM attachments WHERE row_id = ?", ("e" * 32,))["n"] == 0


def test_rows_and_proofs_stored_before_row_ids_stay_together(
    world: World, applicant: Applicant, filled: str, three: list[str]
) -> None:
    """Migration 8: rows without an id read as `legacy<position>`, their files got the same id."""
    stored = world.one("SELECT data FROM sections WHERE declaration_id = ? AND section_id = 'achievements'", (filled,))[
        "data"
    ]
    world.svc.storage.execute(
        "UPDATE sections SET data = ? WHERE declaration_id = ? AND section_id = 'achievements'",
        (re.sub(r',?\s*"row_id":\s*"[0-9a-f]{32}"', "", stored), filled),
    )
    for position, row_id in enumerate(three):
        world.svc.storage.execute("UPDATE attachments SET row_id = ? WHERE row_id = ?", (f"legacy{position}", row_id))
    rows = _shown(applicant, filled)["sections"]["achievements"]["rows"]
    assert [r["row_id"] for r in rows] == ["legacy0", "legacy1", "legacy2"]
    assert applicant.save(filled, "achievements", {"rows": rows[1:]}).status_code == 200
    proofs = [(a["row_id"], a["row"]) for a in _shown(applicant, filled)["attachments"] if a["row_id"]]
    assert proofs == [("legacy1", 0), ("legacy2", 1)]
