"""Bot messages never echo full personal data (DESIGN §3): 電話 ***-****-5678, 山田 様."""

from __future__ import annotations

import pytest

from booking import mask_name, mask_number, mask_phone


@pytest.mark.parametrize(
    ("e164", "masked"),
    [
        ("+819012345678", "***-****-5678"),
        ("+815012345678", "***-****-5678"),
        ("+81312345678", "**-****-5678"),
        ("+81173000000", "****-**-0000"),
    ],
)
def test_phones_are_masked_but_for_the_last_group(e164: str, masked: str) -> None:
    assert mask_phone(e164) == masked


def test_a_stored_phone_that_is_not_e164_is_still_masked() -> None:
    assert mask_phone("0312345678") == "******5678"
    assert mask_phone("garbage") == "garbage"


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("山田 太郎", "山田 様"),
        ("山田　太郎", "山田 様"),  # full-width space
        ("山田太郎", "山田 様"),
        ("  山田 太郎  ", "山田 様"),
        ("林", "林 様"),
        ("Maria Garcia", "Maria 様"),
        ("", "お客様"),
        ("   ", "お客様"),
    ],
)
def test_names_are_cut_to_the_family_name_with_sama(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("02040-12345678", "02040-****5678"),
        ("02040-00001234", "02040-****1234"),
        ("0204-123456-7", "0204-***456-7"),
        ("1234567890", "******7890"),
    ],
)
def test_registration_numbers_keep_the_office_part_and_last_four_digits(
    number: str, masked: str
) -> None:
    assert mask_number(number) == masked


def test_company_names_keep_the_legal_form_and_two_characters():
    from booking import mask_name

    assert mask_name("株式会社ABC") == "株式会社AB… 様"
    assert mask_name("見本商事株式会社") == "株式会社見本… 様"
