"""Knows when the handling of a webhook event has finished (the emulator driver waits on it)."""

from __future__ import annotations

import asyncio
from collections import OrderedDict

KEEP = 20000


class EventTracker:
    """Completion flags by webhookEventId, bounded so memory stays flat."""

    def __init__(self) -> None:
        self._events: OrderedDict[str, asyncio.Event] = OrderedDict()
        self.tasks: set[asyncio.Task[None]] = set()

    def _flag(self, event_id: str) -> asyncio.Event:
        flag = self._events.get(event_id)
        if flag is None:
            flag = self._events[event_id] = asyncio.Event()
            while len(self._events) > KEEP:
                self._events.popitem(last=False)
        return flag

    def started(self, event_id: str) -> None:
        flag = self._flag(event_id)
        flag.clear()

    def finished(self, event_id: str) -> None:
        self._flag(event_id).set()

    async def wait(self, event_id: str) -> None:
        """Return once that event has been handled."""
        await self._flag(event_id).wait()

    async def drain(self) -> None:
        """Wait for every running handler (used at shutdown so no event is dropped)."""
        if self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)
