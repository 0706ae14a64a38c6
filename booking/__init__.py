"""The office's rules as pure code: open days, slots, deadlines, input parsing, terms versions.

No I/O and no framework imports, so every rule can be read and tested on its own (DESIGN §4).
The names below are the stable interface of DESIGN §9; other packages import them from here.
"""

from __future__ import annotations

from booking.booths import booth_numbers
from booking.calendar import (
    JST,
    is_open_day,
    is_year_end_break,
    national_holiday_name,
    next_open_day,
    next_open_days,
    previous_open_day,
)
from booking.deadlines import (
    NO_SHOW_GRACE,
    bookable_days,
    is_bookable,
    no_show_at,
    request_deadline,
    request_expiry,
)
from booking.display import format_date_ja, format_slot, format_time
from booking.errors import ParseError
from booking.masking import mask_name, mask_number, mask_phone
from booking.numbers import parse_employer_number, parse_job_number, parse_jobseeker_number
from booking.phones import format_phone_national, parse_phone
from booking.slots import (
    OFFICE_CLOSE,
    OFFICE_OPEN,
    SLOT_LENGTH,
    SLOT_MINUTES,
    SLOT_TIMES,
    current_slot_start,
    end_of_office_day,
    is_slot_start,
    is_within_office_hours,
    slot_end,
    slot_starts,
    start_of_office_day,
    to_jst,
)
from booking.terms import TermsVersion, consent_covers, current_terms, upcoming_terms
from booking.when import parse_when

__all__ = [
    "JST",
    "NO_SHOW_GRACE",
    "OFFICE_CLOSE",
    "OFFICE_OPEN",
    "SLOT_LENGTH",
    "SLOT_MINUTES",
    "SLOT_TIMES",
    "ParseError",
    "TermsVersion",
    "bookable_days",
    "booth_numbers",
    "consent_covers",
    "current_slot_start",
    "current_terms",
    "end_of_office_day",
    "format_date_ja",
    "format_phone_national",
    "format_slot",
    "format_time",
    "is_bookable",
    "is_open_day",
    "is_slot_start",
    "is_within_office_hours",
    "is_year_end_break",
    "mask_name",
    "mask_number",
    "mask_phone",
    "national_holiday_name",
    "next_open_day",
    "next_open_days",
    "no_show_at",
    "parse_employer_number",
    "parse_job_number",
    "parse_jobseeker_number",
    "parse_phone",
    "parse_when",
    "previous_open_day",
    "request_deadline",
    "request_expiry",
    "slot_end",
    "slot_starts",
    "start_of_office_day",
    "to_jst",
    "upcoming_terms",
]
