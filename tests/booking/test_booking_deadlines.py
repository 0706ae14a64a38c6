"""Request deadlines (art. 5(1) 前日までに予約を確定) and the no-show rule (art. 5(4))."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from booking import (
    JST,
    bookable_days,
    is_bookable,
    no_show_at,
    request_deadline,
    request_expiry,
)


def at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=JST)


def test_monday_deadline_is_previous_friday_3pm() -> None:
    assert request_deadline(date(2026, 12, 7)) == at(date(2026, 12, 4), 15)


@pytest.mark.parametrize(
    ("day", "deadline_day"),
    [
        (date(2026, 12, 8), date(2026, 12, 7)),  # Tuesday → Monday
        (date(2026, 5, 7), date(2026, 5, 1)),  # after Golden Week (4/29 … 5/6)
        (date(2026, 1, 13), date(2026, 1, 9)),  # after 成人の日 on Monday 1/12
        (date(2026, 9, 24), date(2026, 9, 18)),  # after the 9/21–9/23 holidays
        (date(2027, 1, 4), date(2026, 12, 28)),  # after the year-end break
        (date(2026, 12, 29), date(2026, 12, 28)),  # closed days still have a well-defined deadline
    ],
)
def test_deadline_is_3pm_on_the_previous_open_day(day: date, deadline_day: date) -> None:
    assert request_deadline(day) == at(deadline_day, 15)


def test_year_end_break_deadline_is_december_28_at_3pm() -> None:
    assert request_deadline(date(2027, 1, 4)) == datetime(2026, 12, 28, 15, tzinfo=JST)


def test_a_closure_on_the_previous_day_moves_the_deadline_earlier() -> None:
    assert request_deadline(date(2026, 12, 7), {date(2026, 12, 4)}) == at(date(2026, 12, 3), 15)


def test_the_cutoff_hour_is_configurable() -> None:
    assert request_deadline(date(2026, 12, 7), cutoff=time(12)) == at(date(2026, 12, 4), 12)
    assert request_deadline(date(2026, 12, 7), (), time(16, 30)) == at(date(2026, 12, 4), 16, 30)


def test_deadline_is_aware_and_in_jst() -> None:
    deadline = request_deadline(date(2026, 12, 7))
    assert deadline.tzinfo is JST
    assert deadline == datetime(2026, 12, 4, 6, tzinfo=UTC)


def test_an_unconfirmed_request_expires_when_the_previous_open_day_closes() -> None:
    assert request_expiry(date(2026, 12, 7)) == at(date(2026, 12, 4), 17)
    assert request_expiry(date(2027, 1, 4)) == at(date(2026, 12, 28), 17)


def test_no_show_is_ten_minutes_after_the_start() -> None:
    assert no_show_at(at(date(2026, 12, 1), 10)) == at(date(2026, 12, 1), 10, 10)


MONDAY = date(2026, 11, 30)
TUESDAY = date(2026, 12, 1)
FRIDAY = date(2026, 12, 4)
NEXT_MONDAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("starts_at", "now", "expected"),
    [
        (at(TUESDAY, 10), at(MONDAY, 10), True),
        (at(TUESDAY, 10), at(MONDAY, 14, 59, 59), True),
        (at(TUESDAY, 10), at(MONDAY, 15), False),  # the cut-off itself is too late
        (at(TUESDAY, 16, 30), at(MONDAY, 8), True),
        (at(MONDAY, 16), at(MONDAY, 8), False),  # no same-day reserved booking
        (at(TUESDAY, 10), at(TUESDAY, 11), False),  # in the past
        (at(TUESDAY, 10, 15), at(MONDAY, 10), False),  # not on the slot grid
        (at(TUESDAY, 17), at(MONDAY, 10), False),  # after closing
        (at(TUESDAY, 8, 30), at(MONDAY, 10), False),  # before opening
        (at(date(2026, 12, 5), 10), at(MONDAY, 10), False),  # Saturday
        (at(NEXT_MONDAY, 9), at(FRIDAY, 14), True),
        (at(NEXT_MONDAY, 9), at(FRIDAY, 16), False),  # Friday after 15:00 is too late for Monday
        (at(NEXT_MONDAY, 9), at(date(2026, 12, 5), 10), False),  # asked on Saturday
        (at(date(2026, 12, 8), 9), at(date(2026, 12, 5), 10), True),  # Tuesday is still fine
        (at(date(2027, 1, 4), 9), at(date(2026, 12, 28), 14), True),
        (at(date(2027, 1, 4), 9), at(date(2026, 12, 28), 15, 1), False),
        (datetime(2026, 12, 1, 1, tzinfo=UTC), datetime(2026, 11, 30, 5, tzinfo=UTC), True),
    ],
)
def test_a_slot_is_bookable_only_before_its_deadline(
    starts_at: datetime, now: datetime, expected: bool
) -> None:
    assert is_bookable(starts_at, now) is expected


def test_a_slot_on_a_closure_day_is_not_bookable() -> None:
    assert not is_bookable(at(TUESDAY, 10), at(MONDAY, 10), {TUESDAY})


def test_a_later_cutoff_keeps_requests_open_longer() -> None:
    assert is_bookable(at(TUESDAY, 10), at(MONDAY, 15, 30), cutoff=time(16))
    assert not is_bookable(at(TUESDAY, 10), at(MONDAY, 15, 30))


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(FRIDAY, 14), [NEXT_MONDAY, date(2026, 12, 8), date(2026, 12, 9)]),
        (at(FRIDAY, 16), [date(2026, 12, 8), date(2026, 12, 9), date(2026, 12, 10)]),
        (at(date(2026, 12, 5), 10), [date(2026, 12, 8), date(2026, 12, 9), date(2026, 12, 10)]),
        (at(date(2026, 12, 25), 16), [date(2027, 1, 4), date(2027, 1, 5), date(2027, 1, 6)]),
    ],
)
def test_bookable_days_start_after_the_first_deadline_still_ahead(
    now: datetime, expected: list[date]
) -> None:
    assert bookable_days(now, 3) == expected


def test_bookable_days_skip_closures() -> None:
    closures = {date(2026, 12, 8)}
    assert bookable_days(at(FRIDAY, 16), 2, closures) == [date(2026, 12, 9), date(2026, 12, 10)]


def test_every_bookable_day_has_every_slot_bookable() -> None:
    now = at(FRIDAY, 16)
    for day in bookable_days(now, 5):
        start = at(day, 9)
        assert all(is_bookable(start + timedelta(minutes=30 * n), now) for n in range(16))
