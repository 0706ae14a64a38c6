"""The durable hand-off of webhook events: Redis Streams, one per partition of the users.

The webhook appends (dedupe + XADD in one script, one round trip per request); handler
processes own partitions through leases, read them with a consumer group, and finish entries
with XACK + XDEL (+ a completion note) in one script for all those finished meanwhile. A user
always maps to the same partition and a partition has one owner at a time, so one user's
events run in the order LINE sent them however many handlers there are.
"""

from __future__ import annotations

import json
import math
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from storage.keys import RedisKeys

GROUP = "handlers"
COMPLETIONS_KEPT = 20_000

# KEYS: per event, its dedupe key then its partition's stream. ARGV[1]: the dedupe TTL;
# ARGV[1 + i]: event i's user, ARGV[1 + n + i]: its JSON. XADD before SET: if the XADD fails
# nothing is marked seen, so LINE's redelivery is not refused.
_APPEND = """
local n = #KEYS / 2
local added = {}
for i = 1, n do
  added[i] = 0
  if redis.call('exists', KEYS[2 * i - 1]) == 0 then
    redis.call('xadd', KEYS[2 * i], '*', 'u', ARGV[1 + i], 'e', ARGV[1 + n + i])
    redis.call('set', KEYS[2 * i - 1], '1', 'EX', ARGV[1])
    added[i] = 1
  end
end
return added
"""
# KEYS: the completion stream, then the streams. ARGV: group, completions kept, then per
# entry: its stream's index in KEYS, its entry id, its event id ('' = no note).
_FINISH = """
for i = 3, #ARGV, 3 do
  local stream = KEYS[tonumber(ARGV[i])]
  redis.call('xack', stream, ARGV[1], ARGV[i + 1])
  redis.call('xdel', stream, ARGV[i + 1])
  if ARGV[i + 2] ~= '' then
    redis.call('xadd', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'id', ARGV[i + 2])
  end
end
return 1
"""
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


@dataclass(frozen=True)
class Entry:
    """One webhook event as a handler reads it from its partition."""

    partition: int
    entry_id: str
    user: str
    payload: dict[str, Any]


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def partition_of(user: str, partitions: int) -> int:
    """The partition a user's events go to: stable across processes and restarts."""
    return zlib.crc32(user.encode()) % partitions


