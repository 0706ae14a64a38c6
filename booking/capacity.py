"""Staff capacity (DESIGN §13): how many sessions the office can hold at once, office-wide.

By default every booth can be in use at once. Staff lower it for a time range, once (a day:
"14:00–15:00 会議のため") or every week (a weekday: one counsellor on Friday afternoons).
Bookings at every site count against it, since the same counsellors answer them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from booking.slots import SLOT_LENGTH, to_jst


@dataclass(frozen=True)
class CapacityLimit:
    """At most `capacity` sessions at once between `starts` and `ends`, on `day` (once) or on
    every `weekday` (0 = Monday); exactly one of the two is set."""

    starts: time
    ends: time
    capacity: int
    day: date | None = None
    weekday: int | None = None
    reason: str = ""

    def applies(self, starts_at: datetime) -> bool:
        """Whether the session starting at `starts_at` overlaps this limit's range."""
        start = to_jst(starts_at)
        if self.day is not None and start.date() != self.day:
            return False
        if self.weekday is not None and start.weekday() != self.weekday:
            return False
        # Sessions lie inside 9:00–17:00, so start and end share the day.
        end = (start + SLOT_LENGTH).time()
        return self.starts < end and start.time() < self.ends


def capacity_at(starts_at: datetime, booths: int, limits: Iterable[CapacityLimit] = ()) -> int:
    """Sessions the office can hold at `starts_at`: every booth, unless a limit says fewer."""
    return min([booths, *(limit.capacity for limit in limits if limit.applies(starts_at))])


@dataclass(frozen=True)
class Overbooked:
    """A session start where a new limit would leave more bookings than staff to take them."""

    starts_at: datetime
    capacity: int
    booking_ids: tuple[str, ...]


def over_capacity(limit: CapacityLimit, bookings: Iterable[tuple[datetime, str]],
                  booths: int, others: Iterable[CapacityLimit] = ()) -> list[Overbooked]:
    """The starts where active `bookings` (start, id) exceed the capacity with `limit` added;
    staff are shown these bookings instead of a limit the office cannot keep."""
    per_start: dict[datetime, list[str]] = {}
    for starts_at, booking_id in bookings:
        if limit.applies(starts_at):
            per_start.setdefault(starts_at, []).append(booking_id)
    found = []
    for starts_at, ids in sorted(per_start.items()):
        allowed = capacity_at(starts_at, booths, [*others, limit])
        if len(ids) > allowed:
            found.append(Overbooked(starts_at, allowed, tuple(sorted(ids))))
    return found
