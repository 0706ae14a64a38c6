"""Properties that must hold for every input, not just the examples in the table tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
from booking_inputs import DASH_VARIANTS, full_width
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from booking import (
    JST,
    SLOT_TIMES,
    ParseError,
    current_slot_start,
    end_of_office_day,
    format_date_ja,
    format_phone_national,
    format_slot,
    format_time,
    is_bookable,
    is_open_day,
    is_slot_start,
    is_within_office_hours,
    mask_phone,
    next_open_days,
    parse_employer_number,
    parse_job_number,
    parse_jobseeker_number,
    parse_phone,
    parse_when,
    previous_open_day,
    request_deadline,
    slot_end,
    slot_starts,
    start_of_office_day,
)

# Modest, so the whole tests/booking suite stays fast under branch coverage (which makes the
# parsers ~6x slower): hypothesis's own default of 100 examples, fresh ones every run, no
# deadline (a loaded machine must not fail a correct parser). Applied per test rather than
# through a loaded profile, which would change the settings of every other package's tests.
PROPERTY = settings(max_examples=100, deadline=None)

DIGITS = "0123456789"
days_2026_2030 = st.dates(date(2026, 1, 1), date(2030, 12, 31))
closure_sets = st.frozensets(days_2026_2030, max_size=8)
zones = st.sampled_from([JST, UTC, ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")])
moments = st.datetimes(datetime(2026, 1, 1), datetime(2030, 12, 31), timezones=zones)

# Text made of what date, number and phone parsers look for, so the properties reach deep
# into the parsers rather than bouncing off the first check as random Unicode mostly does.
parser_alphabet = st.sampled_from(
    list(
        DIGITS
        + "０１２３４５６７８９+/:.()（）年月日時分半午前後曜火水木金土今明後来週再次度の令和元 　"
    )
    + DASH_VARIANTS
    + ["明日", "あさって", "今日", "正午", "am", "PM", "から", "〜"]
)
parserish_text = st.lists(parser_alphabet, max_size=30).map("".join)
any_text = st.one_of(st.text(max_size=200), parserish_text)

PARSERS: list[Callable[[str], str]] = [
    parse_jobseeker_number,
    parse_job_number,
    parse_employer_number,
    parse_phone,
]


def _raises_only_parse_error(call: Callable[[], object]) -> None:
    try:
        call()
    except ParseError as error:
        assert str(error).endswith("。")


@pytest.mark.parametrize("parse", PARSERS)
@PROPERTY
@given(text=any_text)
def test_number_and_phone_parsers_raise_nothing_but_parse_error(
    parse: Callable[[str], str], text: str
) -> None:
    _raises_only_parse_error(lambda: parse(text))


@PROPERTY
@given(text=any_text, now=moments)
def test_parse_when_raises_nothing_but_parse_error(text: str, now: datetime) -> None:
    _raises_only_parse_error(lambda: parse_when(text, now))


@PROPERTY
@given(text=any_text, now=moments)
def test_whatever_parse_when_returns_is_a_real_date_and_clock_time(
    text: str, now: datetime
) -> None:
    try:
        day, clock = parse_when(text, now)
    except ParseError:
        return
    assert isinstance(day, date) and not isinstance(day, datetime)
    assert clock is None or (isinstance(clock, time) and clock.tzinfo is None)


# --- round trips: what we print can be typed back ---------------------------------------------


@PROPERTY
@given(
    office=st.text(DIGITS, min_size=5, max_size=5),
    serial=st.text(DIGITS, min_size=1, max_size=8),
    dash=st.sampled_from([*DASH_VARIANTS, ""]),
    wide=st.booleans(),
)
def test_five_plus_eight_numbers_round_trip(
    office: str, serial: str, dash: str, wide: bool
) -> None:
    typed = office + dash + serial
    typed = full_width(typed) if wide else typed
    expected = f"{office}-{serial.zfill(8)}"
    for parse in (parse_jobseeker_number, parse_job_number):
        assert parse(typed) == expected
        assert parse(expected) == expected


@PROPERTY
@given(
    digits=st.text(DIGITS, min_size=11, max_size=11),
    dash=st.sampled_from([*DASH_VARIANTS, ""]),
    wide=st.booleans(),
)
def test_employer_numbers_round_trip(digits: str, dash: str, wide: bool) -> None:
    typed = f"{digits[:4]}{dash}{digits[4:10]}{dash}{digits[10]}"
    typed = full_width(typed) if wide else typed
    expected = f"{digits[:4]}-{digits[4:10]}-{digits[10]}"
    assert parse_employer_number(typed) == expected
    assert parse_employer_number(expected) == expected


phone_candidates = st.one_of(
    st.builds(
        "".join,
        st.tuples(
            st.sampled_from(["090", "080", "070", "050"]), st.text(DIGITS, min_size=8, max_size=8)
        ),
    ),
    st.builds(
        "".join,
        st.tuples(
            st.sampled_from(["03", "06", "0173", "017"]), st.text(DIGITS, min_size=6, max_size=8)
        ),
    ),
)


@PROPERTY
@given(candidate=phone_candidates)
def test_accepted_phones_round_trip_through_the_national_format(candidate: str) -> None:
    try:
        e164 = parse_phone(candidate)
    except ParseError:
        assume(False)
        return
    national = format_phone_national(e164)
    assert phonenumbers.is_valid_number(phonenumbers.parse(e164))
    assert parse_phone(national) == e164
    assert parse_phone(e164) == e164
    assert parse_phone(full_width(national)) == e164
    # The mask keeps the grouping and shows only the last group.
    head, _, last = national.rpartition("-")
    assert mask_phone(e164) == "".join("*" if c.isdigit() else c for c in head) + "-" + last


@st.composite
def day_and_earlier_now(draw: st.DrawFn) -> tuple[date, datetime]:
    """A day and a JST `now` at most 360 days before it, so a year-less date means that day."""
    day = draw(days_2026_2030)
    back = draw(st.integers(0, 360))
    clock = draw(st.times())
    now = datetime.combine(day - timedelta(days=back), clock, tzinfo=JST)
    return day, now


@PROPERTY
@given(pair=day_and_earlier_now(), start=st.sampled_from(SLOT_TIMES), wide=st.booleans())
def test_dates_and_slot_times_round_trip_through_what_the_bot_prints(
    pair: tuple[date, datetime], start: time, wide: bool
) -> None:
    day, now = pair
    weekday = format_date_ja(day)[-2]
    half = "半" if start.minute else ""
    typed_forms = [
        f"{format_date_ja(day, with_year=True)} {format_time(start)}",
        f"{format_date_ja(day)} {format_time(start)}",
        f"{day.month}/{day.day} {start.hour}時{half}",
        f"{day.month}月{day.day}日({weekday}) {start:%H:%M}",
        f"{day.year}/{day.month}/{day.day} {start.hour}:{start.minute:02d}",
        format_slot(datetime.combine(day, start, tzinfo=JST)),
    ]
    for typed in typed_forms:
        text = full_width(typed) if wide else typed
        assert parse_when(text, now) == (day, start), text


@PROPERTY
@given(pair=day_and_earlier_now())
def test_a_date_alone_round_trips_and_leaves_the_time_open(pair: tuple[date, datetime]) -> None:
    day, now = pair
    assert parse_when(format_date_ja(day), now) == (day, None)
    assert parse_when(day.isoformat(), now) == (day, None)


# --- calendar, slots and deadlines ------------------------------------------------------------


@PROPERTY
@given(day=days_2026_2030, closures=closure_sets)
def test_every_slot_lies_within_office_hours_on_an_open_day(
    day: date, closures: frozenset[date]
) -> None:
    starts = slot_starts(day, closures)
    assert len(starts) == (16 if is_open_day(day, closures) else 0)
    for start in starts:
        assert start.date() == day and is_open_day(start.date(), closures)
        assert is_within_office_hours(start, closures)
        assert is_slot_start(start, closures)
        assert start_of_office_day(day) <= start
        assert slot_end(start) <= end_of_office_day(day)
        assert current_slot_start(start, closures) == start


@PROPERTY
@given(day=days_2026_2030, closures=closure_sets)
def test_the_deadline_falls_on_the_last_open_day_before_and_before_the_first_slot(
    day: date, closures: frozenset[date]
) -> None:
    deadline = request_deadline(day, closures)
    assert deadline < start_of_office_day(day)
    assert all(deadline < start for start in slot_starts(day, closures))
    deadline_day = deadline.date()
    assert is_open_day(deadline_day, closures)
    assert deadline_day == previous_open_day(day, closures)
    # No open day is skipped between the deadline day and the day itself.
    assert next_open_days(deadline_day, 1, closures)[0] >= day


@PROPERTY
@given(moment=moments, closures=closure_sets)
def test_current_slot_contains_the_moment_or_the_office_is_closed(
    moment: datetime, closures: frozenset[date]
) -> None:
    start = current_slot_start(moment, closures)
    if start is None:
        assert not is_within_office_hours(moment, closures)
    else:
        assert start <= moment < slot_end(start)
        assert is_slot_start(start, closures)


@PROPERTY
@given(day=days_2026_2030, slot=st.sampled_from(SLOT_TIMES), now=moments, closures=closure_sets)
def test_a_bookable_slot_is_an_open_slot_in_the_future_before_its_deadline(
    day: date, slot: time, now: datetime, closures: frozenset[date]
) -> None:
    starts_at = datetime.combine(day, slot, tzinfo=JST)
    if is_bookable(starts_at, now, closures):
        assert is_open_day(day, closures)
        assert now < request_deadline(day, closures) < starts_at
        assert day > now.astimezone(JST).date()


@PROPERTY
@given(after=days_2026_2030, count=st.integers(0, 30), closures=closure_sets)
def test_next_open_days_are_consecutive_open_days(
    after: date, count: int, closures: frozenset[date]
) -> None:
    days = next_open_days(after, count, closures)
    assert len(days) == count
    assert all(is_open_day(day, closures) for day in days)
    for earlier, later in zip([after, *days], days, strict=False):
        gap = [earlier + timedelta(n) for n in range(1, (later - earlier).days)]
        assert earlier < later and not any(is_open_day(d, closures) for d in gap)
