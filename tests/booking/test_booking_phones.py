"""Registered phone numbers (art. 5(2)④): read with phonenumbers, stored as E.164."""

from __future__ import annotations

import pytest
from booking_inputs import DASH_VARIANTS, HOSTILE_INPUTS, full_width

from booking import ParseError, format_phone_national, messages, parse_phone

# Fictitious numbers only: 0173-00-0000 is the demo's office number (DESIGN §3).


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("090-1234-5678", "+819012345678"),
        ("09012345678", "+819012345678"),
        ("090 1234 5678", "+819012345678"),
        (full_width("090-1234-5678"), "+819012345678"),
        ("+81 90-1234-5678", "+819012345678"),
        ("+819012345678", "+819012345678"),
        ("080-1234-5678", "+818012345678"),
        ("03-1234-5678", "+81312345678"),
        ("06-1234-5678", "+81612345678"),
        ("0173-00-0000", "+81173000000"),
        ("0173(00)0000", "+81173000000"),
        ("(0173)00-0000", "+81173000000"),
        (full_width("(0173)00-0000"), "+81173000000"),
        ("050-1234-5678", "+815012345678"),  # IP phone
    ],
)
def test_home_mobile_and_ip_phones_are_stored_as_e164(typed: str, e164: str) -> None:
    assert parse_phone(typed) == e164


@pytest.mark.parametrize("dash", DASH_VARIANTS)
def test_phones_accept_every_dash_look_alike(dash: str) -> None:
    assert parse_phone(f"090{dash}1234{dash}5678") == "+819012345678"


@pytest.mark.parametrize(
    "typed",
    [
        "090-1234-567",  # a digit short
        "090-1234-56789",  # a digit long
        "011-123-4567",  # no such area code
        "03-1234-56789",
        "12345",
        "abc",
        "090-1234-5678 内線12",
        "090-1234-5678 ext 12",
        "0120-ABC-DEF",
        "電話 090-1234-5678",
        *HOSTILE_INPUTS,
    ],
)
def test_invalid_phones_are_refused_with_a_polite_example(typed: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_phone(typed)
    assert str(caught.value) == messages.PHONE_EXPECTED
    assert "電話番号" in str(caught.value) and "「090-1234-5678」" in str(caught.value)


@pytest.mark.parametrize(
    "typed",
    [
        "0120-123-456",  # フリーダイヤル
        "0800-123-4567",
        "0570-000-000",  # ナビダイヤル
        "0990-12-3456",  # premium rate
        "020-1234-5678",  # pager / M2M
    ],
)
def test_numbers_nobody_answers_at_home_are_refused_saying_why(typed: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_phone(typed)
    assert str(caught.value) == messages.PHONE_NOT_PERSONAL
    assert "フリーダイヤル" in str(caught.value)


def test_foreign_numbers_are_refused_asking_for_a_japanese_one() -> None:
    with pytest.raises(ParseError) as caught:
        parse_phone("+1 650 253 0000")
    assert str(caught.value) == messages.PHONE_NOT_DOMESTIC


@pytest.mark.parametrize(
    ("e164", "national"),
    [
        ("+819012345678", "090-1234-5678"),
        ("+81173000000", "0173-00-0000"),
        ("+81312345678", "03-1234-5678"),
        ("+815012345678", "050-1234-5678"),
    ],
)
def test_stored_numbers_are_shown_in_the_national_format(e164: str, national: str) -> None:
    assert format_phone_national(e164) == national
    assert parse_phone(national) == e164
