"""Redis side of a conversation: one JSON document per user, a per-user lock, webhook dedupe."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis

from dialogs.ports import Conversation, LockTimeout, Once
from storage.keys import RedisKeys

# A step holds its user's lock at most this long (a process killed mid-step leaves it behind).
LOCK_LEASE_MS = 15_000
# How long a step waits for the lock before the user is told 混み合っています: past the lease, so
# an event claimed from a killed handler (the lease lapses in HANDLER_LEASE_SECONDS, often
# sooner than the lock) waits the dead handler's lock out and runs, instead of being answered
# "busy" without its step (bench/pipeline_faults.py).
LOCK_WAIT_SECONDS = LOCK_LEASE_MS / 1000 + 1.0

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


async def _set_once(redis: Redis, key: str, token: str, **expiry: int) -> bool:
    """SET NX that is safe to retry: True if the key is now ours, even if a retry got there.

    The client retries a command whose connection broke (a Redis restart); if the first try
    had in fact set the key, a plain SET NX would answer "taken" and the event or lock would
    be lost. SET NX GET hands back the value found, and our own token means it was us.
    """
    found = await redis.set(key, token, nx=True, get=True, **expiry)
    if found is None:
        return True
    return (found.decode() if isinstance(found, bytes) else found) == token


# Lock and load in one round trip. Taking the lock is SET NX that a retried call recognises as
# its own (the token), as `_set_once`. The third key is the office's version counter, handed
# back for free so the process caches know whether staff changed anything (storage/office_cache).
# Lua's nil would cut the reply short, hence '' for a missing document or counter. An optional
# fourth key is an input's done record (dialogs.ports.Once), handed back as well.
_ACQUIRE_LOAD = """
local found = redis.call('get', KEYS[1])
if found and found ~= ARGV[1] then return {0} end
redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
local done = ''
if #KEYS > 3 then done = redis.call('get', KEYS[4]) or '' end
return {1, redis.call('get', KEYS[2]) or '', redis.call('get', KEYS[3]) or '', done}
"""

# Save and unlock in one round trip: what `save` then `release` did in two. The lock is deleted
# only if still ours; the document is written either way, as before (after a Redis restart the
# lock is gone but the step's outcome is still the conversation's truth). An optional third key
# is the input's done record, written first (ARGV[4] for ARGV[5] seconds).
_SAVE_RELEASE = """
if #KEYS > 2 then redis.call('set', KEYS[3], ARGV[4], 'EX', ARGV[5]) end
if ARGV[2] == '' then redis.call('del', KEYS[2])
else redis.call('set', KEYS[2], ARGV[2], 'EX', ARGV[3]) end
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


