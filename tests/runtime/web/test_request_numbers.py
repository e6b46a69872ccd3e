"""Numbers a request carries (a page number, a limit, a version, a row, a year, a score, a
Content-Length) are read by one function: ASCII digits of a bounded length, or nothing. An
outside audit found str.isdigit() letting '²' and 5,000-digit strings through to int(), a 500
on ten routes; the routes' own tests send those values too."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from runtime.web.forms import when
from runtime.web.http import whole_number


@given(st.text(max_size=30))
def test_only_ascii_digits_are_a_whole_number(text: str) -> None:
    found = whole_number(text, 12)
    if re.fullmatch(r"[0-9]{1,12}", text):
        assert found == int(text)
    else:
        assert found is None


@given(st.integers(min_value=0, max_value=10**9 - 1))
def test_every_number_within_its_digits_reads_back(number: int) -> None:
    assert whole_number(str(number)) == number
    assert whole_number(str(number).encode("latin-1")) == number  # a header as bytes


def test_digits_that_int_would_refuse_or_choke_on_are_no_number() -> None:
    for text in ("²", "١٢", "１２", "9" * 5000, "", "-1", "+1", " 1", "1 ", "1e3", b"\xb2"):
        assert whole_number(text, 9) is None, text
    assert whole_number("1234567890", 9) is None  # more digits than the caller allows
    assert whole_number(None) is None and whole_number(12) is None


def test_a_stored_time_is_shown_to_the_minute() -> None:
    assert when("2026-12-02T14:55:13+08:00") == "2026-12-02 14:55"
    assert when("2026-12-02") == "2026-12-02"
    assert when(None) == "" and when("") == ""
