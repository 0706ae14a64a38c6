"""Which days the booth is open: terms art. 5(1), weekdays that are 行政機関の開庁日."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

# The office, its users and the terms all speak Japan time; every aware datetime we build uses it.
JST = ZoneInfo("Asia/Tokyo")

# A closures table that shuts the office for longer than this is a configuration mistake;
# stopping the search keeps a bad table from turning into an endless loop.
_MAX_SEARCH_DAYS = 400

_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=64)
def _national_holidays(year: int) -> Mapping[date, str]:
    """Build one year's holidays once; the `holidays` object is slow to expand per lookup."""
    # Includes 振替休日 and 国民の休日, which the terms' 祝日 covers as well.
    return dict(holidays.country_holidays("JP", years=year, language="ja"))


def warm_holidays(today: date) -> None:
    """Build this year's and next year's holidays now (at start-up): the first build imports
    the country's module and expands its rules, which a user's step should not wait for."""
    for year in (today.year, today.year + 1):
        _national_holidays(year)


def _require_plain_date(day: date) -> None:
    """Refuse datetimes: their calendar date depends on a time zone the caller must choose."""
    if isinstance(day, datetime):
        raise TypeError("pass the JST calendar date (datetime.date), not a datetime")


def national_holiday_name(day: date) -> str | None:
    """Name of the national holiday on `day` (e.g. "振替休日"), for telling users why it is shut."""
    _require_plain_date(day)
    return _national_holidays(day.year).get(day)


def is_year_end_break(day: date) -> bool:
    """December 29 to January 3, when government offices are closed (行政機関の休日に関する法律)."""
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def is_open_day(day: date, closures: Collection[date] = ()) -> bool:
    """Whether the booth takes sessions on `day`: a weekday, no holiday, no year-end, no closure."""
    _require_plain_date(day)
    return (
        day.weekday() < 5
        and not is_year_end_break(day)
        and day not in _national_holidays(day.year)
        and day not in closures
    )


def next_open_days(after: date, count: int, closures: Collection[date] = ()) -> list[date]:
    """The first `count` open days strictly after `after`, for offering days to pick from."""
    _require_plain_date(after)
    found: list[date] = []
    day = after
    misses = 0
    while len(found) < count:
        day += _ONE_DAY
        if is_open_day(day, closures):
            found.append(day)
            misses = 0
        else:
            misses += 1
            if misses > _MAX_SEARCH_DAYS:
                raise ValueError(f"no open day within {_MAX_SEARCH_DAYS} days after {day}")
    return found


def next_open_day(after: date, closures: Collection[date] = ()) -> date:
    """The first open day strictly after `after`."""
    return next_open_days(after, 1, closures)[0]


def previous_open_day(before: date, closures: Collection[date] = ()) -> date:
    """The last open day strictly before `before`: when a request for `before` must be settled."""
    _require_plain_date(before)
    day = before
    for _ in range(_MAX_SEARCH_DAYS):
        day -= _ONE_DAY
        if is_open_day(day, closures):
            return day
    raise ValueError(f"no open day within {_MAX_SEARCH_DAYS} days before {before}")
