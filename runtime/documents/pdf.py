"""PDFs with WeasyPrint, from print templates in build/ only, off the event loop.

Safety: documents are rendered from build/templates (Jinja, autoescaped), never from
HTML or CSS a user typed, and every resource WeasyPrint asks for goes through
PrintFetcher, which serves data: URLs and the app's own files under build/templates
(read from disk, `asset:` URLs) and refuses everything else: no file://, no
network, no redirects. Attachments (<link rel=attachment>) are resources like any
other, so none can be pulled in either.

Speed and limits: a layout runs in a print worker process (runtime/print_worker.py), so
it holds no lock of the server's and uses a core of its own; the event loop waits for it
in a thread. Each worker runs under an address-space limit and is killed when a document
takes longer than the time limit; a new one starts for the next document. At most
`slots` documents of a Printer render at once. Workers stay between documents with their
fonts loaded. Fonts are subset with HarfBuzz when libharfbuzz-subset is present
(fontTools otherwise, several times slower).
"""

from __future__ import annotations

import atexit
import functools
import json
import logging
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

import anyio
import anyio.to_thread
import jinja2
from markupsafe import Markup

from runtime.documents.print_protocol import read_part, write_frame
from runtime.documents.print_queue import OwnerGate, check_budget, owner_cap

log = logging.getLogger("runtime.documents.pdf")

ASSET_SCHEME = "asset"
ASSET_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".woff2": "font/woff2"}
RENDER_SECONDS = 60.0
RENDER_SLOTS = 2
RENDER_MEMORY_MB = 2048  # address space of one print worker, fonts and libraries included

T = TypeVar("T")


class RenderFailed(Exception):
    """A document could not be made (its worker ran out of memory or stopped); the caller answers 503."""


class RenderTimeout(RenderFailed):
    """A document took longer than the time limit; the caller answers 503."""


@functools.cache
def check_environment() -> list[str]:
    """Warn once, at start, about what makes PDFs slow or wrong on this machine."""
    problems: list[str] = []
    try:
        from weasyprint.text import ffi
    except (ImportError, OSError) as exc:  # Pango missing: PDFs cannot work at all
        problems.append(f"WeasyPrint cannot load ({exc}); install Pango (scripts/system-deps.sh)")
    else:
        if getattr(ffi, "harfbuzz_subset", None) is None:
            problems.append(
                "HarfBuzz subsetting (libharfbuzz-subset0) is missing: PDF fonts are subset with fontTools,"
                " several times slower; install it (scripts/system-deps.sh)"
            )
    problems += _font_problems()
    for problem in problems:
        log.warning(problem)
    return problems


