"""Attempt limits in Redis (console sign-in, link-code tries), keyed on the injected clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from redis.asyncio import Redis

from storage.keys import RedisKeys


class RateLimiter:
    """Counts attempts per name and window; `{prefix}:rl:{scope}:{name}:{window}` self-expires."""

    def __init__(self, redis: Redis, *, prefix: str, scope: str, limit: int,
                 window_seconds: int) -> None:
        self._redis = redis
        self._key_builder, self._scope = RedisKeys(prefix), scope
        self.limit = limit
        self.window = window_seconds

    def _key(self, name: str, now: datetime) -> str:
        return self._key_builder.rate_limit(self._scope, name, int(now.timestamp()) // self.window)

    async def blocked(self, name: str, now: datetime) -> bool:
        """Whether `name` has used up its attempts in the current window."""
        raw = await self._redis.get(self._key(name, now))
        return raw is not None and int(raw) >= self.limit

    async def hit(self, name: str, now: datetime) -> int:
        """Count one (failed) attempt; returns the count so far in this window."""
        key = self._key(name, now)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, self.window * 2)
            count, _ = await pipe.execute()
        return int(count)

    async def reset(self, name: str, now: datetime) -> None:
        """Forget the attempts (after a success)."""
        await self._redis.delete(self._key(name, now))


# Decides and counts in one step, so parallel attempts cannot all slip past a check-then-count.
# KEYS: the name's record (hash n, last), the client's counter for this window.
# ARGV: now, free attempts, delay cap, quiet reset, client limit, client TTL, client retry-after.
_ATTEMPT = """
local now = tonumber(ARGV[1])
local free, cap, quiet = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
if n > 0 and now - last >= quiet then n = 0 end
if n >= free then
  local wait = last + math.min(cap, 2 ^ (n - free)) - now
  if wait > 0 then return {0, math.ceil(wait)} end
end
if tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[5]) then
  return {0, tonumber(ARGV[7])}
end
redis.call('HSET', KEYS[1], 'n', n + 1, 'last', ARGV[1])
redis.call('EXPIRE', KEYS[1], quiet)
redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[6])
return {1, 0}
"""


@dataclass(frozen=True)
class Verdict:
    """Whether an attempt may go ahead, and if not, how many seconds to wait."""

    allowed: bool
    retry_after: int = 0


class AttemptGate:
    """Progressive delay per name (first `free` attempts at once, then 1 s, 2 s, 4 s … up to
    `cap_seconds` since the last one) plus a fixed-window limit per client address.

    Attempts are counted before the secret is checked; a success forgets the name's attempts
    and gives the client's back. Keys: `{prefix}:rl:{scope}:{name}`,
    `{prefix}:rl:{scope}-client:{client}:{window}`.
    """

    def __init__(self, redis: Redis, *, prefix: str, scope: str, free: int, cap_seconds: int,
                 client_limit: int, window_seconds: int, quiet_seconds: int = 24 * 60 * 60) -> None:
        self._redis = redis
        self._key_builder, self._scope = RedisKeys(prefix), scope
        self.free, self.cap, self.quiet = free, cap_seconds, quiet_seconds
        self.client_limit, self.window = client_limit, window_seconds

    def _keys(self, name: str, client: str, now: datetime) -> list[str]:
        window = int(now.timestamp()) // self.window
        return [self._key_builder.rate_limit(self._scope, name),
                self._key_builder.rate_limit_client(self._scope, client, window)]

    async def attempt(self, name: str, client: str, now: datetime) -> Verdict:
        """Count one attempt for `name` from `client`, or refuse it without counting."""
        stamp = now.timestamp()
        client_wait = self.window - int(stamp) % self.window
        allowed, wait = await self._redis.eval(  # type: ignore[misc]
            _ATTEMPT, 2, *self._keys(name, client, now), repr(stamp), self.free, self.cap,
            self.quiet, self.client_limit, self.window * 2, client_wait)
        return Verdict(bool(allowed), int(wait))

    async def succeeded(self, name: str, client: str, now: datetime) -> None:
        """The secret was right: the name starts afresh and the client's attempt is returned."""
        name_key, client_key = self._keys(name, client, now)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(name_key)
            pipe.decr(client_key)
            pipe.expire(client_key, self.window * 2)
            await pipe.execute()