class EventStream:
    """Appending, reading, claiming and finishing webhook events; leases on partitions."""

    def __init__(self, redis: Redis, *, prefix: str, partitions: int, dedupe_seconds: int,
                 announce: bool = False) -> None:
        self._redis = redis
        self._keys = RedisKeys(prefix)
        self.partitions = partitions
        self._dedupe = dedupe_seconds
        self._announce = announce
        self._append = redis.register_script(_APPEND)
        self._finish = redis.register_script(_FINISH)
        self._renew = redis.register_script(_RENEW)
        self._release = redis.register_script(_RELEASE)

    def stream_of(self, partition: int) -> str:
        return self._keys.stream(partition)

    async def ensure_groups(self) -> None:
        """Create every partition's consumer group (from the start: XDEL keeps it short)."""
        for partition in range(self.partitions):
            try:
                await self._redis.xgroup_create(self.stream_of(partition), GROUP, id="0",
                                                mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

    async def append(self, events: Sequence[tuple[str, str, str]]) -> list[bool]:
        """Append (event id, user, JSON) not seen before, in one round trip; for each event,
        whether it was new."""
        if not events:
            return []
        keys: list[str] = []
        for event_id, user, _ in events:
            keys += [self._keys.event(event_id),
                     self.stream_of(partition_of(user, self.partitions))]
        args: list[str | int] = [self._dedupe, *(user for _, user, _ in events),
                                 *(raw for _, _, raw in events)]
        return [bool(flag) for flag in await self._append(keys=keys, args=args)]

    async def read(self, consumer: str, partitions: Sequence[int], *, count: int,
                   block_ms: int) -> list[Entry]:
        """New entries of the given partitions for this consumer (waits up to `block_ms`)."""
        if not partitions:
            return []
        streams = {self.stream_of(p): ">" for p in partitions}
        try:
            answer = await self._redis.xreadgroup(GROUP, consumer, streams, count=count,
                                                  block=block_ms)
        except ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            await self.ensure_groups()  # Redis lost its data (a restart without persistence)
            return []
        return [entry for stream, rows in answer or []
                for entry in self._entries(self._partition(stream), rows)]

    async def claim(self, consumer: str, partition: int) -> list[Entry]:
        """Every entry pending in a partition, taken over by this consumer, in stream order.

        Called only by the partition's owner between batches, when nothing of its own is in
        flight there: whatever is pending was read by a handler that is gone (min-idle 0 keeps
        the order; a min-idle above zero would let newer entries overtake the claimed ones).
        """
        stream, start, claimed = self.stream_of(partition), "0-0", []
        while True:
            try:
                answer = await self._redis.xautoclaim(stream, GROUP, consumer, 0, start,
                                                      count=100)
            except ResponseError as exc:
                if "NOGROUP" not in str(exc):
                    raise
                await self.ensure_groups()  # Redis lost its data: nothing was pending
                return claimed
            start, rows = _text(answer[0]), answer[1]
            claimed += self._entries(partition, rows)
            if start == "0-0":
                return claimed

    async def finish(self, entry: Entry, event_id: str | None) -> None:
        """Acknowledge and drop a handled entry; note its event id when completions are on."""
        await self.finish_many([(entry, event_id)])

    async def finish_many(self, done: Sequence[tuple[Entry, str | None]]) -> None:
        """`finish` for several entries (of any partitions) in one round trip."""
        if not done:
            return
        keys = [self._keys.completed()]
        index: dict[int, int] = {}
        args: list[str | int] = [GROUP, COMPLETIONS_KEPT]
        for entry, event_id in done:
            if entry.partition not in index:
                keys.append(self.stream_of(entry.partition))
                index[entry.partition] = len(keys)
            args += [index[entry.partition], entry.entry_id,
                     event_id if self._announce and event_id else ""]
        await self._finish(keys=keys, args=args)

    async def backlog(self) -> int:
        """Entries appended and not yet finished, over every partition."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for partition in range(self.partitions):
                pipe.xlen(self.stream_of(partition))
            return sum(await pipe.execute())

    # --- completions (the emulator driver's "handled") ---------------------------------------

    async def last_completion(self) -> str:
        """The newest completion note's id, to listen from ("0-0" when there is none)."""
        rows = await self._redis.xrevrange(self._keys.completed(), count=1)
        return _text(rows[0][0]) if rows else "0-0"

    async def completions(self, after: str, *, block_ms: int) -> tuple[str, list[str]]:
        """Event ids finished after `after` (waits up to `block_ms`), and the id to go on from."""
        answer = await self._redis.xread({self._keys.completed(): after}, count=500,
                                         block=block_ms)
        ids: list[str] = []
        for _, rows in answer or []:
            for entry_id, fields in rows:
                after = _text(entry_id)
                ids.append(_text(fields[b"id"] if b"id" in fields else fields["id"]))
        return after, ids

    # --- partition leases and live handlers --------------------------------------------------

    async def heartbeat(self, consumer: str, lease_ms: int) -> int:
        """Say this handler is alive; returns how many handlers are alive now."""
        now = int(time.time() * 1000)
        key = self._keys.handlers()
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.zadd(key, {consumer: now})
            pipe.zremrangebyscore(key, "-inf", now - 3 * lease_ms)
            pipe.zcount(key, now - lease_ms, "+inf")
            _, _, live = await pipe.execute()
        return max(1, int(live))

    async def leave(self, consumer: str) -> None:
        """Stop counting this handler as alive (a clean stop)."""
        await self._redis.zrem(self._keys.handlers(), consumer)

    def share(self, live: int) -> int:
        """How many partitions each of `live` handlers should own."""
        return math.ceil(self.partitions / live)

    async def take(self, consumer: str, partition: int, lease_ms: int) -> bool:
        """Take a partition whose lease is free."""
        return bool(await self._redis.set(self._keys.partition_lease(partition), consumer,
                                          nx=True, px=lease_ms))

    async def renew(self, consumer: str, partition: int, lease_ms: int) -> bool:
        """Extend our lease; False when it lapsed (another handler may own it now)."""
        return bool(await self._renew(keys=[self._keys.partition_lease(partition)],
                                      args=[consumer, lease_ms]))

    async def give_up(self, consumer: str, partition: int) -> None:
        """Release our lease so another handler can take the partition at once."""
        await self._release(keys=[self._keys.partition_lease(partition)], args=[consumer])

    # --- helpers ---------------------------------------------------------------------------

    def _partition(self, stream: bytes | str) -> int:
        return int(_text(stream).rsplit(":", 1)[1])

    def _entries(self, partition: int, rows: Any) -> list[Entry]:
        out = []
        for entry_id, fields in rows:
            if not fields:  # deleted while pending (never, as we XDEL only after XACK)
                continue
            data = {_text(k): _text(v) for k, v in fields.items()}
            try:
                payload = json.loads(data.get("e", "null"))
            except ValueError:
                payload = None
            out.append(Entry(partition, _text(entry_id), data.get("u", ""),
                             payload if isinstance(payload, dict) else {}))
        return out