def _font_problems() -> list[str]:
    """Fontconfig must know a Chinese font, and one for rare characters (CJK extension B)."""
    if shutil.which("fc-list") is None:
        return ["fc-list not found: cannot check the CJK fonts PDFs need (scripts/system-deps.sh)"]
    problems = []
    wanted = {
        ":lang=zh": "no Chinese font: PDFs print boxes; install fonts-noto-cjk (scripts/system-deps.sh)",
        ":charset=20000": "no font for rare characters (CJK extension B, e.g. in names): they print as boxes;"
        " install fonts-hanazono (scripts/system-deps.sh)",
    }
    for pattern, problem in wanted.items():
        try:
            found = subprocess.run(["fc-list", pattern, "family"], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            found = None
        if found is None or not found.stdout.strip():
            problems.append(problem)
    return problems


@functools.cache
def fetcher_class() -> type:
    """PrintFetcher, built on first use so that the app starts (and says why PDFs fail) even
    where WeasyPrint's system libraries are missing."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class PrintFetcher(URLFetcher):  # type: ignore[misc]
        """WeasyPrint's only way out: data: URLs and the app's own files, nothing else."""

        def __init__(self, assets_dir: Path, asked: list[str] | None = None) -> None:
            super().__init__(timeout=1, allowed_protocols=("data",), allow_redirects=False, fail_on_errors=False)
            self.assets_dir = assets_dir.resolve()
            self.asked = asked if asked is not None else []

        def fetch(self, url: str, headers: Any = None) -> Any:
            self.asked.append(url[:200])
            scheme = url.split(":", 1)[0].lower() if ":" in url else ""
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == ASSET_SCHEME:
                return self.asset(url)
            raise ValueError(f"refused to fetch {url[:80]!r}: print documents use data: and asset: URLs only")

        def asset(self, url: str) -> Any:
            relative = PurePosixPath(url.split(":", 1)[1].split("?", 1)[0].split("#", 1)[0])
            if relative.is_absolute() or ".." in relative.parts or relative.suffix not in ASSET_TYPES:
                raise ValueError(f"refused asset {url[:80]!r}")
            path = (self.assets_dir / relative).resolve()
            if not path.is_relative_to(self.assets_dir) or not path.is_file():
                raise ValueError(f"no such asset {url[:80]!r}")
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": ASSET_TYPES[relative.suffix]}, 200)

    return PrintFetcher


def css_string(text: str) -> str:
    """`text` as a CSS string literal; every ASCII sign escaped, so it cannot end the string or the
    style element."""
    out = []
    for char in text:
        if char.isascii() and not char.isalnum() and char != " ":
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def counter_content(template: str) -> str:
    """A CSS `content` value from a text like "page {page} of {pages}" from messages.yaml."""
    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", template):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts) or '""'


FOOTER_GAP = "    "


def page_css(orientation: str, page_text: str | None, footer: list[str] | None = None) -> Markup:
    """The page rule: size, page numbers bottom right and the footer texts bottom left. The
    footer is margin-box text, not a running element: laying out an element in the margin
    of every page cost a review form 5% of its time."""
    size = "A4 landscape" if orientation == "landscape" else "A4 portrait"
    rules = [f"size: {size};"]
    if page_text:
        rules.append(f"@bottom-right {{ content: {counter_content(page_text)}; }}")
    if footer:
        rules.append(f"@bottom-left {{ content: {css_string(FOOTER_GAP.join(footer))}; }}")
    return Markup("@page { " + " ".join(rules) + " }")


def render_pdf(
    html: str, assets_dir: Path, *, full_fonts: bool = False, fonts: Any = None, asked: list[str] | None = None
) -> bytes:
    """WeasyPrint itself: `html` (from a print template) to PDF, fetching only through PrintFetcher
    (which notes in `asked` every URL asked for, served or refused)."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=None, url_fetcher=fetcher_class()(assets_dir, asked))
    pdf: bytes = document.write_pdf(full_fonts=full_fonts, font_config=fonts)
    return pdf


class Worker:
    """One `python -m runtime.documents.print_worker` process."""

    def __init__(self, memory_mb: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "runtime.documents.print_worker", "--memory-mb", str(memory_mb)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            start_new_session=True,  # a ^C in the terminal is the server's to handle, not the worker's
        )
        self.last_rss_mib = 0.0
        self.last_cpu_s = 0.0
        self.last_asked: list[str] = []

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        if self.alive():
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()

    def render(self, html: str, assets_dir: Path, full_fonts: bool, seconds: float) -> bytes:
        """The PDF, or RenderFailed; past `seconds` the process is killed (RenderTimeout)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        expired = threading.Event()

        def expire() -> None:
            expired.set()
            self.process.kill()

        watchdog = threading.Timer(max(seconds, 0.0), expire)
        watchdog.daemon = True
        watchdog.start()
        try:
            header = json.dumps({"assets_dir": str(assets_dir), "full_fonts": full_fonts}).encode()
            write_frame(self.process.stdin, header, html.encode())
            answer = read_part(self.process.stdout)
            pdf = read_part(self.process.stdout)
        except OSError:  # the pipe broke: killed by the watchdog or died
            answer = pdf = None
        finally:
            watchdog.cancel()
        if answer is None or pdf is None:
            self.kill()
            if expired.is_set():
                raise RenderTimeout()
            raise RenderFailed("the print worker stopped")
        try:
            result = json.loads(answer)
        except ValueError:
            self.kill()
            raise RenderFailed("the print worker answered garbage") from None
        self.last_rss_mib = float(result.get("rss_mib", 0.0))
        self.last_cpu_s = float(result.get("cpu_s", 0.0))
        self.last_asked = [str(url) for url in result.get("asked", [])]
        for name, level, message in result.get("logged", []):
            logging.getLogger(str(name)).log(int(level), "print worker %s: %s", self.process.pid, message)
        refused = [url for url in self.last_asked if url.split(":", 1)[0] not in ("data", ASSET_SCHEME)]
        if refused:
            log.warning("print worker %s refused to fetch %s", self.process.pid, refused[:5])
        if not result["ok"]:
            if result["error"] == "memory":  # the worker leaves after answering; wait for it
                self.kill()
            raise RenderFailed(str(result["error"]))
        return pdf


class WorkerPool:
    """Print worker processes, started when first needed and kept for the next document."""

    def __init__(self, memory_mb: int) -> None:
        self.memory_mb = memory_mb
        self._idle: list[Worker] = []
        self._lock = threading.Lock()
        self.last_rss_mib = 0.0
        self.last_cpu_s = 0.0
        self.last_asked: list[str] = []

    def render(self, html: str, assets_dir: Path, *, full_fonts: bool, seconds: float) -> bytes:
        worker = self._take()
        try:
            pdf = worker.render(html, assets_dir, full_fonts, seconds)
        except RenderFailed as exc:
            log.warning("print worker %s: %s", worker.process.pid, exc)
            raise
        finally:
            self.last_rss_mib, self.last_cpu_s = worker.last_rss_mib, worker.last_cpu_s
            self.last_asked = worker.last_asked
            if worker.alive():
                with self._lock:
                    self._idle.append(worker)
        return pdf

    def start(self) -> None:
        """One worker ready before the first document is asked for."""
        with self._lock:
            if not self._idle:
                self._idle.append(Worker(self.memory_mb))

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.kill()

    def _take(self) -> Worker:
        with self._lock:
            idle, self._idle = self._idle, []
        alive = [w for w in idle if w.alive()]
        for dead in (w for w in idle if w not in alive):
            dead.kill()  # died while idle (e.g. the OOM killer): reap it, close its pipes
        found = alive.pop() if alive else Worker(self.memory_mb)
        with self._lock:
            self._idle.extend(alive)
        return found


_pools: dict[int, WorkerPool] = {}
_pools_lock = threading.Lock()


def worker_pool(memory_mb: int) -> WorkerPool:
    """The process's pool for a memory limit: every Printer with that limit shares its workers."""
    with _pools_lock:
        if memory_mb not in _pools:
            _pools[memory_mb] = WorkerPool(memory_mb)
        return _pools[memory_mb]


@atexit.register
def _close_pools() -> None:
    for pool in list(_pools.values()):
        pool.close()


class Printer:
    """Print templates from build/templates rendered to PDF by worker processes."""

    def __init__(
        self,
        build_dir: Path,
        *,
        timeout: float = RENDER_SECONDS,
        slots: int = RENDER_SLOTS,
        memory_mb: int = RENDER_MEMORY_MB,
        subset_fonts: bool = True,
    ) -> None:
        self.assets_dir = build_dir / "templates"
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.assets_dir),
            autoescape=True,
            undefined=jinja2.ChainableUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.timeout = timeout
        self.subset_fonts = subset_fonts
        self.pool = worker_pool(memory_mb)
        self.slots = slots
        self._slots = threading.BoundedSemaphore(slots)
        self.owners = OwnerGate()  # issue 13: one owner's documents never hold every slot

    def sibling(self, build_dir: Path) -> Printer:
        """A printer for another policy version's layouts sharing this one's workers and slots."""
        other = Printer(build_dir, timeout=self.timeout, memory_mb=self.pool.memory_mb, subset_fonts=self.subset_fonts)
        other._slots, other.slots, other.owners = self._slots, self.slots, self.owners
        return other

    def html(self, template: str, context: dict[str, Any]) -> str:
        if not template.startswith("print/") or ".." in template.split("/"):
            raise ValueError(f"{template} is not a print template")
        return self.templates.get_template(template).render(**context)

    def pdf_now(self, template: str, context: dict[str, Any]) -> bytes:
        """Render and wait in the calling thread (benchmarks, tests)."""
        return self.html_to_pdf(self.html(template, context))

    def html_to_pdf(self, html: str, seconds: float | None = None) -> bytes:
        limit = self.timeout if seconds is None else seconds
        return self.pool.render(html, self.assets_dir, full_fonts=not self.subset_fonts, seconds=limit)

    async def pdf(
        self,
        template: str,
        context: dict[str, Any],
        *,
        owner: str | None = None,
        per_owner: int = 1,
        max_bytes: int | None = None,
    ) -> bytes:
        """The PDF, or DocumentTooLarge before any layout, or PrintBusy when `owner` has its
        share of the slots printing already (print_queue.py)."""
        html = self.html(template, context)
        check_budget(html, max_bytes)
        with self.owners.hold(owner, owner_cap(per_owner, self.slots)):
            deadline = time.monotonic() + self.timeout
            return await self.run(lambda: self.html_to_pdf(html, max(0.0, deadline - time.monotonic())))

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """`work(*args)` in a worker thread, one of `slots` at a time, within the time limit."""
        deadline = time.monotonic() + self.timeout

        def guarded() -> T:
            if not self._slots.acquire(timeout=max(0.0, deadline - time.monotonic())):
                raise RenderTimeout()
            try:
                if time.monotonic() > deadline:  # gave up waiting for us meanwhile
                    raise RenderTimeout()
                return work(*args)
            finally:
                self._slots.release()

        try:
            with anyio.fail_after(self.timeout):
                return await anyio.to_thread.run_sync(guarded, abandon_on_cancel=True)
        except TimeoutError as exc:
            raise RenderTimeout() from exc
