"""An image captcha drawn locally as SVG: no external service, no image library.

Each captcha is single-use: checking it deletes it, so a double-clicked login
form sends one attempt, and the second is refused as a used captcha without
counting as a wrong password (REG-5).
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import timedelta
from xml.sax.saxutils import escape

from runtime.clock import iso, parse
from runtime.web.http import Services
from runtime.web.security import digest, token

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
LENGTH = 4


@dataclass(frozen=True)
class Captcha:
    id: str
    image: str  # a data: URL
    answer: str


def new_captcha(svc: Services) -> Captcha:
    answer = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    captcha_id = token(16)
    expires = svc.clock.now() + timedelta(minutes=svc.policy("captcha_minutes"))
    with svc.storage.transaction():
        svc.storage.execute("DELETE FROM captchas WHERE expires_at < ?", (iso(svc.clock.now()),))
        svc.storage.insert("captchas", {"id": captcha_id, "answer_hash": digest(answer), "expires_at": iso(expires)})
    svg = _draw(answer)
    image = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return Captcha(id=captcha_id, image=image, answer=answer)


def check_captcha(svc: Services, captcha_id: str, answer: str) -> bool:
    """True once for the right answer; the captcha is gone afterwards either way."""
    with svc.storage.transaction():
        row = svc.storage.one("SELECT * FROM captchas WHERE id = ?", (captcha_id,))
        if row is None:
            return False
        svc.storage.execute("DELETE FROM captchas WHERE id = ?", (captcha_id,))
    if parse(row["expires_at"]) < svc.clock.now():
        return False
    return bool(answer) and digest(answer.strip().upper()) == row["answer_hash"]


def _draw(text: str) -> str:
    rnd = secrets.SystemRandom()
    width, height = 120, 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><rect width="100%" height="100%" fill="#f3f6fa"/>'
    ]
    for _ in range(6):
        x1, y1, x2, y2 = (
            rnd.randint(0, width),
            rnd.randint(0, height),
            rnd.randint(0, width),
            rnd.randint(0, height),
        )
        parts.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#9ab" stroke-width="1"/>')
    for i, char in enumerate(text):
        x = 14 + i * 26 + rnd.randint(-3, 3)
        y = 28 + rnd.randint(-4, 4)
        angle = rnd.randint(-25, 25)
        parts.append(
            f'<text x="{x}" y="{y}" font-family="monospace" font-size="24" font-weight="bold" '
            f'fill="#234" transform="rotate({angle} {x} {y})">{escape(char)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
