"""PDF rendering on this machine: the review form of a full declaration (goal ≤ 0.5 s), a
certificate (≤ 0.2 s) and an overview of 500 rows (≤ 2 s), each next to naive baselines
rendered in the same run:

- naive: the review form with the browser-style automatic table layout (no column
  widths: every cell measured twice); the certificate with its fonts embedded whole
  (no subsetting); the overview as a plain HTML table, one box per cell, instead of
  the text grid (runtime/text_grid.py);
- no HarfBuzz: the same document with fonts subset by fontTools, what a machine without
  libharfbuzz-subset0 does (the runtime warns about it at start);
- in-thread: the same document laid out in this process, as the runtime did before it
  had print workers (this process holds the app and its data, like a server).

Prints figures, asserts nothing:  .venv/bin/python bench/bench_pdf.py [--runs N]
Time is the median wall time of the PDF step as the app runs it (HTML handed to a print
worker process, PDF bytes back; gathering the data is shown apart); cpu is the median CPU
time the worker spent on it, which a virtual machine's stolen time inflates less than
wall time; memory is the print worker's peak RSS (fonts, Pango and HarfBuzz included) and
this process's at the end. Other processes on the machine slow every figure alike;
compare within one run.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "runtime"))
sys.path.insert(0, str(ROOT / "tests" / "runtime" / "documents"))

from documents_helpers import ID_NUMBER, NOW, UNIT_NAME, World, full_sections  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from runtime.app import create_app  # noqa: E402
from runtime.clock import Clock  # noqa: E402
from runtime.documents import documents, overview  # noqa: E402
from runtime.documents.pdf import Printer, render_pdf  # noqa: E402

NAIVE_CSS = "<style>table { table-layout: auto !important; } col { width: auto !important; }</style></head>"
RARE, RARE_LATE = "\U00020000", "\U0002a6d6"
GOALS = {"review form": 0.5, "certificate": 0.2, "overview 500 rows": 2.0}


def seed(world: World) -> tuple[str, str, str]:
    unit = world.org(UNIT_NAME)
    committee = world.org("威海市档案局", kinds=("department",))
    person = world.person(id_number=ID_NUMBER)
    sections = full_sections(unit)
    full = world.declaration(person, sections, chain=[unit, committee], state="approved", certificate_no="WH2026B1")
    world.attachment(full, "education", "verification", "学历验证报告.pdf")
    for i in range(500):
        someone = world.person(name=f"李{i}号")
        header = {**sections["header"], "rank": f"{i + 1}/500"}
        world.declaration(someone, {"header": header}, chain=[unit, committee], holder=unit, reached=0)
    return full, unit, world.org_account(unit)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def naive_seconds(printer: Printer, name: str, template: str, context: dict[str, Any], html: str) -> float:
    if name == "certificate":
        whole = Printer(ROOT / "build", subset_fonts=False)
        return median_seconds(lambda: whole.html_to_pdf(html), 1, warm=False)
    if name.startswith("overview"):
        plain = printer.html(template, {k: v for k, v in context.items() if k != "grid"})
        return median_seconds(lambda: printer.html_to_pdf(plain), 1, warm=False)
    auto = html.replace("</head>", NAIVE_CSS, 1)
    return median_seconds(lambda: printer.html_to_pdf(auto), 1, warm=False)


def median_seconds(work: Callable[[], Any], runs: int, *, warm: bool = True) -> float:
    clock = time.perf_counter
    if warm:
        work()  # fonts found and loaded once per process
    times = []
    for _ in range(runs):
        started = clock()
        work()
        times.append(clock() - started)
    return statistics.median(times)


@contextlib.contextmanager
def without_harfbuzz_subset() -> Iterator[None]:
    from weasyprint.pdf import fonts

    kept = fonts.harfbuzz_subset
    fonts.harfbuzz_subset = None
    try:
        yield
    finally:
        fonts.harfbuzz_subset = kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_pdf_"))
    clock = Clock(8)
    clock.freeze(NOW)
    app = create_app(ROOT / "build", tmp / "data", clock=clock)
    svc = app.state.services
    world = World(client=None, db_path=tmp / "data" / "zhicheng.sqlite3")  # type: ignore[arg-type]
    full_id, _, reviewer_id = seed(world)
    printer: Printer = svc.extras["printer"]
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    declaration = svc.storage.one("SELECT * FROM declarations WHERE id = ?", (full_id,))
    reviewer = svc.storage.one("SELECT * FROM accounts WHERE id = ?", (reviewer_id,))

    cases = {
        "review form": ("print/review_form.html", lambda: documents.review_form(svc, declaration)),
        "certificate": (
            "print/certificate.html",
            lambda: documents.certificate(svc, declaration, "https://zc.example/verify/WH2026B1"),
        ),
        "overview 500 rows": (
            "print/overview.html",
            lambda: overview.overview_grid(overview.overview(svc, reviewer, "档案", "中级")),
        ),
    }
    naive_notes = {
        "review form": "automatic table layout",
        "certificate": "fonts embedded whole",
        "overview 500 rows": "one box per cell",
    }
    print(f"bench_pdf: median of {args.runs} runs after one warm-up (baselines: 1 run); load {load()}\n")
    header = f"{'document':<19}{'pages':>6}{'time':>9}{'cpu':>8}{'goal':>7}{'worker RSS':>12}"
    header += f"{'naive':>10}{'ratio':>8}{'no HarfBuzz':>13}{'ratio':>8}{'in-thread':>11}{'ratio':>8}"
    print(header)
    for name, (template, build) in cases.items():
        started = time.perf_counter()
        context = build()
        gather = time.perf_counter() - started
        html = printer.html(template, context)
        pdf = printer.html_to_pdf(html)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        cpu: list[float] = []

        def timed(html: str = html, cpu: list[float] = cpu) -> None:
            printer.html_to_pdf(html)
            cpu.append(printer.pool.last_cpu_s)

        ours = median_seconds(timed, args.runs)
        ours_cpu = statistics.median(cpu[1:])  # the warm-up run left out, as for the time
        memory = printer.pool.last_rss_mib
        naive = naive_seconds(printer, name, template, context, html)
        here = median_seconds(lambda html=html: render_pdf(html, printer.assets_dir, fonts=fonts), args.runs)
        with without_harfbuzz_subset():
            slow_fonts = median_seconds(lambda html=html: render_pdf(html, printer.assets_dir, fonts=fonts), 1)
        print(
            f"{name:<19}{pages:>6}{ours:>8.3f}s{ours_cpu:>7.3f}s{GOALS[name]:>6.1f}s{memory:>8.0f} MiB"
            f"{naive:>9.3f}s{naive / ours:>7.1f}x{slow_fonts:>12.3f}s{slow_fonts / ours:>7.1f}x"
            f"{here:>10.3f}s{here / ours:>7.1f}x   (data {gather * 1000:.0f} ms; naive = {naive_notes[name]})"
        )
        if name == "review form":
            late = html.replace(RARE, RARE_LATE)
            rare = median_seconds(lambda late=late: printer.html_to_pdf(late), args.runs)
            print(f"  the name's rare character {RARE_LATE} (U+{ord(RARE_LATE):X}, last of extension B) instead of")
            print(f"  {RARE} (U+{ord(RARE):X}): {rare:.3f}s, {rare / ours:.2f}x (a larger font subset)")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of this process (the app, its data and the in-thread renders): {rss:.0f} MiB")
    svc.storage.close()


if __name__ == "__main__":
    main()
