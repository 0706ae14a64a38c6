"""Fixed-window counters in Redis (login attempts, link-code tries), keyed on the injected clock."""

from __future__ import annotations

from datetime import datetime

from redis.asyncio import Redis


class RateLimiter:
    """Counts attempts per name and window; `{prefix}:rl:{scope}:{name}:{window}` expires by itself."""

    def __init__(self, redis: Redis, *, prefix: str, scope: str, limit: int,
                 window_seconds: int) -> None:
        self._redis = redis
        self._prefix = f"{prefix}:rl:{scope}"
        self.limit = limit
        self.window = window_seconds

    def _key(self, name: str, now: datetime) -> str:
        return f"{self._prefix}:{name}:{int(now.timestamp()) // self.window}"

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
