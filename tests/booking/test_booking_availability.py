"""Which starts are free: pure arithmetic over the calendar and the booked booths."""

from __future__ import annotations

from datetime import date, datetime, time

from booking import JST
from booking.availability import (
    Calendar,
    DayInfo,
    Window,
    bookable_starts,
    day_bounds,
    free_booths,
    free_starts,
    slot_run,
)

THURSDAY = date(2026, 12, 3)
CAL = Calendar(closures=frozenset(), cutoff=time(15), booths=2)
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=JST)  # Tuesday


def at(hour: int, minute: int = 0, day: date = THURSDAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=JST)


def test_a_day_runs_midnight_to_midnight_in_jst():
    start, end = day_bounds(THURSDAY)
    assert start == at(0) and (end - start).days == 1


def test_a_request_of_three_slots_is_three_consecutive_starts():
    assert slot_run(at(10), 3) == [at(10), at(10, 30), at(11)]
    assert slot_run(at(10), 0) == [at(10)]


def test_a_start_is_free_while_a_booth_is():
    used = {at(10): {1}, at(11): {1, 2}}
    assert free_booths(CAL, used, at(10)) == [2]
    assert free_booths(CAL, used, at(11)) == []
    assert free_booths(CAL, used, at(12)) == [1, 2]


def test_consecutive_needs_every_slot_free():
    used = {at(11): {1, 2}}
    starts = free_starts(THURSDAY, CAL, used, need=2)
    assert at(10) in starts and at(10, 30) not in starts and at(11) not in starts
    assert len(free_starts(THURSDAY, CAL, {}, need=1)) == 16  # 9:00 … 16:30


def test_nothing_is_free_on_a_closed_day_or_a_weekend():
    closed = Calendar(closures=frozenset({THURSDAY}), cutoff=time(15), booths=1)
    assert free_starts(THURSDAY, closed, {}) == []
    assert free_starts(date(2026, 12, 5), CAL, {}) == []  # Saturday


def test_bookable_starts_respect_the_cut_off_of_the_previous_open_day():
    wednesday = date(2026, 12, 2)
    assert bookable_starts(wednesday, CAL, {}, NOW)  # Tuesday 10:00, before the 15:00 cut-off
    late = datetime(2026, 12, 1, 15, 0, tzinfo=JST)
    assert bookable_starts(wednesday, CAL, {}, late) == []
    assert bookable_starts(THURSDAY, CAL, {}, late)


def test_a_window_answers_days_and_the_nearest_starts():
    window = Window(cal=CAL, used={at(10): {1, 2}}, days=[date(2026, 12, 2), THURSDAY], now=NOW)
    assert window.day_infos() == [DayInfo(day=date(2026, 12, 2), free=16),
                                  DayInfo(day=THURSDAY, free=15)]
    nearest = window.nearest(at(10))
    assert nearest[:3] == [at(9, 30), at(10, 30), at(9)]
    assert at(10) not in nearest
