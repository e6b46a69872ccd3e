"""A table laid out as lines of monospaced text, for long printed lists (the overview, PRN-2).

WeasyPrint lays out one box per table cell, about a millisecond each: 500 rows of 14
columns take some 10 s. Here each row is one box: its cells are padded and wrapped
into monospaced lines (CJK characters exactly two half-em units, the others one, as in
Noto Sans Mono CJK), and the column rules are one SVG background per page. A 500-row
list then prints in about a second and still reads as a ruled table whose header
repeats on every page.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

PADDING = 1  # half-em units left and right of a cell's text
MIN_UNITS = 4


@dataclass
class Grid:
    header: str
    rows: list[str]
    units: list[int]
    font_pt: float

    @property
    def width_em(self) -> float:
        return sum(self.units) / 2

    def rules_uri(self, stroke_pt: float = 0.6) -> str:
        """An SVG of the vertical rules, stretched over the table's height on each page."""
        width = self.width_em * self.font_pt
        x = 0.0
        positions = [0.0]
        for units in self.units:
            x += units / 2 * self.font_pt
            positions.append(x)
        half = stroke_pt / 2
        lines = "".join(
            f'<rect x="{min(max(p - half, 0), width - stroke_pt):.2f}" y="0" width="{stroke_pt}" height="100"/>'
            for p in positions
        )
        svg = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.2f}" height="100"'
            f' viewBox="0 0 {width:.2f} 100" preserveAspectRatio="none" fill="#000">{lines}</svg>'
        )
        return "data:image/svg+xml," + quote(svg, safe="")


def char_units(char: str) -> int:
    if unicodedata.combining(char) or char in "\u200b\u200c\u200d\ufeff":
        return 0
    width = unicodedata.east_asian_width(char)
    # Ambiguous characters are full width in CJK fonts from general punctuation on (quotes,
    # dashes, circled numbers); Latin-1, Greek and Cyrillic ones stay half width.
    return 2 if width in ("W", "F") or (width == "A" and ord(char) >= 0x2000) else 1


def text_units(text: str) -> int:
    return sum(char_units(c) for c in text)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` units; a line breaks anywhere, as overflow-wrap: anywhere."""
    text = " ".join(text.split())
    lines: list[str] = []
    current, used = "", 0
    for char in text:
        size = char_units(char)
        if used + size > width and current:
            lines.append(current.rstrip())
            current, used = "", 0
            if char == " ":
                continue
        current += char
        used += size
    lines.append(current)
    return lines


def fit_units(weights: list[float], total: int, minimums: list[int] | None = None) -> list[int]:
    """Column widths in half-em units from relative weights, summing to `total` where the
    minimums allow: each column keeps its minimum (its title on one line) as long as it can."""
    floors = [max(MIN_UNITS, m) for m in (minimums or [MIN_UNITS] * len(weights))]
    scale = total / (sum(weights) or 1.0)
    units = [max(f, int(w * scale)) for w, f in zip(weights, floors, strict=True)]
    while sum(units) > total:
        slack = [u - f for u, f in zip(units, floors, strict=True)]
        index = max(range(len(units)), key=lambda i: (slack[i], units[i]))
        if slack[index] <= 0:  # every column at its floor: narrow the widest, titles may wrap
            index = max(range(len(units)), key=lambda i: units[i])
            if units[index] <= MIN_UNITS:
                break
        units[index] -= 1
    order = sorted(range(len(units)), key=lambda i: -weights[i])
    step = 0
    while sum(units) < total and order:
        units[order[step % len(order)]] += 1
        step += 1
    return units


def layout(titles: list[str], rows: list[list[str]], weights: list[float], total: int, font_pt: float) -> Grid:
    units = fit_units(weights, total, [text_units(t) + 2 * PADDING for t in titles])
    return Grid(
        header=_compose(titles, units),
        rows=[_compose(row, units) for row in rows],
        units=units,
        font_pt=font_pt,
    )


def balanced(text: str, width: int) -> list[str]:
    """As few lines as wrap() gives, but of even length: "ABCD/EF", not "ABCDE/F"."""
    lines = wrap(text, width)
    if len(lines) < 2:
        return lines
    target = -(-text_units(" ".join(text.split())) // len(lines))
    for narrower in range(target, width):
        even = wrap(text, narrower)
        if len(even) == len(lines):
            return even
    return lines


def _compose(values: list[str], units: list[int]) -> str:
    cells = [balanced(v, max(1, u - 2 * PADDING)) for v, u in zip(values, units, strict=True)]
    height = max((len(c) for c in cells), default=1)
    lines = []
    for n in range(height):
        parts = []
        for cell, width in zip(cells, units, strict=True):
            piece = cell[n] if n < len(cell) else ""
            free = width - text_units(piece)
            left = free // 2
            parts.append(" " * left + piece + " " * (free - left))
        lines.append("".join(parts).rstrip())
    return "\n".join(lines)
