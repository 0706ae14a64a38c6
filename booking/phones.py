"""Registered phone numbers (art. 5(2)④): read with `phonenumbers`, stored as E.164."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from booking import messages
from booking.errors import ParseError
from booking.normalize import normalize

_MAX_INPUT = 64

# Digits, "+", hyphens and the brackets of "0173(00)0000"; anything else (letters, 内線, ext.)
# would let `phonenumbers` guess, and the office must be able to ring the number as typed.
_PHONE_CHARS = re.compile(r"[0-9+()\-\s]+")

# Numbers the office can ring to confirm a booking (art. 5(3)): a home line, a mobile or an
# 050 IP phone. Toll-free, navi dial, pagers and premium lines are never a person's own phone.
_PERSONAL_TYPES = frozenset(
    {
        PhoneNumberType.FIXED_LINE,
        PhoneNumberType.MOBILE,
        PhoneNumberType.FIXED_LINE_OR_MOBILE,
        PhoneNumberType.VOIP,
    }
)


def parse_phone(text: str) -> str:
    """Read a Japanese phone number as typed (hyphens, brackets, full width) into E.164."""
    if not isinstance(text, str) or len(text) > _MAX_INPUT:
        raise ParseError(messages.PHONE_EXPECTED)
    cleaned = normalize(text).strip()
    if not _PHONE_CHARS.fullmatch(cleaned):
        raise ParseError(messages.PHONE_EXPECTED)
    try:
        number = phonenumbers.parse(cleaned, "JP")
    except phonenumbers.NumberParseException:
        raise ParseError(messages.PHONE_EXPECTED) from None
    if number.country_code != 81:
        raise ParseError(messages.PHONE_NOT_DOMESTIC)
    if not phonenumbers.is_valid_number(number):
        raise ParseError(messages.PHONE_EXPECTED)
    if phonenumbers.number_type(number) not in _PERSONAL_TYPES:
        raise ParseError(messages.PHONE_NOT_PERSONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def format_phone_national(e164: str) -> str:
    """Show a stored E.164 number the Japanese way ("+819012345678" → "090-1234-5678")."""
    number = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
