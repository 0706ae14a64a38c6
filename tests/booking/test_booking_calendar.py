"""Open days (terms art. 5(1)): weekdays, no national holidays, no 12/29–1/3, no closures."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta

import jpholiday
import pytest

from booking import (
    JST,
    is_open_day,
    is_year_end_break,
    national_holiday_name,
    next_open_day,
    next_open_days,
    previous_open_day,
    slot_starts,
)


def _every_day(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _expected_open(day: date) -> bool:
    """The rule restated with an independent holiday source (jpholiday), for cross-checking."""
    year_end = (day.month, day.day) >= (12, 29) or (day.month, day.day) <= (1, 3)
    return day.weekday() < 5 and not jpholiday.is_holiday(day) and not year_end


def test_every_day_2026_to_2030_agrees_with_jpholiday_weekends_and_year_end() -> None:
    days = _every_day(date(2026, 1, 1), date(2030, 12, 31))
    wrong = [day for day in days if is_open_day(day) != _expected_open(day)]
    assert wrong == []
    # The check is only worth something if it met real holidays on weekdays.
    assert sum(day.weekday() < 5 and jpholiday.is_holiday(day) for day in days) > 60


@pytest.mark.parametrize(
    ("day", "is_open"),
    [
        (date(2026, 12, 1), True),  # an ordinary Tuesday
        (date(2026, 12, 5), False),  # Saturday
        (date(2026, 12, 6), False),  # Sunday
        (date(2026, 1, 12), False),  # 成人の日
        (date(2026, 5, 6), False),  # 振替休日 after Golden Week
        (date(2026, 5, 7), True),  # first day back after Golden Week
        (date(2026, 9, 22), False),  # 国民の休日 between two holidays
        (date(2026, 12, 28), True),  # last day before the year-end break
        (date(2026, 12, 29), False),  # year-end break, a Tuesday
        (date(2026, 12, 31), False),
        (date(2027, 1, 1), False),  # 元日
        (date(2027, 1, 3), False),
        (date(2027, 1, 4), True),  # first day after the break
        (date(2030, 1, 3), False),  # year-end break on a Thursday
    ],
)
def test_open_days_follow_the_terms(day: date, is_open: bool) -> None:
    assert is_open_day(day) is is_open


def test_holiday_names_include_substitute_and_citizens_holidays() -> None:
    assert national_holiday_name(date(2026, 5, 6)) == "振替休日"
    assert national_holiday_name(date(2026, 9, 22)) == "国民の休日"
    assert national_holiday_name(date(2026, 1, 1)) == "元日"
    assert national_holiday_name(date(2026, 12, 1)) is None


def test_year_end_break_is_december_29_to_january_3() -> None:
    assert not is_year_end_break(date(2026, 12, 28))
    assert all(is_year_end_break(date(2026, 12, d)) for d in (29, 30, 31))
    assert all(is_year_end_break(date(2027, 1, d)) for d in (1, 2, 3))
    assert not is_year_end_break(date(2027, 1, 4))


@pytest.mark.parametrize("kind", [set, frozenset, list, tuple])
def test_an_office_closure_shuts_its_day_whatever_collection_holds_it(
    kind: type[Collection[date]],
) -> None:
    closures = kind([date(2026, 12, 1)])  # type: ignore[call-arg]
    assert not is_open_day(date(2026, 12, 1), closures)
    assert is_open_day(date(2026, 12, 2), closures)
    assert slot_starts(date(2026, 12, 1), closures) == []


def test_a_datetime_is_refused_because_its_date_depends_on_the_time_zone() -> None:
    with pytest.raises(TypeError):
        is_open_day(datetime(2026, 12, 1, 10, tzinfo=JST))


@pytest.mark.parametrize(
    ("after", "count", "expected"),
    [
        (date(2026, 4, 28), 3, [date(2026, 4, 30), date(2026, 5, 1), date(2026, 5, 7)]),
        (date(2026, 12, 25), 2, [date(2026, 12, 28), date(2027, 1, 4)]),
        (date(2026, 12, 4), 2, [date(2026, 12, 7), date(2026, 12, 8)]),
        (date(2026, 12, 4), 0, []),
    ],
)
def test_next_open_days_skip_weekends_holidays_and_the_year_end(
    after: date, count: int, expected: list[date]
) -> None:
    assert next_open_days(after, count) == expected


def test_next_open_days_skip_closures() -> None:
    closures = {date(2026, 12, 7)}
    assert next_open_days(date(2026, 12, 4), 2, closures) == [date(2026, 12, 8), date(2026, 12, 9)]
    assert next_open_day(date(2026, 12, 4), closures) == date(2026, 12, 8)


@pytest.mark.parametrize(
    ("before", "expected"),
    [
        (date(2026, 12, 7), date(2026, 12, 4)),  # Monday → Friday
        (date(2026, 5, 7), date(2026, 5, 1)),  # after Golden Week
        (date(2027, 1, 4), date(2026, 12, 28)),  # after the year-end break
        (date(2026, 12, 5), date(2026, 12, 4)),  # from a closed day too
    ],
)
def test_previous_open_day_is_the_last_open_day_strictly_before(
    before: date, expected: date
) -> None:
    assert previous_open_day(before) == expected


def test_a_closures_table_shutting_the_office_for_over_a_year_is_an_error_not_a_hang() -> None:
    closures = frozenset(_every_day(date(2026, 1, 1), date(2027, 12, 31)))
    with pytest.raises(ValueError):
        next_open_days(date(2026, 1, 1), 1, closures)
    with pytest.raises(ValueError):
        previous_open_day(date(2027, 12, 31), closures)
