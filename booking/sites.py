"""Where booths stand (DESIGN §13): a site's weekly hours and the closures that shut it.

A site is a place the user goes to (a town hall's 相談室, the office's own booth). It is open
at a session start when it keeps hours that weekday covering the whole 30-minute session and
no closure in force covers any part of it. Whole-day office-wide closures also shut the day
itself (booking.calendar), which moves request deadlines; the rest only remove sessions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from booking.errors import ParseError
from booking.slots import OFFICE_CLOSE, OFFICE_OPEN, SLOT_LENGTH, SLOT_MINUTES, to_jst

WEEKDAYS_JA = ("月", "火", "水", "木", "金", "土", "日")


@dataclass(frozen=True)
class Hours:
    """The hours a site keeps on one weekday (0 = Monday), inside the office's 9:00–17:00."""

    weekday: int
    opens: time
    closes: time


@dataclass(frozen=True)
class Site:
    """A place with booths. `id` is None for an office that has described no site yet: its
    booths then stand in one place that keeps the office's hours."""

    id: str | None
    name: str
    booths: tuple[int, ...]
    hours: tuple[Hours, ...]
    address: str = ""
    map_url: str = ""
    access_notes: str = ""
    active: bool = True
    code: str = ""  # the walk-up poster's code (booking/walkup.py); "" for the implicit place

    def hours_on(self, weekday: int) -> Hours | None:
        """The hours kept on `weekday`, or None when the site does not open that day."""
        return next((h for h in self.hours if h.weekday == weekday), None)


@dataclass(frozen=True)
class ClosureRange:
    """Staff closed a day or part of it, for the whole office (site_id None) or one site."""

    day: date
    starts: time | None = None  # None with `ends` None: the whole day
    ends: time | None = None
    site_id: str | None = None
    reason: str = ""

    @property
    def whole_day(self) -> bool:
        """Whether the closure covers the day from opening to closing."""
        return self.starts is None or self.ends is None

    @property
    def office_wide(self) -> bool:
        """Whether every site is shut by it."""
        return self.site_id is None

    def covers(self, starts_at: datetime, site_id: str | None) -> bool:
        """Whether the session starting at `starts_at` at site `site_id` falls in this closure."""
        if not (self.office_wide or self.site_id == site_id):
            return False
        start = to_jst(starts_at)
        if start.date() != self.day:
            return False
        if self.whole_day:
            return True
        assert self.starts is not None and self.ends is not None
        end = (start + SLOT_LENGTH).time()
        return self.starts < end and start.time() < self.ends


def office_hours(weekdays: Iterable[int] = range(5)) -> tuple[Hours, ...]:
    """Hours matching the office's own (9:00–17:00) on `weekdays`."""
    return tuple(Hours(day, OFFICE_OPEN, OFFICE_CLOSE) for day in weekdays)


def whole_office_site(booths: int) -> Site:
    """The one place of an office that has described no site: all booths, the office's hours."""
    return Site(id=None, name="", booths=tuple(range(1, booths + 1)), hours=office_hours())


def site_open(site: Site, starts_at: datetime, closures: Iterable[ClosureRange] = ()) -> bool:
    """Whether `site` can hold the session starting at `starts_at` (its hours, its closures)."""
    if not site.active:
        return False
    start = to_jst(starts_at)
    hours = site.hours_on(start.weekday())
    if hours is None:
        return False
    end = start + SLOT_LENGTH
    if start.time() < hours.opens or (end.date() != start.date() or end.time() > hours.closes):
        return False
    return not any(closure.covers(start, site.id) for closure in closures)


def _on_grid(moment: time) -> bool:
    return moment.second == 0 and moment.microsecond == 0 and moment.minute % SLOT_MINUTES == 0


def check_hours(opens: time, closes: time) -> None:
    """Refuse hours outside 9:00–17:00, off the half hour, or ending before they start.

    Raises ParseError with the reason in Japanese, shown to staff next to the field.
    """
    if not (OFFICE_OPEN <= opens and closes <= OFFICE_CLOSE):
        raise ParseError("相談ブースの時間は、窓口の受付時間 9:00〜17:00 の中で設定してください。")
    if not (_on_grid(opens) and _on_grid(closes)):
        raise ParseError("時間は 30 分単位（例：10:00、10:30）で設定してください。")
    if closes <= opens:
        raise ParseError("終了時刻は開始時刻より後にしてください。")


def check_range(starts: time | None, ends: time | None) -> None:
    """A closure or limit range: both ends or neither, inside 9:00–17:00, end after start."""
    if (starts is None) != (ends is None):
        raise ParseError("時間帯は開始と終了の両方を入力してください（終日の場合はどちらも空欄）。")
    if starts is None or ends is None:
        return
    if not (OFFICE_OPEN <= starts and ends <= OFFICE_CLOSE):
        raise ParseError("時間帯は 9:00〜17:00 の中で設定してください。")
    if ends <= starts:
        raise ParseError("終了時刻は開始時刻より後にしてください。")


def hours_text(site: Site) -> str:
    """The weekly hours in short Japanese, days of equal hours grouped: 火・木 10:00〜15:00."""
    groups: dict[tuple[time, time], list[int]] = {}
    for hours in sorted(site.hours, key=lambda h: h.weekday):
        groups.setdefault((hours.opens, hours.closes), []).append(hours.weekday)
    if not groups:
        return "開所日なし"
    parts = []
    for (opens, closes), days in groups.items():
        names = "・".join(WEEKDAYS_JA[d] for d in days)
        parts.append(f"{names} {opens.hour}:{opens.minute:02d}〜{closes.hour}:{closes.minute:02d}")
    return "、".join(parts)
