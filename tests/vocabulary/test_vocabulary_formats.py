"""Named formats: fixed examples from domain-facts.md and the schema language."""

from datetime import date

import pytest
from jsonschema import Draft202012Validator

from vocabulary.formats import (
    FORMATS,
    format_checker,
    id_card_birth_date,
    id_card_sex_parity,
    is_id_card,
    is_mobile_cn,
    is_uscc,
    is_year,
    parse_date,
    parse_rank,
    parse_when,
    parse_year_month,
    uscc_division,
    uscc_shape_ok,
)

VALID_IDS = [
    "11010519491231002X",
    "440524188001010014",
    "360426199101010071",
    "120103198806018241",
    "371002199001011237",
]
VALID_USCCS = ["91110000600037341L", "91110108551385082Q"]
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@pytest.mark.parametrize("number", VALID_IDS)
def test_the_published_id_numbers_are_valid(number: str) -> None:
    assert is_id_card(number)


def test_an_id_number_with_a_wrong_check_digit_is_invalid() -> None:
    assert not is_id_card("360426199101010072")


def test_an_id_number_born_in_the_future_is_invalid() -> None:
    # 2031-01-01 with a correct check character.
    assert is_id_card("110105203101010017", today=date(2031, 1, 1))
    assert not is_id_card("110105203101010017", today=date(2030, 12, 31))


def test_an_id_number_with_an_impossible_date_is_invalid() -> None:
    assert not is_id_card("110105199902300015")  # 30 February, check digit right for it


def test_a_lowercase_x_check_character_is_accepted() -> None:
    assert is_id_card("11010519491231002x")


@pytest.mark.parametrize(
    "value",
    ["", "11010519491231002", "11010519491231002XX", "1101051949123100２X", "11010519491231002X\n"],
)
def test_id_numbers_of_the_wrong_shape_are_invalid(value: str) -> None:
    assert not is_id_card(value)


def test_birth_date_and_sex_parity_are_read_from_a_valid_id_number() -> None:
    assert id_card_birth_date("11010519491231002X") == date(1949, 12, 31)
    assert id_card_sex_parity("11010519491231002X") == "even"
    assert id_card_birth_date("371002199001011237") == date(1990, 1, 1)
    assert id_card_sex_parity("371002199001011237") == "odd"


def test_nothing_is_read_from_an_invalid_id_number() -> None:
    assert id_card_birth_date("360426199101010072") is None
    assert id_card_sex_parity("360426199101010072") is None


@pytest.mark.parametrize("code", VALID_USCCS)
def test_the_published_credit_codes_are_valid(code: str) -> None:
    assert is_uscc(code)
    assert uscc_shape_ok(code)


@pytest.mark.parametrize("code", VALID_USCCS)
def test_every_one_character_change_of_a_credit_code_is_invalid(code: str) -> None:
    for position in range(18):
        for char in USCC_ALPHABET:
            if char != code[position]:
                changed = code[:position] + char + code[position + 1 :]
                assert not is_uscc(changed), changed


def test_a_credit_code_with_a_bad_check_character_still_has_the_shape() -> None:
    assert uscc_shape_ok("91110000600037341M")
    assert not is_uscc("91110000600037341M")


def test_a_credit_code_with_letters_outside_the_alphabet_is_invalid() -> None:
    assert uscc_shape_ok("911100006000373I1L")
    assert not is_uscc("911100006000373I1L")


@pytest.mark.parametrize("value", ["", "91110000600037341", "01110000600037341L", "9111000060003734lL"])
def test_text_that_is_no_credit_code_has_no_shape(value: str) -> None:
    assert not uscc_shape_ok(value)
    assert not is_uscc(value)


def test_the_division_code_is_characters_three_to_eight() -> None:
    assert uscc_division("91110108551385082Q") == "110108"
    assert uscc_division("not a code") is None


@pytest.mark.parametrize("value", ["13812345678", "+8619912345678", "008615012345678"])
def test_mainland_mobile_numbers_are_accepted(value: str) -> None:
    assert is_mobile_cn(value)


@pytest.mark.parametrize("value", ["12812345678", "1381234567", "+85213812345678", "5190962"])
def test_other_phone_numbers_are_rejected(value: str) -> None:
    assert not is_mobile_cn(value)


def test_year_months_need_a_two_digit_month() -> None:
    assert parse_year_month("2015.10") == (2015, 10)
    assert parse_year_month("2015.01") == (2015, 1)
    for value in ["2015.1", "2015.13", "2015.00", "1899.12", "2101.01", "2015-10", "2015.10.1"]:
        assert parse_year_month(value) is None, value


def test_ranks_are_a_position_among_a_count() -> None:
    assert parse_rank("3/5") == (3, 5)
    assert parse_rank("1/1") == (1, 1)
    for value in ["6/5", "0/3", "3-5", "03/5", "3/05", "1/10000", " 3/5"]:
        assert parse_rank(value) is None, value


def test_dates_must_exist() -> None:
    assert parse_date("2024-02-29") == date(2024, 2, 29)
    for value in ["2023-02-29", "2024-2-29", "2024.02.29", "20240229"]:
        assert parse_date(value) is None, value


def test_years_are_four_digits_within_range() -> None:
    assert is_year("2026")
    for value in ["1899", "2101", "26", "２０２６"]:
        assert not is_year(value), value


def test_when_reads_a_year_a_year_month_or_a_date_as_a_day() -> None:
    assert parse_when("2015") == (2015, 1, 1)
    assert parse_when("2015.07") == (2015, 7, 1)
    assert parse_when("2015-07-20") == (2015, 7, 20)
    assert parse_when("至今") is None
    assert parse_when("201") is None


def test_exactly_the_documented_formats_exist() -> None:
    assert set(FORMATS) == {"id-card", "uscc", "mobile-cn", "year-month", "rank", "date", "year"}


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_formats_only_judge_strings(name: str) -> None:
    check = FORMATS[name]
    not_strings: list[object] = [None, 12, 1.5, True, [], {}]
    for value in not_strings:
        assert check(value)
    assert not check("certainly not valid")


def test_the_format_checker_holds_only_the_domain_formats() -> None:
    assert set(format_checker().checkers) == set(FORMATS)


def test_jsonschema_rejects_a_bad_id_number_under_format_id_card() -> None:
    schema = {"type": "object", "properties": {"id": {"type": "string", "format": "id-card"}}}
    validator = Draft202012Validator(schema, format_checker=format_checker())
    assert validator.is_valid({"id": "11010519491231002X"})
    errors = list(validator.iter_errors({"id": "360426199101010072"}))
    assert [(error.validator, list(error.path)) for error in errors] == [("format", ["id"])]


def test_jsonschema_enforces_every_domain_format() -> None:
    bad = {
        "id-card": "360426199101010072",
        "uscc": "91110000600037341M",
        "mobile-cn": "12812345678",
        "year-month": "2015.1",
        "rank": "6/5",
        "date": "2023-02-29",
        "year": "1899",
    }
    checker = format_checker()
    for name, value in bad.items():
        validator = Draft202012Validator({"format": name}, format_checker=checker)
        assert not validator.is_valid(value), name
