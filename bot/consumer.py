"""A handler: owns some partitions of the event stream and runs their events through the
dispatcher, one user's events in order, several users at once.

Ownership: each partition has a lease (SET NX PX, renewed every third of it). Handlers say
they are alive in a sorted set and each aims at its share (partitions / live handlers):
one with too many gives the extra ones up between batches, one with too few takes free ones.
A handler that dies stops renewing; when its leases lapse another takes the partitions and
claims (XAUTOCLAIM) whatever the dead one had read and not finished, before reading new
entries, so the order holds. A step already applied is recognised by its done record
(dialogs.ports.Once), so a claimed event is never applied twice.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections import defaultdict

from bot.dispatcher import Dispatcher
from bot.events import UnreadableEvent, read_event
from storage.event_stream import Entry, EventStream

log = logging.getLogger(__name__)
# Events handled at once by one handler (Settings.handler_concurrency): every step shares the
# loop, and four already keep a core busy (bench/RESULTS.md).
MAX_CONCURRENT = 4


def consumer_name() -> str:
    """Unique per process: a restarted handler is a new consumer, so its old entries are
    claimed like any dead handler's."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


class Finisher:
    """Acknowledges handled entries together: whatever finished while the previous round trip
    was under way goes in the next one (one script for many entries under load, no waiting
    when there is a single one)."""

    def __init__(self, stream: EventStream) -> None:
        self._stream = stream
        self._queued: list[tuple[Entry, str | None, asyncio.Future[None]]] = []
        self._flushing: asyncio.Task[None] | None = None

    async def finish(self, entry: Entry, event_id: str | None) -> None:
        """Returns once the entry is acknowledged; raises if that failed."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queued.append((entry, event_id, done))
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush())
        await done

    async def _flush(self) -> None:
        while self._queued:
            batch, self._queued = self._queued, []
            try:
                await self._stream.finish_many([(entry, eid) for entry, eid, _ in batch])
            except Exception as exc:
                for _, _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for _, _, done in batch:
                    if not done.done():
                        done.set_result(None)


class Consumer:
    """One handler process's (or the app's in-process) reading loop."""

    def __init__(self, *, stream: EventStream, dispatcher: Dispatcher, lease_seconds: float,
                 concurrency: int = MAX_CONCURRENT, batch: int = 32,
                 name: str | None = None) -> None:
        self._stream = stream
        self._dispatcher = dispatcher
        self._lease_ms = max(300, int(lease_seconds * 1000))
        self._slots = asyncio.Semaphore(concurrency)
        self._finisher = Finisher(stream)
        self._batch = batch
        self.name = name or consumer_name()
        self.owned: set[int] = set()  # partitions this loop reads
        self._taken: set[int] = set()  # leased, pending entries not yet claimed
        self._dropping: set[int] = set()  # to give up at the next batch boundary
        self._stopping = asyncio.Event()
        self._closing = asyncio.Event()  # the batch is done: the lease loop ends too

    async def run(self) -> None:
        """Read and handle until `stop()`; then finish the batch and give the leases back."""
        await self._stream.ensure_groups()
        leases = asyncio.create_task(self._keep_leases())
        try:
            while not self._stopping.is_set():
                await self._boundary()
                if not self.owned:
                    await self._pause(self._lease_ms / 3000)
                    continue
                try:
                    entries = await self._stream.read(self.name, sorted(self.owned),
                                                      count=self._batch, block_ms=500)
                except Exception:
                    log.warning("reading the event stream failed", exc_info=True)
                    await self._pause(0.5)
                    continue
                await self._handle_batch(entries)
        finally:
            # The flag as well as the cancel: a cancel that lands inside a Redis call can be
            # lost there, and the lease loop would then run on and this stop never end.
            self._closing.set()
            leases.cancel()
            await asyncio.gather(leases, return_exceptions=True)
            await self._give_back()

    def stop(self) -> None:
        """Ask the loop to finish its batch and stop."""
        self._stopping.set()

    async def _pause(self, seconds: float, until: asyncio.Event | None = None) -> None:
        """Wait `seconds`, or less if `until` (by default: a stop) is set meanwhile."""
        try:
            await asyncio.wait_for((until or self._stopping).wait(), seconds)
        except TimeoutError:
            pass

    async def _boundary(self) -> None:
        """Between batches nothing of ours is in flight: drop, and claim what we took over."""
        for partition in list(self._dropping):
            self._dropping.discard(partition)
            self.owned.discard(partition)
            self._taken.discard(partition)
            try:
                await self._stream.give_up(self.name, partition)
            except Exception:
                log.warning("lease not released (it will lapse)", exc_info=True)
        for partition in sorted(self._taken):
            try:
                claimed = await self._stream.claim(self.name, partition)
            except Exception:
                log.warning("claiming pending events failed", exc_info=True)
                continue
            self._taken.discard(partition)
            if claimed:
                log.info("claimed %d pending events of partition %d", len(claimed), partition)
            await self._handle_batch(claimed)
            self.owned.add(partition)

    async def _handle_batch(self, entries: list[Entry]) -> None:
        """Users side by side, each user's entries one after another in stream order."""
        by_user: dict[str, list[Entry]] = defaultdict(list)
        for entry in entries:
            by_user[entry.user].append(entry)
        await asyncio.gather(*(self._in_order(mine) for mine in by_user.values()))

    async def _in_order(self, entries: list[Entry]) -> None:
        for entry in entries:
            async with self._slots:
                await self._handle(entry)

    async def _handle(self, entry: Entry) -> None:
        event_id = entry.payload.get("webhookEventId")
        try:
            event = read_event(entry.payload)
        except UnreadableEvent:  # the webhook reads with the same function: an old entry
            log.warning("event not understood: skipped", extra={"event_id": str(event_id)})
        else:
            try:
                await self._dispatcher.handle(event)
            except Exception:  # a poison entry must not hold the partition up
                log.exception("event handling failed", extra={"event_id": str(event_id)})
        try:
            await self._finisher.finish(entry, event_id if isinstance(event_id, str) else None)
        except Exception:
            # Left pending: it is claimed again (and recognised as done) after a restart.
            log.warning("event not acknowledged", exc_info=True)
            self._taken.add(entry.partition)
            self.owned.discard(entry.partition)

    async def _keep_leases(self) -> None:
        """Heartbeat, renew, and move towards this handler's share of the partitions."""
        while not self._closing.is_set():
            try:
                await self._lease_round()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("partition leases not renewed", exc_info=True)
            await self._pause(self._lease_ms / 3000, self._closing)

    async def _lease_round(self) -> None:
        live = await self._stream.heartbeat(self.name, self._lease_ms)
        mine = (self.owned | self._taken) - self._dropping
        for partition in list(mine):
            if not await self._stream.renew(self.name, partition, self._lease_ms):
                log.warning("lease on partition %d lapsed", partition)
                self.owned.discard(partition)
                self._taken.discard(partition)
                mine.discard(partition)
        share = self._stream.share(live)
        for partition in sorted(mine, reverse=True)[:max(0, len(mine) - share)]:
            self._dropping.add(partition)
            mine.discard(partition)
        if len(mine) < share:
            start = hash(self.name) % self._stream.partitions
            for step in range(self._stream.partitions):
                partition = (start + step) % self._stream.partitions
                if len(mine) >= share:
                    break
                if partition in mine or partition in self._dropping:
                    continue
                if await self._stream.take(self.name, partition, self._lease_ms):
                    self._taken.add(partition)
                    mine.add(partition)

    async def _give_back(self) -> None:
        """A clean stop: leases released at once, so another handler need not wait them out."""
        for partition in self.owned | self._taken | self._dropping:
            try:
                await self._stream.give_up(self.name, partition)
            except Exception:
                log.warning("lease not released (it will lapse)", exc_info=True)
        try:
            await self._stream.leave(self.name)
        except Exception:
            log.warning("handler not removed from the live set", exc_info=True)
