"""A process that turns print HTML into PDF: `python -m runtime.documents.print_worker --memory-mb N`.

The server keeps a few of these (runtime/pdf.py, WorkerPool) so that a layout runs beside
the event loop on its own core, under an address-space limit, and can be killed when it
runs past its time. Jobs come on stdin and answers go to stdout, each a frame:

    job:    header (JSON: assets_dir, full_fonts) + HTML (UTF-8)
    answer: header (JSON: ok, error, rss_mib, cpu_s: the job's CPU seconds, asked: the
            URLs asked for, logged: the warnings WeasyPrint logged, which the server
            logs again) + PDF bytes

A frame part is an 8-byte big-endian length and that many bytes. The worker loads
WeasyPrint and the fonts before the first job and then freezes what it loaded out of the
garbage collector's sight, so that collections during a layout only walk the layout's own
objects (in a server process, full collections over the app's heap cost a quarter of a
layout's time). It leaves after a MemoryError: its heap may be in any state.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import resource
import sys
import time
from pathlib import Path
from typing import IO, Any

from runtime.documents.print_protocol import read_part, write_frame


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def limit_memory(megabytes: int) -> None:
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


class Kept(logging.Handler):
    """Warnings of the job at hand, to send back with its answer."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[list[Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.records) < 50:
            self.records.append([record.name, record.levelno, record.getMessage()[:500]])


def serve(source: IO[bytes], sink: IO[bytes], fonts: Any) -> int:
    from runtime.documents.pdf import render_pdf

    kept = Kept()
    logging.getLogger().addHandler(kept)
    while True:
        header = read_part(source)
        html = read_part(source)
        if header is None or html is None:
            return 0
        job = json.loads(header)
        asked: list[str] = []
        kept.records = []
        started = time.process_time()
        answer: dict[str, Any]
        try:
            assets = Path(job["assets_dir"])
            pdf = render_pdf(html.decode(), assets, full_fonts=job["full_fonts"], fonts=fonts, asked=asked)
            answer = {"ok": True}
        except MemoryError:
            pdf, answer = b"", {"ok": False, "error": "memory"}
        except Exception as exc:  # reported to the server, which logs it and answers 503
            pdf, answer = b"", {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:500]}
        answer["rss_mib"] = round(peak_rss_mib(), 1)
        answer["cpu_s"] = round(time.process_time() - started, 4)
        answer["asked"] = asked[:100]
        answer["logged"] = kept.records
        write_frame(sink, json.dumps(answer).encode(), pdf)
        if answer.get("error") == "memory":
            return 3


def warm_up() -> Any:
    """Load WeasyPrint, find the fonts and open them once, while no document waits."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    HTML(string="<p>\u5b57</p>").write_pdf(font_config=fonts)  # a CJK character: fontconfig and a CJK face
    return fonts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m runtime.documents.print_worker", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--memory-mb", type=int, default=0, help="address-space limit; 0 for none")
    args = parser.parse_args(argv)
    fonts = warm_up()  # before the limit, which is for documents
    gc.freeze()
    limit_memory(args.memory_mb)
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever a library prints goes to stderr, never into an answer
    sys.stdout = sys.stderr
    return serve(sys.stdin.buffer, answers, fonts)


if __name__ == "__main__":
    sys.exit(main())
