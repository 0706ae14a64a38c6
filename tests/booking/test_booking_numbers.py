"""求職番号, 求人番号 and 事業所番号 as users type them (DESIGN §5)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from booking_inputs import DASH_VARIANTS, HOSTILE_INPUTS, full_width

from booking import (
    ParseError,
    messages,
    parse_employer_number,
    parse_job_number,
    parse_jobseeker_number,
)

FIVE_PLUS_EIGHT: list[tuple[str, str]] = [
    ("02040-12345678", "02040-12345678"),
    ("0204012345678", "02040-12345678"),
    ("02040-1234", "02040-00001234"),
    ("02040-1", "02040-00000001"),
    ("020401234", "02040-00001234"),
    ("123456", "12345-00000006"),
    (" 02040 - 12345678 ", "02040-12345678"),
    ("02040 12345678", "02040-12345678"),
    ("02040\u300012345678", "02040-12345678"),
    (full_width("02040-12345678"), "02040-12345678"),
    (full_width("0204012345678"), "02040-12345678"),
]

FIVE_PLUS_EIGHT_BAD = [
    "1234-12345678",  # 4 digits first
    "02040-123456789",  # 9 digits second
    "02040123456789",  # 14 digits bare
    "02040",
    "0204",
    "02040-",
    "-12345678",
    "02040--12345678",
    "02040-1234-5678",
    "abcde-12345678",
    "02040-1234567a",
    "求職番号02040-12345678",
    *HOSTILE_INPUTS,
]

PARSERS_5_8: list[tuple[Callable[[str], str], str, str]] = [
    (parse_jobseeker_number, messages.JOBSEEKER_NUMBER_EXPECTED, "求職番号"),
    (parse_job_number, messages.JOB_NUMBER_EXPECTED, "求人番号"),
]


@pytest.mark.parametrize(("parse", "_message", "_label"), PARSERS_5_8)
@pytest.mark.parametrize(("typed", "expected"), FIVE_PLUS_EIGHT)
def test_five_plus_eight_numbers_are_read_with_or_without_the_hyphen(
    parse: Callable[[str], str], _message: str, _label: str, typed: str, expected: str
) -> None:
    assert parse(typed) == expected


@pytest.mark.parametrize(("parse", "_message", "_label"), PARSERS_5_8)
@pytest.mark.parametrize("dash", DASH_VARIANTS)
def test_five_plus_eight_numbers_accept_every_dash_look_alike(
    parse: Callable[[str], str], _message: str, _label: str, dash: str
) -> None:
    assert parse(f"02040{dash}12345678") == "02040-12345678"
    assert parse(full_width("02040") + dash + full_width("1234")) == "02040-00001234"


@pytest.mark.parametrize(("parse", "message", "label"), PARSERS_5_8)
@pytest.mark.parametrize("typed", FIVE_PLUS_EIGHT_BAD)
def test_bad_five_plus_eight_numbers_are_refused_with_a_polite_example(
    parse: Callable[[str], str], message: str, label: str, typed: str
) -> None:
    with pytest.raises(ParseError) as caught:
        parse(typed)
    assert str(caught.value) == message
    assert label in message and "「02040-12345678」" in message
    assert message.endswith("ください。")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0204-123456-7", "0204-123456-7"),
        ("02041234567", "0204-123456-7"),
        ("0204-1234567", "0204-123456-7"),
        ("0204123456-7", "0204-123456-7"),
        ("0204 123456 7", "0204-123456-7"),
        (full_width("0204-123456-7"), "0204-123456-7"),
        (full_width("02041234567"), "0204-123456-7"),
    ],
)
def test_employer_numbers_are_read_as_4_6_1_digits(typed: str, expected: str) -> None:
    assert parse_employer_number(typed) == expected


@pytest.mark.parametrize("dash", DASH_VARIANTS)
def test_employer_numbers_accept_every_dash_look_alike(dash: str) -> None:
    assert parse_employer_number(f"0204{dash}123456{dash}7") == "0204-123456-7"


@pytest.mark.parametrize(
    "typed",
    [
        "0204-12345-67",
        "0204-123456-78",
        "204-123456-7",
        "0204123456",
        "020412345678",
        "0204--123456-7",
        "0204-123456-",
        "0204-abcdef-7",
        *HOSTILE_INPUTS,
    ],
)
def test_bad_employer_numbers_are_refused_with_a_polite_example(typed: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_employer_number(typed)
    assert str(caught.value) == messages.EMPLOYER_NUMBER_EXPECTED
    assert "事業所番号" in str(caught.value) and "「0204-123456-7」" in str(caught.value)


def test_parse_error_is_a_value_error_carrying_its_message() -> None:
    with pytest.raises(ValueError) as caught:
        parse_jobseeker_number("")
    assert isinstance(caught.value, ParseError)
    assert caught.value.message == str(caught.value)


@pytest.mark.parametrize("parse", [parse_jobseeker_number, parse_job_number, parse_employer_number])
def test_number_parsers_refuse_non_text_with_a_parse_error(parse: Callable[[str], str]) -> None:
    with pytest.raises(ParseError):
        parse(2040123456789)  # type: ignore[arg-type]
