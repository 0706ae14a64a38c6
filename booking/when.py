"""Dates and times as users type them in chat (DESIGN §5): 12/3 10時, 明日の14時, 来週月曜 …

Japanese first; ISO (2026-12-03 10:00) and English ("Dec 3 10am", "tomorrow 2pm", "next Mon")
are read too, for users who talk to the bot in another language (DESIGN §14).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from booking import messages
from booking.errors import ParseError
from booking.normalize import normalize
from booking.slots import to_jst

# Generous for "2026年12月3日(木) 10時30分から11時まででお願いします"; longer text is not a date,
# and the cap keeps every regex below cheap whatever is pasted in.
_MAX_INPUT = 80

_WEEKDAY_INDEX = {name: index for index, name in enumerate(messages.WEEKDAYS_JA)}

# --- dates -----------------------------------------------------------------------------------
# re.ASCII throughout: \d alone would also read Arabic-Indic and other digits NFKC leaves alone.
_YEAR_MONTH_DAY = re.compile(
    r"(?<!\d)(\d{4})\s*(?:年|/|-|\.)\s*(\d{1,2})\s*(?:月|/|-|\.)\s*(\d{1,2})(?!\d)(?:\s*日)?",
    re.ASCII,
)
_REIWA = re.compile(
    r"令和\s*(元|\d{1,2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})(?!\d)(?:\s*日)?", re.ASCII
)
_MONTH_DAY = re.compile(r"(?<!\d)(\d{1,2})\s*(?:/|月)\s*(\d{1,2})(?!\d)(?:\s*日)?", re.ASCII)
_DAY_ONLY = re.compile(r"(?<!\d)(\d{1,2})\s*日(?!\s*曜)", re.ASCII)
_RELATIVE_DAYS = {
    "しあさって": 3,
    "明々後日": 3,
    "明明後日": 3,
    "あさって": 2,
    "明後日": 2,
    "きょう": 0,
    "今日": 0,
    "本日": 0,
    "あした": 1,
    "あす": 1,
    "明日": 1,
}
# Longest first, so "しあさって" is not read as "あさって".
_RELATIVE = re.compile("|".join(sorted(_RELATIVE_DAYS, key=len, reverse=True)))
# "(水)" after a date only checks it; it never picks a day by itself when a date is there.
_PAREN_WEEKDAY = re.compile(r"\(\s*([月火水木金土日])\s*(?:曜日?)?\s*\)")
_WEEKDAY = re.compile(
    r"(?:(再来週|来週|今週|次の|次回の?|今度の)\s*の?\s*)?([月火水木金土日])\s*曜(?:日)?"
)
_WEEK_OFFSETS = {"今週": 0, "来週": 1, "再来週": 2}

# English, as the bot's English replies write dates ("Thu, Dec 3") and people type them.
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAME = (r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
               r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_ORDINAL = r"(?:st|nd|rd|th)?"
_EN_MONTH_DAY = re.compile(
    rf"\b{_MONTH_NAME}\s*(\d{{1,2}}){_ORDINAL}(?!\d)|(?<!\d)(\d{{1,2}}){_ORDINAL}\s*(?:of\s+)?"
    rf"{_MONTH_NAME}(?![a-z])", re.ASCII)
_EN_RELATIVE_DAYS = {"day after tomorrow": 2, "tomorrow": 1, "today": 0}
_EN_RELATIVE = re.compile(r"\b(day after tomorrow|tomorrow|today)\b")
_EN_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_EN_WEEKDAY = re.compile(
    r"\b(?:(next|this|coming)\s+)?(mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:rs?(?:day)?)?"
    r"|fri(?:day)?|sat(?:urday)?|sun(?:day)?)\b\.?")
# "10am", "2 pm", "10:30am", "noon"; read before the Japanese forms so "10:30am" stays whole.
_EN_TIME = re.compile(r"(?<!\d)(\d{1,2})(?::(\d{2}))?\s*([ap])\.?m\b\.?|\b(noon|midday)\b",
                      re.ASCII)

# --- times -----------------------------------------------------------------------------------
_MORNING = frozenset({"午前", "am", "朝"})
_AFTERNOON = frozenset({"午後", "pm", "昼", "夕方", "夜"})
# Groups: 1 period, 2 hour, 3 半, 4 minutes before 分, 5 minutes right after 時, 6 after ":",
# 7 正午. Minutes after 時 need 分 unless adjacent, so "10時 3" is not read as 10:03.
_TIME = re.compile(
    r"(?:(午前|午後|am|pm|朝|昼|夕方|夜)\s*)?(?<!\d)(\d{1,2})\s*"
    r"(?:時(?:\s*(半)|\s*(\d{1,2})\s*分|(\d{1,2})(?!\d))?|:\s*(\d{2})(?!\d))"
    r"|(正午)",
    re.ASCII,
)
# Between the two ends of "10:00～10:30" or "10時から11時"; only the start is kept.
_RANGE_SEPARATOR = re.compile(r"\s*(?:-|から)\s*")

# Words around a date that carry nothing ("明日の14時でお願いします"). Anything else left over
# means the text held something we did not understand, and guessing would book a wrong slot.
_FILLER = re.compile(
    r"(?:[\s、。,.!?・()\-]|の|に|で|を|は|が|から|まで|ごろ|頃|ころ|くらい|ぐらい|希望|予約"
    r"|です|お願いします|お願いいたします|お願い致します|お願い|よろしく|ください|下さい"
    r"|いい|良い|よい|ね|よ"
    r"|\bat\b|\bon\b|\bthe\b|\bplease\b|\baround\b|\bfrom\b|\bto\b|\bi'd like\b)*"
)


@dataclass
class _Reading:
    """What was found in the text, before it is checked for consistency."""

    days: list[date] = field(default_factory=list)
    weekdays: list[int] = field(default_factory=list)
    times: list[tuple[re.Match[str], time]] = field(default_factory=list)


def parse_when(text: str, now: datetime) -> tuple[date, time | None]:
    """Read a typed date and optional time, relative to `now` (JST); see DESIGN §5.

    The answer is what the user said, not whether it is bookable: past dates, closed days and
    off-grid minutes come back as typed for the caller to judge and confirm back. A year-less
    date is its next occurrence (today included); a weekday alone is the next one after today;
    a time alone is today; a bare 1–5時 is afternoon; "10:00～10:30" gives its start.
    """
    today = to_jst(now).date()
    if not isinstance(text, str) or len(text) > _MAX_INPUT:
        raise ParseError(messages.WHEN_EXPECTED)
    try:
        return _parse(normalize(text).lower(), today)
    except OverflowError:
        # Only reachable with `now` at the very ends of the calendar (year 1 or 9999).
        raise ParseError(messages.WHEN_EXPECTED) from None


def _parse(text: str, today: date) -> tuple[date, time | None]:
    """Find the parts, check nothing else is there, then reconcile them into one answer."""
    reading = _Reading()
    text = _read_dates(text, today, reading)
    text = _read_times(text, reading)
    if not _FILLER.fullmatch(text) or not (reading.days or reading.weekdays or reading.times):
        raise ParseError(messages.WHEN_EXPECTED)
    return _choose_day(reading, today), _choose_time(reading, text)


def _consume(pattern: re.Pattern[str], text: str) -> tuple[list[re.Match[str]], str]:
    """Find every match and blank it out, keeping positions so separators can still be found."""
    matches = list(pattern.finditer(text))
    for match in matches:
        text = text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]
    return matches, text


def _read_dates(text: str, today: date, reading: _Reading) -> str:
    """Collect explicit, relative and weekday dates; the most specific forms are read first."""
    text = _read_english_dates(text, today, reading)
    matches, text = _consume(_REIWA, text)
    for match in matches:
        era, month, day = match.groups()
        year = 2018 + (1 if era == "元" else int(era))
        label = f"令和{era}年{int(month)}月{int(day)}日"
        reading.days.append(_exact_day(year, int(month), int(day), label))
    matches, text = _consume(_YEAR_MONTH_DAY, text)
    for match in matches:
        year, month, day = (int(part) for part in match.groups())
        reading.days.append(_exact_day(year, month, day, f"{year}年{month}月{day}日"))
    matches, text = _consume(_MONTH_DAY, text)
    for match in matches:
        reading.days.append(_next_month_day(int(match[1]), int(match[2]), today))
    matches, text = _consume(_DAY_ONLY, text)
    for match in matches:
        reading.days.append(_next_day_of_month(int(match[1]), today))
    matches, text = _consume(_RELATIVE, text)
    reading.days.extend(today + timedelta(days=_RELATIVE_DAYS[match[0]]) for match in matches)
    matches, text = _consume(_PAREN_WEEKDAY, text)
    reading.weekdays.extend(_WEEKDAY_INDEX[match[1]] for match in matches)
    matches, text = _consume(_WEEKDAY, text)
    for match in matches:
        prefix, weekday = match[1], _WEEKDAY_INDEX[match[2]]
        if prefix is None:
            reading.weekdays.append(weekday)
        elif prefix in _WEEK_OFFSETS:
            monday = today - timedelta(days=today.weekday())
            reading.days.append(monday + timedelta(weeks=_WEEK_OFFSETS[prefix], days=weekday))
        else:
            reading.days.append(_next_weekday(weekday, today))
    return text


def _read_english_dates(text: str, today: date, reading: _Reading) -> str:
    """"Dec 3", "3rd December", "tomorrow", "next Monday", "Thu," (a weekday that checks)."""
    matches, text = _consume(_EN_MONTH_DAY, text)
    for match in matches:
        month_name, day_text = (match[1], match[2]) if match[1] else (match[4], match[3])
        month = _MONTHS.index(month_name[:3]) + 1
        reading.days.append(_next_month_day(month, int(day_text), today))
    matches, text = _consume(_EN_RELATIVE, text)
    reading.days.extend(today + timedelta(days=_EN_RELATIVE_DAYS[match[1]]) for match in matches)
    matches, text = _consume(_EN_WEEKDAY, text)
    for match in matches:
        weekday = _EN_WEEKDAYS.index(match[2][:3])
        if match[1]:  # "next Monday": the next one, as 次の月曜
            reading.days.append(_next_weekday(weekday, today))
        else:
            reading.weekdays.append(weekday)
    return text


def _read_times(text: str, reading: _Reading) -> str:
    """Collect clock times, turning 午前/午後 and the bare 1–5時 into a 24-hour clock."""
    matches, text = _consume(_EN_TIME, text)
    reading.times.extend((match, _english_clock(match)) for match in matches)
    matches, text = _consume(_TIME, text)
    reading.times.extend((match, _clock(match)) for match in matches)
    return text


def _clock(match: re.Match[str]) -> time:
    """The time one `_TIME` match stands for, or a ParseError saying which part is wrong."""
    period, hour_text, half, minute_fun, minute_adjacent, minute_colon, noon = match.groups()
    if noon:
        return time(12)
    minute = 30 if half else int(minute_fun or minute_adjacent or minute_colon or 0)
    if minute > 59:
        raise ParseError(messages.WHEN_BAD_MINUTE)
    return time(_hour_24(int(hour_text), period), minute)


def _english_clock(match: re.Match[str]) -> time:
    """"10am", "2:30 pm", "12pm" (noon), "12am" (midnight), "noon"."""
    hour_text, minute_text, period, noon = match.groups()
    if noon:
        return time(12)
    hour, minute = int(hour_text), int(minute_text or 0)
    if not 1 <= hour <= 12:
        raise ParseError(messages.WHEN_BAD_HOUR)
    if minute > 59:
        raise ParseError(messages.WHEN_BAD_MINUTE)
    return time(hour % 12 + (12 if period == "p" else 0), minute)


def _hour_24(hour: int, period: str | None) -> int:
    """Resolve the hour on a 24-hour clock."""
    if period in _MORNING:
        # 午前12時 is noon (明治5年太政官布告第337号, still the legal definition).
        if hour > 12:
            raise ParseError(messages.WHEN_BAD_HOUR)
        return hour
    if period in _AFTERNOON:
        # "午後14時" is a common way of writing 14:00; 午後12時 is taken as noon, as people mean.
        if hour > 23:
            raise ParseError(messages.WHEN_BAD_HOUR)
        return hour + 12 if hour < 12 else hour
    if hour > 23:
        raise ParseError(messages.WHEN_BAD_HOUR)
    # Nobody books 1–5 a.m. at an office open 9–17: a bare 2時 means 14:00.
    return hour + 12 if 1 <= hour <= 5 else hour


def _choose_day(reading: _Reading, today: date) -> date:
    """One day from what was found: a date checked against any weekday, or a weekday alone."""
    days = set(reading.days)
    if len(days) > 1:
        raise ParseError(messages.WHEN_TOO_MANY)
    if days:
        (day,) = days
        if any(weekday != day.weekday() for weekday in reading.weekdays):
            raise ParseError(messages.weekday_mismatch(
                _date_label(day, today), day.weekday(), month=day.month, day=day.day,
                year=None if day.year == today.year else day.year))
        return day
    weekdays = set(reading.weekdays)
    if len(weekdays) > 1:
        raise ParseError(messages.WHEN_TOO_MANY)
    if weekdays:
        return _next_weekday(weekdays.pop(), today)
    # A time alone means today; the caller decides whether that is still possible.
    return today


def _choose_time(reading: _Reading, text: str) -> time | None:
    """The start time; for a range ("10:00～10:30") the start, since a session is one slot."""
    if not reading.times:
        return None
    (first, start), *others = reading.times
    if not others:
        return start
    if len(others) == 1 and _RANGE_SEPARATOR.fullmatch(text[first.end() : others[0][0].start()]):
        return start
    raise ParseError(messages.WHEN_TOO_MANY)


def _exact_day(year: int, month: int, day: int, label: str) -> date:
    """A date with its year typed out; past dates are returned, callers say they are past."""
    try:
        return date(year, month, day)
    except ValueError:
        raise ParseError(messages.no_such_date(label, year=year, month=month, day=day)) from None


def _next_month_day(month: int, day: int, today: date) -> date:
    """The next time `month`/`day` comes round, today included (no year typed)."""
    label = f"{month}月{day}日"
    # Eight years always reach the next 2月29日.
    for year in range(today.year, today.year + 9):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    raise ParseError(messages.no_such_date(label, month=month, day=day))


def _next_day_of_month(day: int, today: date) -> date:
    """The next time day `day` of a month comes round, today included ("3日")."""
    year, month = today.year, today.month
    for _ in range(13):
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = None
        if candidate is not None and candidate >= today:
            return candidate
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    raise ParseError(messages.no_such_date(f"{day}日", day=day))


def _next_weekday(weekday: int, today: date) -> date:
    """The next `weekday` strictly after today: said on a Monday, "月曜" means next Monday."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _date_label(day: date, today: date) -> str:
    """How a date is named in messages; the year only when it is not this year."""
    label = f"{day.month}月{day.day}日"
    return label if day.year == today.year else f"{day.year}年{label}"
