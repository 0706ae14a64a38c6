"""Console sessions in Redis: `{prefix}:staffsess:{sha256(id)}` → who, CSRF token, when it began;
expires idle, and is refused after an absolute limit."""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from redis.asyncio import Redis

from storage.keys import RedisKeys

IDLE_SECONDS = 8 * 60 * 60  # a working day; every request slides it
ABSOLUTE_LIMIT = timedelta(hours=12)  # however busy, a session ends after this (ASVS 3.3.4)
PENDING_SECONDS = 5 * 60  # between a right password and the second factor


@dataclass(frozen=True)
class ConsoleSession:
    """One browser's session: the signed-in account (or the one still owing its second
    factor), its CSRF token, when it began, and a TOTP secret being enrolled."""

    id: str
    csrf: str
    staff_id: uuid.UUID | None = None
    created: datetime | None = None
    pending: uuid.UUID | None = None
    enrol_secret: str | None = None


def _uuid(value: object) -> uuid.UUID | None:
    return uuid.UUID(value) if isinstance(value, str) and value else None


class ConsoleSessions:
    """Server-side sessions, so logout and disabling an account take effect at once."""

    def __init__(self, redis: Redis, *, prefix: str) -> None:
        self._redis = redis
        self._keys = RedisKeys(prefix)

    def _key(self, session_id: str) -> str:
        # The id only ever appears hashed in Redis: a dump of the keys cannot be replayed.
        return self._keys.console_session(hashlib.sha256(session_id.encode()).hexdigest())

    async def create(self, staff_id: uuid.UUID | None = None, *, now: datetime,
                     pending: uuid.UUID | None = None) -> ConsoleSession:
        """A new session with a new id and CSRF token (a new one at each login: no fixation);
        `pending` names an account whose password was right but whose second factor is owed."""
        session = ConsoleSession(id=secrets.token_urlsafe(32), csrf=secrets.token_urlsafe(32),
                                 staff_id=staff_id, created=now, pending=pending)
        await self._save(session, ex=IDLE_SECONDS if staff_id else PENDING_SECONDS)
        return session

    async def _save(self, session: ConsoleSession, *, ex: int | None = None) -> None:
        doc = {"csrf": session.csrf, "staff": str(session.staff_id) if session.staff_id else None,
               "created": session.created.isoformat() if session.created else None,
               "pending": str(session.pending) if session.pending else None,
               "enrol": session.enrol_secret}
        if ex is None:
            await self._redis.set(self._key(session.id), json.dumps(doc), keepttl=True, xx=True)
        else:
            await self._redis.set(self._key(session.id), json.dumps(doc), ex=ex)

    async def load(self, session_id: str, *, now: datetime) -> ConsoleSession | None:
        """The stored session, its idle timer restarted; None when unknown, expired, or older
        than the absolute limit."""
        key = self._key(session_id)
        raw = await self._redis.get(key)
        if raw is None:
            return None
        doc = json.loads(raw)
        created = datetime.fromisoformat(doc["created"]) if doc.get("created") else None
        if created is None or now - created > ABSOLUTE_LIMIT:
            await self._redis.delete(key)
            return None
        staff = _uuid(doc.get("staff"))
        if staff is not None:
            await self._redis.expire(key, IDLE_SECONDS)
        return ConsoleSession(id=session_id, csrf=doc["csrf"], staff_id=staff, created=created,
                              pending=_uuid(doc.get("pending")), enrol_secret=doc.get("enrol"))

    async def keep_enrolment(self, session: ConsoleSession, secret: str | None) -> ConsoleSession:
        """Remember (or forget) the TOTP secret shown on the enrolment page, until confirmed."""
        updated = ConsoleSession(id=session.id, csrf=session.csrf, staff_id=session.staff_id,
                                 created=session.created, pending=session.pending,
                                 enrol_secret=secret)
        await self._save(updated)
        return updated

    async def delete(self, session_id: str) -> None:
        await self._redis.delete(self._key(session_id))
