"""Property tests: the check characters are computed here by independent algorithms."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from vocabulary.formats import (
    id_card_birth_date,
    is_id_card,
    is_uscc,
    parse_rank,
    parse_year_month,
    uscc_shape_ok,
)

ID_CHARS = "0123456789X"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
TODAY = date(2026, 6, 1)


def iso7064_mod11_2(body: str) -> str:
    """The recursive form of ISO 7064 MOD 11-2 (no weight table)."""
    p = 0
    for char in body:
        p = (p + int(char)) * 2 % 11
    value = (12 - p) % 11
    return "X" if value == 10 else str(value)


def gb32100_check(body: str) -> str:
    """Weights as powers of 3 modulo 31, not the published table."""
    total = sum(USCC_ALPHABET.index(char) * pow(3, i, 31) for i, char in enumerate(body))
    return USCC_ALPHABET[-total % 31]


digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@st.composite
def id_bodies(draw: st.DrawFn) -> str:
    address = "".join(draw(st.lists(digits, min_size=6, max_size=6)))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    sequence = "".join(draw(st.lists(digits, min_size=3, max_size=3)))
    return f"{address}{born:%Y%m%d}{sequence}"


@given(id_bodies())
def test_an_id_number_with_its_computed_check_character_is_valid(body: str) -> None:
    number = body + iso7064_mod11_2(body)
    assert is_id_card(number, today=TODAY)
    assert id_card_birth_date(number, today=TODAY) == date(int(body[6:10]), int(body[10:12]), int(body[12:14]))


@given(id_bodies(), st.sampled_from(ID_CHARS))
def test_any_other_check_character_makes_an_id_number_invalid(body: str, char: str) -> None:
    right = iso7064_mod11_2(body)
    number = body + char
    assert is_id_card(number, today=TODAY) == (char == right)


@st.composite
def uscc_bodies(draw: st.DrawFn) -> str:
    authority = draw(st.sampled_from("123456789ANY"))
    kind = draw(st.sampled_from("123459"))
    division = "".join(draw(st.lists(digits, min_size=6, max_size=6)))
    organisation = "".join(draw(st.lists(st.sampled_from(USCC_ALPHABET), min_size=8, max_size=8)))
    ninth = draw(st.sampled_from("0123456789X"))
    return authority + kind + division + organisation + ninth


@given(uscc_bodies())
def test_a_credit_code_with_its_computed_check_character_is_valid(body: str) -> None:
    assert is_uscc(body + gb32100_check(body))


@given(uscc_bodies(), st.sampled_from(USCC_ALPHABET))
def test_any_other_check_character_makes_a_credit_code_invalid(body: str, char: str) -> None:
    code = body + char
    assert uscc_shape_ok(code)
    assert is_uscc(code) == (char == gb32100_check(body))


@given(st.integers(1, 9999), st.integers(1, 9999))
def test_a_position_within_its_count_is_a_rank(a: int, b: int) -> None:
    position, count = min(a, b), max(a, b)
    assert parse_rank(f"{position}/{count}") == (position, count)


@given(st.integers(1, 9998).flatmap(lambda n: st.tuples(st.integers(n + 1, 9999), st.just(n))))
def test_a_position_beyond_its_count_is_no_rank(pair: tuple[int, int]) -> None:
    position, count = pair
    assert parse_rank(f"{position}/{count}") is None


@given(st.integers(1, 9999))
def test_position_zero_is_no_rank(count: int) -> None:
    assert parse_rank(f"0/{count}") is None


@given(st.integers(1900, 2100), st.integers(1, 12))
def test_every_zero_padded_year_month_parses(year: int, month: int) -> None:
    assert parse_year_month(f"{year:04d}.{month:02d}") == (year, month)


@given(st.integers(1900, 2100), st.sampled_from([0, 13, 99]))
def test_months_outside_one_to_twelve_do_not_parse(year: int, month: int) -> None:
    assert parse_year_month(f"{year:04d}.{month:02d}") is None


@given(st.integers(1900, 2100), st.integers(1, 9))
def test_a_single_digit_month_does_not_parse(year: int, month: int) -> None:
    assert parse_year_month(f"{year}.{month}") is None
