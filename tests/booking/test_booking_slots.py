"""Sessions (terms art. 5(1)): 9:00–17:00, 30 minutes each, so starts 9:00 … 16:30."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from booking import (
    JST,
    OFFICE_CLOSE,
    OFFICE_OPEN,
    SLOT_MINUTES,
    current_slot_start,
    end_of_office_day,
    is_slot_start,
    is_within_office_hours,
    slot_end,
    slot_starts,
)

TUESDAY = date(2026, 12, 1)


def at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=JST)


def test_office_hours_and_session_length_come_from_the_terms() -> None:
    assert (OFFICE_OPEN, OFFICE_CLOSE, SLOT_MINUTES) == (time(9), time(17), 30)


def test_an_open_day_has_sixteen_slots_from_9_to_16_30_in_jst() -> None:
    starts = slot_starts(TUESDAY)
    assert len(starts) == 16
    assert starts[0] == at(TUESDAY, 9)
    assert starts[-1] == at(TUESDAY, 16, 30)
    assert all(s.tzinfo is JST for s in starts)
    assert all(b - a == timedelta(minutes=30) for a, b in zip(starts, starts[1:], strict=False))


@pytest.mark.parametrize(
    "day",
    [date(2026, 12, 5), date(2026, 12, 6), date(2026, 5, 6), date(2026, 12, 29), date(2027, 1, 2)],
    ids=["saturday", "sunday", "substitute-holiday", "year-end", "new-year"],
)
def test_a_closed_day_has_no_slots(day: date) -> None:
    assert slot_starts(day) == []


def test_a_closure_removes_every_slot_of_that_day() -> None:
    assert slot_starts(TUESDAY, {TUESDAY}) == []
    assert len(slot_starts(TUESDAY, {date(2026, 12, 2)})) == 16


def test_the_last_session_ends_exactly_at_closing_time() -> None:
    assert slot_end(at(TUESDAY, 16, 30)) == end_of_office_day(TUESDAY) == at(TUESDAY, 17)
    assert slot_end(at(TUESDAY, 9)) == at(TUESDAY, 9, 30)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(TUESDAY, 9), True),
        (at(TUESDAY, 16, 30), True),
        (at(TUESDAY, 10, 15), False),
        (at(TUESDAY, 10, 0, 1), False),
        (at(TUESDAY, 8, 30), False),
        (at(TUESDAY, 17), False),
        (at(date(2026, 12, 5), 10), False),  # Saturday
        (datetime(2026, 12, 1, 1, 0, tzinfo=UTC), True),  # 10:00 JST given in UTC
    ],
)
def test_only_grid_times_on_open_days_are_slot_starts(moment: datetime, expected: bool) -> None:
    assert is_slot_start(moment) is expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(TUESDAY, 8, 59, 59), False),
        (at(TUESDAY, 9), True),
        (at(TUESDAY, 12, 15), True),
        (at(TUESDAY, 16, 59, 59), True),
        (at(TUESDAY, 17), False),
        (at(date(2026, 12, 5), 10), False),
        (at(date(2026, 5, 6), 10), False),
        (datetime(2026, 12, 1, 7, 59, tzinfo=UTC), True),  # 16:59 JST
        (datetime(2026, 12, 1, 8, 0, tzinfo=UTC), False),  # 17:00 JST
    ],
)
def test_office_hours_are_9_to_17_jst_on_open_days(moment: datetime, expected: bool) -> None:
    assert is_within_office_hours(moment) is expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(TUESDAY, 9), at(TUESDAY, 9)),
        (at(TUESDAY, 9, 29, 59), at(TUESDAY, 9)),
        (at(TUESDAY, 9, 30), at(TUESDAY, 9, 30)),
        (at(TUESDAY, 13, 47), at(TUESDAY, 13, 30)),
        (at(TUESDAY, 16, 59), at(TUESDAY, 16, 30)),
        (at(TUESDAY, 17), None),
        (at(TUESDAY, 8, 59), None),
        (at(date(2026, 12, 29), 10), None),
        (datetime(2026, 12, 1, 4, 10, tzinfo=UTC), at(TUESDAY, 13)),
    ],
)
def test_current_slot_is_the_half_hour_containing_the_moment(
    moment: datetime, expected: datetime | None
) -> None:
    assert current_slot_start(moment) == expected


def test_there_is_no_current_slot_on_a_closure_day() -> None:
    assert current_slot_start(at(TUESDAY, 10), {TUESDAY}) is None
    assert not is_within_office_hours(at(TUESDAY, 10), {TUESDAY})


def test_naive_datetimes_are_refused_because_their_zone_is_unknown() -> None:
    with pytest.raises(ValueError):
        is_within_office_hours(datetime(2026, 12, 1, 10))
    with pytest.raises(ValueError):
        current_slot_start(datetime(2026, 12, 1, 10))
