"""Hello Work registration numbers as typed by users: 求職番号, 求人番号, 事業所番号 (DESIGN §5)."""

from __future__ import annotations

import re

from booking import messages
from booking.errors import ParseError
from booking.normalize import compact

# Far longer than any number with decorations; longer input is rejected before any regex runs.
_MAX_INPUT = 64

# re.ASCII: \d alone would accept Arabic-Indic and other digits that NFKC leaves alone.
# 5 digits (the office part) + up to 8 digits (the serial), hyphen optional.
_FIVE_PLUS_EIGHT = re.compile(r"(\d{5})-(\d{1,8})|(\d{5})(\d{1,8})", re.ASCII)
# 4-6-1; no public check-digit algorithm exists, so only the shape is checked.
_EMPLOYER = re.compile(r"(\d{4})-?(\d{6})-?(\d)", re.ASCII)


def _clean(text: object, message: str) -> str:
    """Normalise the input or reject what cannot possibly be a number."""
    if not isinstance(text, str) or len(text) > _MAX_INPUT:
        raise ParseError(message)
    return compact(text)


def _parse_five_plus_eight(text: object, message: str) -> str:
    """Shared reader for the two numbers shaped 5 + up to 8 digits."""
    match = _FIVE_PLUS_EIGHT.fullmatch(_clean(text, message))
    if match is None:
        raise ParseError(message)
    office, serial = match.group(1, 2) if match.group(1) else match.group(3, 4)
    # The serial is printed zero-padded on Hello Work cards; store it the same way.
    return f"{office}-{serial.zfill(8)}"


def parse_jobseeker_number(text: str) -> str:
    """Read a 求職番号 (e.g. "02040-12345678") into the canonical "NNNNN-NNNNNNNN"."""
    return _parse_five_plus_eight(text, messages.JOBSEEKER_NUMBER_EXPECTED)


def parse_job_number(text: str) -> str:
    """Read a 求人番号 (e.g. "02040-12345678") into the canonical "NNNNN-NNNNNNNN"."""
    return _parse_five_plus_eight(text, messages.JOB_NUMBER_EXPECTED)


def parse_employer_number(text: str) -> str:
    """Read a 事業所番号 (e.g. "0204-123456-7") into the canonical "NNNN-NNNNNN-N"."""
    match = _EMPLOYER.fullmatch(_clean(text, messages.EMPLOYER_NUMBER_EXPECTED))
    if match is None:
        raise ParseError(messages.EMPLOYER_NUMBER_EXPECTED)
    return "-".join(match.groups())
