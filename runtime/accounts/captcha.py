"""An image captcha rendered as a distorted PNG by the `captcha` library (REG-5).

The answer exists only server-side (its digest in the database; the image holds pixels, no
text a script can read). Each captcha is single-use: checking it deletes it, so a
double-clicked login form sends one attempt, and the second is refused as a used captcha
without counting as a wrong password. An address that has had many wrong passwords recently
gets longer captchas (platform.yaml accounts.captcha_length_hard) instead of being refused:
a shared address (a unit's NAT, a proxy) never locks out a person who solves it.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import timedelta

from captcha.image import ImageCaptcha

from runtime.clock import iso, parse
from runtime.web.http import Services
from runtime.web.security import digest, token

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
WIDTH, HEIGHT = 160, 60


@dataclass(frozen=True)
class Captcha:
    id: str
    image: str  # a data: URL of a PNG
    answer: str  # shown only in --dev mode (demos, tests)


def captcha_length(svc: Services, ip: str) -> int:
    """The usual length, or the harder one for an address past the failure threshold."""
    from runtime.accounts.accounts import address_failures  # it imports nothing from here

    if address_failures(svc, ip) >= svc.policy("login_throttle_per_ip"):
        return svc.policy("captcha_length_hard")
    return svc.policy("captcha_length")


def new_captcha(svc: Services, ip: str) -> Captcha:
    """Blocking (drawing takes milliseconds): call it from a worker thread in async code."""
    length = captcha_length(svc, ip)
    answer = "".join(secrets.choice(ALPHABET) for _ in range(length))
    captcha_id = token(16)
    expires = svc.clock.now() + timedelta(minutes=svc.policy("captcha_minutes"))
    with svc.storage.transaction():
        svc.storage.execute("DELETE FROM captchas WHERE expires_at < ?", (iso(svc.clock.now()),))
        svc.storage.insert("captchas", {"id": captcha_id, "answer_hash": digest(answer), "expires_at": iso(expires)})
    png = ImageCaptcha(width=WIDTH + 24 * (length - 4), height=HEIGHT).generate(answer, format="png").getvalue()
    image = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return Captcha(id=captcha_id, image=image, answer=answer)


def check_captcha(svc: Services, captcha_id: str, answer: str) -> bool:
    """True once for the right answer; the captcha is gone afterwards either way."""
    if not captcha_id or len(captcha_id) > 64:
        return False
    with svc.storage.transaction():
        row = svc.storage.one("SELECT * FROM captchas WHERE id = ?", (captcha_id,))
        if row is None:
            return False
        svc.storage.execute("DELETE FROM captchas WHERE id = ?", (captcha_id,))
    if parse(row["expires_at"]) < svc.clock.now():
        return False
    return bool(answer) and len(answer) <= 16 and digest(answer.strip().upper()) == row["answer_hash"]
