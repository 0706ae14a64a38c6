"""Console sessions in Redis: `{prefix}:staffsess:{sha256(id)}` → who, CSRF token; expires idle."""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass

from redis.asyncio import Redis

IDLE_SECONDS = 8 * 60 * 60  # a working day; every request slides it
ANONYMOUS_SECONDS = 30 * 60  # a login form left open this long must be reloaded


@dataclass(frozen=True)
class ConsoleSession:
    """One browser's session: the staff account (None before login) and its CSRF token."""

    id: str
    csrf: str
    staff_id: uuid.UUID | None = None


class ConsoleSessions:
    """Server-side sessions, so logout and disabling an account take effect at once."""

    def __init__(self, redis: Redis, *, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix

    def _key(self, session_id: str) -> str:
        # The id only ever appears hashed in Redis: a dump of the keys cannot be replayed.
        return f"{self._prefix}:staffsess:{hashlib.sha256(session_id.encode()).hexdigest()}"

    async def create(self, staff_id: uuid.UUID | None = None) -> ConsoleSession:
        """A new session with a new id and CSRF token (called again at login: no fixation)."""
        session = ConsoleSession(id=secrets.token_urlsafe(32), csrf=secrets.token_urlsafe(32),
                                 staff_id=staff_id)
        ttl = IDLE_SECONDS if staff_id else ANONYMOUS_SECONDS
        doc = {"csrf": session.csrf, "staff": str(staff_id) if staff_id else None}
        await self._redis.set(self._key(session.id), json.dumps(doc), ex=ttl)
        return session

    async def load(self, session_id: str) -> ConsoleSession | None:
        """The stored session, its idle timer restarted; None when unknown or expired."""
        key = self._key(session_id)
        raw = await self._redis.get(key)
        if raw is None:
            return None
        doc = json.loads(raw)
        staff = uuid.UUID(doc["staff"]) if doc.get("staff") else None
        await self._redis.expire(key, IDLE_SECONDS if staff else ANONYMOUS_SECONDS)
        return ConsoleSession(id=session_id, csrf=doc["csrf"], staff_id=staff)

    async def delete(self, session_id: str) -> None:
        await self._redis.delete(self._key(session_id))
