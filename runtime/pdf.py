"""PDFs with WeasyPrint, from print templates in build/ only, off the event loop.

Safety: documents are rendered from build/templates (Jinja, autoescaped), never from
HTML or CSS a user typed, and every resource WeasyPrint asks for goes through
PrintFetcher, which serves data: URLs and the app's own files under build/templates
(read from disk, `asset:` URLs) and refuses everything else: no file://, no
network, no redirects. Attachments (<link rel=attachment>) are resources like any
other, so none can be pulled in either.

Speed: rendering runs in a worker thread with a time limit; the event loop keeps
serving. At most `slots` documents render at once (the machine has few cores and a
layout holds the GIL for most of its time). Fonts are subset with HarfBuzz when
libharfbuzz-subset is present (fontTools otherwise, several times slower).
"""

from __future__ import annotations

import functools
import logging
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

import anyio
import anyio.to_thread
import jinja2
from markupsafe import Markup

log = logging.getLogger("runtime.pdf")

ASSET_SCHEME = "asset"
ASSET_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".woff2": "font/woff2"}
RENDER_SECONDS = 60.0
RENDER_SLOTS = 2

T = TypeVar("T")


class RenderTimeout(Exception):
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

        def __init__(self, assets_dir: Path) -> None:
            super().__init__(timeout=1, allowed_protocols=("data",), allow_redirects=False, fail_on_errors=False)
            self.assets_dir = assets_dir.resolve()

        def fetch(self, url: str, headers: Any = None) -> Any:
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


def page_css(orientation: str, page_text: str | None) -> Markup:
    size = "A4 landscape" if orientation == "landscape" else "A4 portrait"
    rules = [f"size: {size};"]
    if page_text:
        rules.append(f"@bottom-right {{ content: {counter_content(page_text)}; }}")
    return Markup("@page { " + " ".join(rules) + " }")


class Printer:
    """Print templates from build/templates rendered to PDF in worker threads."""

    def __init__(
        self,
        build_dir: Path,
        *,
        timeout: float = RENDER_SECONDS,
        slots: int = RENDER_SLOTS,
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
        self._slots = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self._idle_fonts: list[Any] = []

    def html(self, template: str, context: dict[str, Any]) -> str:
        if not template.startswith("print/") or ".." in template.split("/"):
            raise ValueError(f"{template} is not a print template")
        return self.templates.get_template(template).render(**context)

    def pdf_now(self, template: str, context: dict[str, Any]) -> bytes:
        """Render in the calling thread (benchmarks, workers)."""
        return self.html_to_pdf(self.html(template, context))

    def html_to_pdf(self, html: str) -> bytes:
        from weasyprint import HTML

        fonts = self._take_fonts()
        try:
            document = HTML(string=html, base_url=None, url_fetcher=fetcher_class()(self.assets_dir))
            pdf: bytes = document.write_pdf(full_fonts=not self.subset_fonts, font_config=fonts)
        finally:
            with self._lock:
                self._idle_fonts.append(fonts)
        return pdf

    def _take_fonts(self) -> Any:
        """A font configuration no other render is using: Pango's font map is not thread-safe,
        and keeping it between documents spares finding and opening the fonts each time."""
        with self._lock:
            if self._idle_fonts:
                return self._idle_fonts.pop()
        from weasyprint.text.fonts import FontConfiguration

        return FontConfiguration()

    async def pdf(self, template: str, context: dict[str, Any]) -> bytes:
        return await self.run(self.pdf_now, template, context)

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
