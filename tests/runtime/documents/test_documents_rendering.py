"""Rendering machinery: off the event loop, within a time limit, warning at start about slow
font subsetting; the text grid that prints long overviews; generated column widths."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import anyio
import pytest
from documents_helpers import ROOT, World, full_sections
from hypothesis import given, settings
from hypothesis import strategies as st
from runtime_support import message

from generator.emit import print_templates
from runtime.documents import pdf, text_grid
from runtime.documents.pdf import Printer, RenderTimeout


def test_a_render_runs_in_a_worker_thread_while_the_event_loop_keeps_serving() -> None:
    printer = Printer(ROOT / "build")
    ticks: list[float] = []

    async def main() -> None:
        async def ticker() -> None:
            while True:
                ticks.append(time.monotonic())
                await anyio.sleep(0.01)

        async with anyio.create_task_group() as group:
            group.start_soon(ticker)
            await printer.run(time.sleep, 0.4)  # a blocking render stands in for WeasyPrint
            group.cancel_scope.cancel()

    anyio.run(main)
    assert len(ticks) >= 15


def test_a_render_over_the_time_limit_gives_up() -> None:
    printer = Printer(ROOT / "build", timeout=0.1)

    async def main() -> None:
        await printer.run(time.sleep, 2)

    started = time.monotonic()
    with pytest.raises(RenderTimeout):
        anyio.run(main)
    assert time.monotonic() - started < 1.5


def test_a_document_over_the_time_limit_is_a_503_with_a_chinese_message(
    world: World, unit: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = world.person()
    declaration = world.declaration(person, full_sections(unit), chain=[unit], holder=unit, reached=0)
    printer = world.client.app.state.services.extras["printer"]  # type: ignore[attr-defined]
    monkeypatch.setattr(printer, "timeout", 0.05)  # no real review form is made this fast
    response = world.client.get(f"/api/v1/declarations/{declaration}/review-form.pdf", headers=world.bearer(person))
    assert response.status_code == 503
    assert response.json()["errors"][0]["message"] == message("render_timeout")
    monkeypatch.setattr(printer, "timeout", pdf.RENDER_SECONDS)
    again = world.client.get(f"/api/v1/declarations/{declaration}/review-form.pdf", headers=world.bearer(person))
    assert again.status_code == 200 and again.content.startswith(b"%PDF")


def test_a_document_that_runs_out_of_memory_is_a_503_with_a_chinese_message(
    world: World, unit: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = world.person()
    declaration = world.declaration(person, full_sections(unit), chain=[unit], holder=unit, reached=0)
    services = world.client.app.state.services  # type: ignore[attr-defined]
    small = Printer(ROOT / "build", memory_mb=400)
    services.extras["printer"] = small
    monkeypatch.setattr(small, "html", lambda template, context: "<p>" + "字" * 100_000_000 + "</p>")
    # past the print budget (refused before layout, issue 13) so that the layout itself fails
    monkeypatch.setitem(services.bundle.platform["limits"], "print_max_kb", 10**9)
    response = world.client.get(f"/api/v1/declarations/{declaration}/review-form.pdf", headers=world.bearer(person))
    assert response.status_code == 503
    assert response.json()["errors"][0]["message"] == message("render_failed")


# -- print worker processes -------------------------------------------------------------------


def test_a_pdf_is_laid_out_in_another_process_while_the_event_loop_keeps_serving() -> None:
    printer = Printer(ROOT / "build")
    rows = "".join(f"<tr><td>{i}</td><td>第{i}行</td></tr>" for i in range(400))
    ticks: list[float] = []
    made: list[bytes] = []

    async def main() -> None:
        async def ticker() -> None:
            while True:
                ticks.append(time.monotonic())
                await anyio.sleep(0.01)

        async with anyio.create_task_group() as group:
            group.start_soon(ticker)
            started = time.monotonic()
            made.append(await printer.run(printer.html_to_pdf, f"<table>{rows}</table>"))
            made.append(str(time.monotonic() - started).encode())
            group.cancel_scope.cancel()

    anyio.run(main)
    seconds = float(made[1])
    assert made[0].startswith(b"%PDF")
    assert len(ticks) >= seconds / 0.01 * 0.5  # the loop ticked through the layout
    workers = printer.pool._idle
    assert workers and all(w.process.pid != os.getpid() and w.alive() for w in workers)


def test_a_worker_past_the_time_limit_is_killed_and_the_next_document_gets_a_new_one() -> None:
    printer = Printer(ROOT / "build")
    printer.html_to_pdf("<p>热身</p>")
    (worker,) = printer.pool._idle[-1:]
    rows = "".join(f"<tr><td>{i}</td><td>第{i}行</td><td>威海市</td></tr>" for i in range(3000))
    started = time.monotonic()
    with pytest.raises(RenderTimeout):
        printer.html_to_pdf(f"<table>{rows}</table>", seconds=0.3)
    assert time.monotonic() - started < 3
    assert not worker.alive()
    assert worker not in printer.pool._idle
    assert printer.html_to_pdf("<p>下一份</p>").startswith(b"%PDF")


def test_a_worker_killed_while_idle_is_replaced_and_documents_render_side_by_side() -> None:
    import signal

    printer = Printer(ROOT / "build", memory_mb=1900)  # a pool of its own, to count its workers
    printer.html_to_pdf("<p>热身</p>")
    (idle,) = printer.pool._idle
    os.kill(idle.process.pid, signal.SIGKILL)  # as the kernel's OOM killer would
    idle.process.wait()

    async def three() -> list[bytes]:
        made: list[bytes] = []

        async def one(i: int) -> None:
            made.append(await printer.pdf("print/review_form.html", {"title": f"第{i}份", "sections": []}))

        async with anyio.create_task_group() as group:
            for i in range(3):
                group.start_soon(one, i)
        return made

    made = anyio.run(three)
    assert len(made) == 3 and all(pdf.startswith(b"%PDF") for pdf in made)
    assert idle not in printer.pool._idle
    assert 1 <= len(printer.pool._idle) <= 2  # never more workers than slots


def test_workers_run_under_the_memory_limit_and_one_that_exceeds_it_leaves() -> None:
    printer = Printer(ROOT / "build", memory_mb=400)
    printer.html_to_pdf("<p>热身</p>")
    worker = printer.pool._idle[-1]
    limits = Path(f"/proc/{worker.process.pid}/limits").read_text()
    address_space = next(line for line in limits.splitlines() if line.startswith("Max address space"))
    assert address_space.split()[3] == str(400 * 1024 * 1024)
    with pytest.raises(pdf.RenderFailed) as failed:
        printer.html_to_pdf("<p>" + "字" * 100_000_000 + "</p>")
    assert not isinstance(failed.value, RenderTimeout)
    assert not worker.alive()
    assert printer.html_to_pdf("<p>内存恢复</p>").startswith(b"%PDF")


def test_the_runtime_warns_at_start_when_harfbuzz_subsetting_is_missing(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from weasyprint.text import ffi

    pdf.check_environment.cache_clear()
    monkeypatch.setattr(ffi, "harfbuzz_subset", None)
    with caplog.at_level(logging.WARNING, logger="runtime.documents.pdf"):
        problems = pdf.check_environment()
    pdf.check_environment.cache_clear()
    assert problems and "libharfbuzz-subset0" in problems[0]
    assert any("libharfbuzz-subset0" in r.getMessage() for r in caplog.records)


def test_this_machine_has_harfbuzz_subsetting_and_a_cjk_font() -> None:
    pdf.check_environment.cache_clear()
    assert pdf.check_environment() == []


def test_the_app_checks_the_environment_when_it_starts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from runtime.app import create_app

    seen: list[bool] = []
    monkeypatch.setattr(pdf, "check_environment", lambda: seen.append(True) or [])
    app = create_app(ROOT / "build", tmp_path / "data")
    app.state.services.storage.close()
    assert seen == [True]


# -- the text grid of long overviews -------------------------------------------------------


def test_cjk_characters_are_two_units_and_latin_ones_one() -> None:
    assert text_grid.text_units("张三") == 4
    assert text_grid.text_units("2012.07") == 7
    assert text_grid.text_units("𠀀䶮") == 4
    assert text_grid.text_units("“中”") == 6


def test_a_title_wraps_into_even_lines() -> None:
    assert text_grid.wrap("单位推荐排序", 10) == ["单位推荐排", "序"]
    assert text_grid.balanced("单位推荐排序", 10) == ["单位推", "荐排序"]
    assert text_grid.balanced("单位推荐排序", 12) == ["单位推荐排序"]


def test_column_widths_fill_the_line_and_keep_titles_whole_when_they_can() -> None:
    units = text_grid.fit_units([1, 1, 8], 40, [6, 6, 6])
    assert sum(units) == 40 and min(units) >= 6
    squeezed = text_grid.fit_units([1, 1, 1], 12, [10, 10, 10])
    assert sum(squeezed) == 12 and min(squeezed) >= text_grid.MIN_UNITS


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.text(alphabet="张三李四威海市档案馆ab12/ .-𠀀", max_size=40), min_size=3, max_size=3),
        min_size=1,
        max_size=6,
    )
)
def test_grid_lines_never_pass_their_width_and_keep_every_character(rows: list[list[str]]) -> None:
    grid = text_grid.layout(["甲", "乙", "丙"], rows, [1, 2, 3], 30, 8.5)
    for composed, row in zip(grid.rows, rows, strict=True):
        lines = composed.split("\n")
        assert all(text_grid.text_units(line) <= 30 for line in lines)
        kept = "".join(composed.split())
        assert sorted(kept) == sorted("".join("".join(v.split()) for v in row))


# -- generated column widths of rows tables ---------------------------------------------------


def test_dates_get_room_for_themselves_and_text_shares_the_rest() -> None:
    date = {"id": "start", "format": "year-month", "type": "text"}
    text = {"id": "summary", "widget": "textarea", "type": "textarea", "maxLength": 500}
    widths = print_templates.column_widths([date, date, text])
    assert abs(sum(widths) - 100) < 0.5
    _number, start, end, summary = widths
    assert start == end and summary > 3 * start
    assert start * print_templates.TABLE_EMS / 100 >= print_templates.DATE_EMS - 0.1
