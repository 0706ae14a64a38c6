"""Redis side of a conversation: one JSON document per user, a per-user lock, webhook dedupe."""

from __future__ import annotations

import asyncio
import secrets

from redis.asyncio import Redis

from dialogs.ports import Conversation, LockTimeout
from storage.keys import RedisKeys

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



class ConversationStore:
    """Typed access to the conversation keys: `{prefix}:conv:{user}` and its lock."""

    def __init__(self, redis: Redis, *, prefix: str, ttl_seconds: int) -> None:
        self._redis = redis
        self._keys = RedisKeys(prefix)
        self._ttl = ttl_seconds
        self._release = redis.register_script(_RELEASE)

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

    async def acquire(self, user: str, *, timeout: float = 10.0, lease_ms: int = 15000) -> str:
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

    async def release(self, office: str, booth: int, starts: str, owner: str) -> None:
        await self._release(keys=[self._key(office, booth, starts)], args=[owner])
