"""Named domain formats: parsers and checkers for the values forms hold.

Every pattern is matched with ``fullmatch`` and ``re.ASCII``: ``$`` would accept a
trailing newline and ``\\d`` would accept non-ASCII digits, neither of which a
code printed on a certificate can contain.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from types import MappingProxyType
from typing import Literal

from jsonschema import FormatChecker

__all__ = [
    "FORMATS",
    "format_checker",
    "id_card_birth_date",
    "id_card_sex_parity",
    "is_id_card",
    "is_mobile_cn",
    "is_uscc",
    "is_year",
    "parse_date",
    "parse_rank",
    "parse_when",
    "parse_year_month",
    "uscc_division",
    "uscc_shape_ok",
]

MIN_YEAR = 1900
MAX_YEAR = 2100
MAX_RANK = 9999
# Not MIN_YEAR: GB 11643's own worked example, 440524188001010014, is born in 1880.
MIN_BIRTH_YEAR = 1800

# GB 11643-1999, ISO 7064 MOD 11-2.
_ID_RE = re.compile(r"\d{17}[\dXx]", re.ASCII)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_MAP = "10X98765432"

# GB 32100-2015.
_USCC_RE = re.compile(r"[1-9ANY][1-59]\d{6}[\dA-Z]{8}[\dX][\dA-HJ-NP-RTUW-Y]", re.ASCII)
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_MOBILE_RE = re.compile(r"(?:(?:\+|00)86)?1[3-9]\d{9}", re.ASCII)
_YEAR_MONTH_RE = re.compile(r"(\d{4})\.(\d{2})", re.ASCII)
# At most four digits each: n <= 9999 and m <= n, and no huge int() on hostile input.
_RANK_RE = re.compile(r"([1-9]\d{0,3})/([1-9]\d{0,3})", re.ASCII)
_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_YEAR_RE = re.compile(r"\d{4}", re.ASCII)


def _real_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# --- resident identity number (GB 11643) -------------------------------------------------


def _id_birth_date(value: str) -> date | None:
    """Birth date of a well-shaped number, without checking the check character."""
    if not _ID_RE.fullmatch(value):
        return None
    born = _real_date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    if born is None or born.year < MIN_BIRTH_YEAR:
        return None
    return born


def _id_check_char(body: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(body, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_MAP[total % 11]


def is_id_card(value: str, today: date | None = None) -> bool:
    """An 18-character resident identity number with a real, past birth date and a
    correct check character. A lowercase ``x`` is accepted."""
    if not isinstance(value, str):
        return False
    born = _id_birth_date(value)
    if born is None or born > (today or date.today()):
        return False
    return _id_check_char(value[:17]) == value[17].upper()


def id_card_birth_date(value: str, today: date | None = None) -> date | None:
    """The birth date encoded in a valid identity number, else None."""
    return _id_birth_date(value) if is_id_card(value, today) else None


def id_card_sex_parity(value: str, today: date | None = None) -> Literal["odd", "even"] | None:
    """Parity of the sequence number's last digit (odd = male, even = female) of a valid
    identity number, else None. Which word names which sex is the schema's business."""
    if not is_id_card(value, today):
        return None
    return "odd" if int(value[16]) % 2 else "even"


# --- unified social credit code (GB 32100) -----------------------------------------------


def uscc_shape_ok(value: str) -> bool:
    """The code has the GB 32100 shape; the check character is not verified.

    Lets the runtime tell "not a credit code at all" from "bad check character" (some
    early pilot codes fail the checksum and go to manual review instead)."""
    return isinstance(value, str) and _USCC_RE.fullmatch(value) is not None


def _uscc_check_char(body: str) -> str | None:
    # The shape allows I, O, S, V, Z in the organisation code, but they have no value in
    # the checksum alphabet, so such a code cannot be valid.
    if any(char not in _USCC_ALPHABET for char in body):
        return None
    total = sum(_USCC_ALPHABET.index(char) * weight for char, weight in zip(body, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def is_uscc(value: str) -> bool:
    """A unified social credit code with the right shape and check character."""
    return uscc_shape_ok(value) and _uscc_check_char(value[:17]) == value[17]


def uscc_division(value: str) -> str | None:
    """The six-digit administrative division code (characters 3-8) of a well-shaped code."""
    return value[2:8] if uscc_shape_ok(value) else None


# --- other formats -----------------------------------------------------------------------


def is_mobile_cn(value: str) -> bool:
    """A mainland mobile number, optionally prefixed with +86 or 0086."""
    return isinstance(value, str) and _MOBILE_RE.fullmatch(value) is not None


def parse_year_month(value: str) -> tuple[int, int] | None:
    """``YYYY.MM`` with a two-digit month 01..12 and a year 1900..2100."""
    match = _YEAR_MONTH_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None
    year, month = int(match[1]), int(match[2])
    if not MIN_YEAR <= year <= MAX_YEAR or not 1 <= month <= 12:
        return None
    return year, month


def parse_rank(value: str) -> tuple[int, int] | None:
    """``m/n``: position m among n, positive integers without leading zeros, m <= n."""
    match = _RANK_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None
    position, count = int(match[1]), int(match[2])
    if position > count or count > MAX_RANK:
        return None
    return position, count


def parse_date(value: str) -> date | None:
    """``YYYY-MM-DD`` naming a real calendar date."""
    match = _DATE_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None
    return _real_date(int(match[1]), int(match[2]), int(match[3]))


def is_year(value: str) -> bool:
    """Four digits naming a year 1900..2100."""
    if not isinstance(value, str) or not _YEAR_RE.fullmatch(value):
        return False
    return MIN_YEAR <= int(value) <= MAX_YEAR


def parse_when(value: str) -> tuple[int, int, int] | None:
    """A year (as Jan 1), a year-month (as its first day) or a date, as (year, month, day)."""
    if is_year(value):
        return int(value), 1, 1
    year_month = parse_year_month(value)
    if year_month is not None:
        return year_month[0], year_month[1], 1
    day = parse_date(value)
    if day is None:
        return None
    return day.year, day.month, day.day


# --- registry ----------------------------------------------------------------------------


def _strings_only(check: Callable[[str], object]) -> Callable[[object], bool]:
    """JSON Schema formats judge strings only; other types are the `type` keyword's job."""

    def checker(value: object) -> bool:
        return not isinstance(value, str) or bool(check(value))

    return checker


FORMATS: Mapping[str, Callable[[object], bool]] = MappingProxyType(
    {
        "id-card": _strings_only(is_id_card),
        "uscc": _strings_only(is_uscc),
        "mobile-cn": _strings_only(is_mobile_cn),
        "year-month": _strings_only(parse_year_month),
        "rank": _strings_only(parse_rank),
        "date": _strings_only(parse_date),
        "year": _strings_only(is_year),
    }
)


def format_checker() -> FormatChecker:
    """A checker holding exactly the domain formats (none of jsonschema's defaults, so a
    schema's behaviour never depends on which optional packages are installed)."""
    checker = FormatChecker(formats=())
    for name, check in FORMATS.items():
        checker.checks(name)(check)
    return checker
