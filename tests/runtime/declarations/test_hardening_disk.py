"""Issue 13, finding 8: a full or read-only data directory gives clear 503 answers, leaves
nothing half-written (no .part file, no row), and start-up names the directory and the cause
in one line. Real file systems: a small tmpfs mounted for the test (root only; skipped
elsewhere), and a data directory under a regular file."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from applicant_helpers import World
from runtime_support import ROOT, frozen_clock
from starlette.testclient import TestClient

from runtime.__main__ import main
from runtime.app import create_app

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def mount(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs: large enough for the database, small enough to fill."""
    point = tmp_path / "disk"
    point.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(point)]).returncode:
        pytest.skip("mounting a small file system needs root")
    yield point
    subprocess.run(["mount", "-o", "remount,rw", str(point)], check=False)
    subprocess.run(["umount", "-l", str(point)], check=True)


@pytest.fixture
def on_disk(mount: Path) -> Iterator[World]:
    data = mount / "data"
    clock = frozen_clock()
    app = create_app(ROOT / "build", data, dev=True, clock=clock)
    with TestClient(app, base_url="http://testserver") as client:
        yield World(client, clock, data)
    app.state.services.storage.close()


def _fill(mount: Path) -> Path:
    filler = mount / "filler"
    with filler.open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    return filler


def _message(world: World) -> str:
    return str(world.client.app.state.services.bundle.text("storage_unavailable"))  # type: ignore[attr-defined]


def test_an_upload_to_a_full_disk_gets_503_and_leaves_no_part_file(on_disk: World, mount: Path) -> None:
    person = on_disk.applicant()
    declaration_id = person.new_declaration()
    filler = _fill(mount)
    big = PDF + b"0" * (512 * 1024)
    response = person.post(
        f"/api/v1/declarations/{declaration_id}/attachments",
        data={"section_id": "education", "kind": "verification"},
        files={"file": ("a.pdf", big, "application/pdf")},
    )
    assert response.status_code == 503
    assert response.json()["errors"][0]["message"] == _message(on_disk)
    assert not list((on_disk.data_dir / "files").rglob("*.part"))
    filler.unlink()
    assert on_disk.one("SELECT COUNT(*) AS n FROM attachments")["n"] == 0
    again = person.post(
        f"/api/v1/declarations/{declaration_id}/attachments",
        data={"section_id": "education", "kind": "verification"},
        files={"file": ("a.pdf", big, "application/pdf")},
    )
    assert again.status_code == 201


def test_a_full_disk_answers_503_with_a_message_and_changes_nothing(on_disk: World, mount: Path) -> None:
    person = on_disk.applicant()
    declaration_id = person.new_declaration()
    before = person.get(f"/api/v1/declarations/{declaration_id}").json()["sections"]
    filler = _fill(mount)
    # enough rows to need new database pages, which a full disk cannot give
    form = on_disk.client.app.state.services.bundle.sections["declaration"]["achievements"]  # type: ignore[attr-defined]
    row = {d["id"]: "字" * d["maxLength"] for d in form.rows["fields"] if d.get("maxLength")}
    saved = person.put(
        f"/api/v1/declarations/{declaration_id}/sections/achievements?draft=true",
        json={"rows": [row] * form.rows["max"]},
    )
    assert saved.status_code == 503 and saved.json()["errors"][0]["code"] == "storage_unavailable"
    page = on_disk.client.get("/login")
    assert page.status_code in (200, 503) and (page.status_code == 200 or _message(on_disk) in page.text)
    filler.unlink()
    assert person.get(f"/api/v1/declarations/{declaration_id}").json()["sections"] == before


def _start(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(
        ["--build", str(ROOT / "build"), "--schemas", str(ROOT / "schemas"), "seed-demo", "--data-dir", str(data_dir)]
    )
    return code, [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def test_start_up_on_a_read_only_directory_says_which_and_why_in_one_line(
    mount: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (mount / "data").mkdir()
    subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
    code, lines = _start(mount / "data", capsys)
    assert code == 2 and len(lines) == 1
    assert str(mount / "data") in lines[0] and "Read-only file system" in lines[0]


def test_start_up_under_a_regular_file_says_which_and_why_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "plain").write_text("not a directory")
    code, lines = _start(tmp_path / "plain" / "data", capsys)
    assert code == 2 and len(lines) == 1
    assert str(tmp_path / "plain" / "data") in lines[0] and "Not a directory" in lines[0]
