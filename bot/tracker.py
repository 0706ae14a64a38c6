"""Knows when a webhook event has been handled, wherever its handler runs.

Handlers note each finished event in a capped Redis stream (storage/event_stream.py); one
listener per web process follows it and sets a flag per event id, so the emulator driver's
"wait until handled" works with handlers in other processes (DESIGN.md §9).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict

from storage.event_stream import EventStream

log = logging.getLogger(__name__)
KEEP = 20000


class EventTracker:
    """Completion flags by webhookEventId, fed from Redis, bounded so memory stays flat."""

    def __init__(self) -> None:
        self._events: OrderedDict[str, asyncio.Event] = OrderedDict()
        self._stream: EventStream | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def _flag(self, event_id: str) -> asyncio.Event:
        flag = self._events.get(event_id)
        if flag is None:
            flag = self._events[event_id] = asyncio.Event()
            while len(self._events) > KEEP:
                self._events.popitem(last=False)
        return flag

    async def start(self, stream: EventStream) -> None:
        """Follow the completion stream from now on (in the background)."""
        self._stream = stream
        after = await stream.last_completion()
        self._task = asyncio.create_task(self._listen(stream, after))

    async def stop(self) -> None:
        # The flag as well as the cancel: a cancel lost inside a Redis call must not keep the
        # listener (and so the process's shutdown) going.
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _listen(self, stream: EventStream, after: str) -> None:
        while not self._stopping:
            try:
                after, finished = await stream.completions(after, block_ms=2000)
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis restarting: listen again shortly
                log.warning("completion stream unreadable", exc_info=True)
                await asyncio.sleep(0.2)
                continue
            for event_id in finished:
                self.finished(event_id)

    def finished(self, event_id: str) -> None:
        self._flag(event_id).set()

    async def wait(self, event_id: str) -> None:
        """Return once that event has been handled."""
        await self._flag(event_id).wait()

    async def drain(self, timeout: float = 120.0) -> None:
        """Wait until every event appended so far has been handled (a generous cap)."""
        if self._stream is None:
            return
        deadline = time.monotonic() + timeout
        delay = 0.005
        while await self._stream.backlog() and time.monotonic() < deadline:
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.1)
