"""axe-core over every page the browser journeys visit (issue 17, GB/T 37668 information
accessibility): serious and critical violations fail the journey.

Each browser context of a journey gets an init script that hands the page's HTML to Python once it
loaded (nothing else happens inside the journey, so it is not slowed or disturbed). After the
journey, every distinct page is replayed from that HTML — same URL, so the app's own CSS applies —
at 1366 px and 390 px wide, axe-core is injected and run, and its findings are collected.
axe-core comes from the npm registry through scripts/fetch-axe.py (cached in .cache/).
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
WIDTHS = (1366, 390)
FAILING_IMPACTS = ("serious", "critical")

_SNAPSHOT = """
window.addEventListener('load', () => {
  if (window.top === window && document.contentType === 'text/html' && window.__a11ySnapshot) {
    window.__a11ySnapshot(location.href, document.documentElement.outerHTML);
  }
});
"""
_RUN = """
async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => %s.includes(v.impact))
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}
"""
# What differs between two visits of one page without changing its shape: ids, tokens, dates.
_NOISE = re.compile(r"[0-9a-f]{16,}|[A-Za-z0-9_\-]{30,}|\d{4}-\d{2}-\d{2}[T ][\d:]+|\d+")


@cache
def axe_source() -> str:
    path = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "fetch-axe.py")], check=True, capture_output=True, text=True
    ).stdout.strip()
    return Path(path).read_text("utf-8")


@dataclass
class Recorder:
    """The pages a journey's contexts loaded, one per distinct shape."""

    pages: dict[str, tuple[str, str]] = field(default_factory=dict)

    def attach(self, context: Any) -> None:
        context.expose_binding("__a11ySnapshot", self._record)
        context.add_init_script(_SNAPSHOT)

    def _record(self, source: Any, url: str, html: str) -> None:
        path = re.sub(r"[0-9a-f]{16,}", "<id>", url.split("?")[0].split("#")[0])
        shape = hashlib.sha256(_NOISE.sub("", html).encode("utf-8")).hexdigest()[:16]
        self.pages.setdefault(f"{path} {shape}", (url, html))


def audit(browser: Any, pages: list[tuple[str, str]]) -> list[str]:
    """axe-core's serious and critical findings for these (url, html) pages at every width."""
    problems: list[str] = []
    script = _RUN % list(FAILING_IMPACTS)
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN", bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(30000)
        for url, html in pages:
            same, serve = _replay(url, html)
            page.route(same, serve)
            page.goto(url)
            page.unroute(same, serve)
            page.evaluate(axe_source())
            for v in page.evaluate(script):
                problems.append(f"{width}px {url}: {v['id']} ({v['impact']}) {v['help']} at {v['nodes']}")
        context.close()
    return problems


def _replay(url: str, html: str) -> tuple[Any, Any]:
    """A route matcher for exactly `url` and a handler answering it with the recorded HTML."""

    def same(candidate: str) -> bool:
        return candidate == url

    def serve(route: Any) -> None:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

    return same, serve


class RecordingBrowser:
    """The journeys' browser: every context it opens is recorded for the audit."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.recorder: Recorder | None = None

    def new_context(self, **options: Any) -> Any:
        context = self.inner.new_context(**options)
        if self.recorder is not None:
            self.recorder.attach(context)
        return context

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