def _text(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


class ConversationStore:
    """Typed access to the conversation keys: `{prefix}:conv:{user}` and its lock."""

    def __init__(self, redis: Redis, *, prefix: str, ttl_seconds: int,
                 on_version: Callable[[str], Awaitable[None]] | None = None) -> None:
        self._redis = redis
        self._keys = RedisKeys(prefix)
        self._ttl = ttl_seconds
        self._release = redis.register_script(_RELEASE)
        self._acquire_load = redis.register_script(_ACQUIRE_LOAD)
        self._save_release = redis.register_script(_SAVE_RELEASE)
        # Told the office change counter each lock+load read (services.Services.office_seen).
        self._on_version = on_version

    def _key(self, user: str) -> str:
        return self._keys.conversation(user)

    async def load(self, user: str) -> Conversation:
        """The user's conversation, or a fresh idle one when none is stored (or it expired)."""
        raw = await self._redis.get(self._key(user))
        return Conversation.from_json(raw) if raw else Conversation()

    async def save(self, user: str, conv: Conversation) -> None:
        """Store the conversation with its TTL; an idle one with no data deletes the key."""
        if conv.is_empty:
            await self._redis.delete(self._key(user))
        else:
            await self._redis.set(self._key(user), conv.to_json(), ex=self._ttl)

    async def delete(self, user: str) -> None:
        await self._redis.delete(self._key(user))

    async def acquire(self, user: str, *, timeout: float = LOCK_WAIT_SECONDS,
                      lease_ms: int = LOCK_LEASE_MS) -> str:
        """Take the user's lock (SET NX PX) and return its token; waits up to `timeout`."""
        key, token = self._keys.lock(user), secrets.token_hex(8)
        deadline = asyncio.get_running_loop().time() + timeout
        delay = 0.002
        while not await _set_once(self._redis, key, token, px=lease_ms):
            if asyncio.get_running_loop().time() > deadline:
                raise LockTimeout(user)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.05)
        return token

    async def release(self, user: str, token: str) -> None:
        """Release the lock only if we still hold it."""
        await self._release(keys=[self._keys.lock(user)], args=[token])

    async def acquire_load(self, user: str, *, timeout: float = LOCK_WAIT_SECONDS,
                           lease_ms: int = LOCK_LEASE_MS) -> tuple[str, Conversation]:
        """Take the user's lock and read their conversation in one round trip."""
        token, conv, _ = await self._lock_load(user, None, timeout, lease_ms)
        return token, conv

    async def acquire_load_once(self, user: str, once: Once, *,
                                timeout: float = LOCK_WAIT_SECONDS,
                                lease_ms: int = LOCK_LEASE_MS
                                ) -> tuple[str, Conversation, list[dict] | None]:
        """`acquire_load`, and the input's done record (None if it never ran), in one round
        trip."""
        token, conv, done = await self._lock_load(user, once, timeout, lease_ms)
        return token, conv, (json.loads(done) if done else None)

    async def _lock_load(self, user: str, once: Once | None, timeout: float,
                         lease_ms: int) -> tuple[str, Conversation, str]:
        keys = [self._keys.lock(user), self._key(user), self._keys.office_version()]
        if once is not None:
            keys.append(self._keys.event_done(once.key))
        token = secrets.token_hex(8)
        deadline = asyncio.get_running_loop().time() + timeout
        delay = 0.002
        while True:
            found = await self._acquire_load(keys=keys, args=[token, lease_ms])
            if int(found[0]) == 1:
                break
            if asyncio.get_running_loop().time() > deadline:
                raise LockTimeout(user)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.05)
        raw, version = _text(found[1]), _text(found[2])
        if self._on_version is not None:
            await self._on_version(version)
        return (token, Conversation.from_json(raw) if raw else Conversation(),
                _text(found[3]) if once is not None else "")

    async def save_release(self, user: str, conv: Conversation, token: str) -> None:
        """Store the conversation (as `save`) and release the lock (as `release`) in one round
        trip."""
        document = "" if conv.is_empty else conv.to_json()
        await self._save_release(keys=[self._keys.lock(user), self._key(user)],
                                 args=[token, document, self._ttl])

    async def save_release_once(self, user: str, conv: Conversation, token: str, once: Once,
                                record: list[dict]) -> None:
        """The input's done record, then `save_release`, in one round trip."""
        document = "" if conv.is_empty else conv.to_json()
        await self._save_release(
            keys=[self._keys.lock(user), self._key(user), self._keys.event_done(once.key)],
            args=[token, document, self._ttl, json.dumps(record), once.seconds])


class EventDeduper:
    """Remembers webhook event ids so a redelivered event is handled once."""

    def __init__(self, redis: Redis, *, prefix: str, ttl_seconds: int) -> None:
        self._redis = redis
        self._keys = RedisKeys(prefix)
        self._ttl = ttl_seconds

    async def first_time(self, event_id: str) -> bool:
        """True the first time an id is seen (SET NX EX)."""
        return await _set_once(self._redis, self._keys.event(event_id),
                               secrets.token_hex(8), ex=self._ttl)


class SlotHolds:
    """Short holds on a slot while a user confirms; the unique index is the real guarantee."""

    def __init__(self, redis: Redis, *, prefix: str) -> None:
        self._redis = redis
        self._keys = RedisKeys(prefix)
        self._release = redis.register_script(_RELEASE)

    def _key(self, office: str, booth: int, starts: str) -> str:
        return self._keys.hold(office, booth, starts)

    async def hold(self, office: str, booth: int, starts: str, owner: str, ms: int) -> bool:
        """Hold the slot for `owner`; re-holding one's own slot succeeds and extends it."""
        key = self._key(office, booth, starts)
        if await self._redis.set(key, owner, nx=True, px=ms):
            return True
        current = await self._redis.get(key)
        if (current is not None
                and (current.decode() if isinstance(current, bytes) else current) == owner):
            await self._redis.pexpire(key, ms)
            return True
        return False

    async def holder(self, office: str, booth: int, starts: str) -> str | None:
        raw = await self._redis.get(self._key(office, booth, starts))
        return raw.decode() if isinstance(raw, bytes) else raw

    async def holders(self, office: str, slots: list[tuple[int, str]]) -> list[str | None]:
        """Who holds each (booth, start), in one round trip (MGET)."""
        if not slots:
            return []
        found = await self._redis.mget([self._key(office, booth, starts)
                                        for booth, starts in slots])
        return [raw.decode() if isinstance(raw, bytes) else raw for raw in found]

    async def release(self, office: str, booth: int, starts: str, owner: str) -> None:
        await self._release(keys=[self._key(office, booth, starts)], args=[owner])
