"""Time is injected: the app reads `clock.now()`, tests set it, nothing patches `datetime`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Source of the current moment (aware, UTC)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class SettableClock:
    """A clock tests and the demo can set and advance; it does not move by itself."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("SettableClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        """Jump to `at` (aware)."""
        self._at = at.astimezone(UTC)

    def advance(self, **delta: float) -> None:
        """Move forward by a timedelta given as keywords (minutes=10)."""
        self._at += timedelta(**delta)
