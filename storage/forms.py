"""Profile form links and .ics links: the only ways personal data and calendars leave the chat.

A form link carries a random token; only its sha256 is stored (FormToken.id). It lasts a few
minutes, works once, belongs to one user, and locks after repeated failed submissions, so a
leaked or guessed link is worth little (DESIGN.md §3, §11). The first browser that opens it
swaps the URL token for a cookie secret (only its sha256 kept, in `browser_key`): from then on
the form is found by that cookie, and the same link opened anywhere else shows nothing. A new
link revokes the user's older unused ones, so one link at a time is live.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import execute_committed, read_first, transaction
from storage.models import FormToken, LineUser

MAX_FAILURES = 5  # failed submissions before one link locks
USER_FAILURES = 10  # failed submissions across links before a user gets no new link for a while
USER_WINDOW = timedelta(hours=1)
T = TypeVar("T")


class Refusal(StrEnum):
    """Why a link or a form cookie opens nothing."""

    UNKNOWN = "unknown"  # no such link, or no (valid) form cookie in this browser
    USED = "used"
    LOCKED = "locked"
    EXPIRED = "expired"
    REVOKED = "revoked"  # a newer link was sent to the same user
    OTHER_BROWSER = "other_browser"  # the link was opened first in another browser


def digest(token: str) -> str:
    """What the database keeps of a token: its sha256, so a leaked table opens no form."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A form link's secret (only its `digest` is stored)."""
    return secrets.token_urlsafe(32)


async def issue(*, session: AsyncSession, office_id: uuid.UUID, user_id: uuid.UUID,
                now: datetime, minutes: int) -> str:
    """A fresh single-use token for `user_id`, valid for `minutes`; older unused ones revoked
    (`issue_statements`, in the session's transaction)."""
    await session.flush()  # the user's row may be new in this session
    token = new_token()
    values = issue_values(office_id=office_id, user_id=user_id, token=token, now=now,
                          minutes=minutes)
    for statement in issue_statements(session.get_bind().dialect.name):
        await session.execute(statement, values)
    return token


def issue_values(*, office_id: uuid.UUID, user_id: uuid.UUID, token: str, now: datetime,
                 minutes: int) -> dict[str, Any]:
    """The parameters of `issue_statements`."""
    return {"digest": digest(token), "office": office_id, "user": user_id, "now": now,
            "expires": now + timedelta(minutes=minutes)}


_ISSUE: dict[str, tuple[Any, ...]] = {}


def issue_statements(dialect: str) -> tuple[Any, ...]:
    """A new link as statements built once, to run in order in one transaction: revoke the
    user's live links, add the new one. On PostgreSQL one statement does both (the revocation
    a CTE beside the INSERT). Parameters: `issue_values`."""
    if dialect not in _ISSUE:
        tokens = FormToken.__table__  # type: ignore[attr-defined]
        revoke = update(tokens).where(
            tokens.c.user_id == bindparam("user"), tokens.c.used_at.is_(None),
            tokens.c.revoked_at.is_(None), tokens.c.expires_at > bindparam("now")
        ).values(revoked_at=bindparam("now"))
        add = insert(tokens).values(
            id=bindparam("digest"), office_id=bindparam("office"), user_id=bindparam("user"),
            expires_at=bindparam("expires"), failures=0)
        if dialect == "postgresql":
            _ISSUE[dialect] = (add.add_cte(revoke.returning(tokens.c.id).cte("revoked")),)
        else:
            _ISSUE[dialect] = (revoke, add)
    return _ISSUE[dialect]


def failures_since(user_id: Any, since: Any) -> Any:
    """The failed submissions of a user's links that expired after `since` (a scalar
    subquery: `user_locked_out` compares it with USER_FAILURES)."""
    return (select(func.coalesce(func.sum(FormToken.failures), 0))
            .where(FormToken.user_id == user_id, FormToken.expires_at > since)
            .scalar_subquery())


async def user_locked_out(*, session: AsyncSession, user_id: uuid.UUID, now: datetime) -> bool:
    """Too many failed submissions lately: no new link until the window passes."""
    total = await session.scalar(select(failures_since(user_id, now - USER_WINDOW)))
    return int(total or 0) >= USER_FAILURES


# A link found by its browser's cookie, with what `open` needs of its user (columns).
_OPEN = (select(FormToken.used_at, FormToken.revoked_at, FormToken.failures,
                FormToken.expires_at, LineUser.line_user_id, LineUser.role, LineUser.name,
                LineUser.number, LineUser.phone)
         .join(LineUser, LineUser.id == FormToken.user_id)
         .where(FormToken.browser_key == bindparam("key")))


def _bind_statement() -> Any:
    """A link's first browser, as one statement (PostgreSQL): the unbound, usable link takes
    the browser's key; no row back when it was not (the reason is read then)."""
    tokens = FormToken.__table__  # type: ignore[attr-defined]
    return (update(tokens)
            .where(tokens.c.id == bindparam("digest"), tokens.c.browser_key.is_(None),
                   *_still_usable(tokens))
            .values(browser_key=bindparam("key"), opened_at=bindparam("now"))
            .returning(tokens.c.expires_at))


def _save_statement() -> Any:
    """A submission as one statement (PostgreSQL): the browser's usable link is used up and
    its user takes the profile; their LINE id back, or no row when the link was not usable."""
    tokens, users = FormToken.__table__, LineUser.__table__  # type: ignore[attr-defined]
    used = (update(tokens)
            .where(tokens.c.browser_key == bindparam("key"), *_still_usable(tokens))
            .values(used_at=bindparam("now")).returning(tokens.c.user_id).cte("used"))
    return (update(users).where(users.c.id == used.c.user_id)
            .values(role=bindparam("p_role"), name=bindparam("p_name"),
                    number=bindparam("p_number"), phone=bindparam("p_phone"),
                    profile_updated_at=bindparam("now"))
            .returning(users.c.line_user_id))


def _still_usable(tokens: Any) -> tuple[Any, ...]:
    """`_usable` as SQL: not used, not revoked, not locked, not expired at `now`."""
    return (tokens.c.used_at.is_(None), tokens.c.revoked_at.is_(None),
            tokens.c.failures < MAX_FAILURES, tokens.c.expires_at > bindparam("now"))


_BIND, _SAVE = _bind_statement(), _save_statement()


def _usable(row: T | None, now: datetime) -> T | Refusal:
    """The link when it may be used now, else why not."""
    if row is None:
        return Refusal.UNKNOWN
    if row.used_at is not None:
        return Refusal.USED
    if row.revoked_at is not None:
        return Refusal.REVOKED
    if row.failures >= MAX_FAILURES:
        return Refusal.LOCKED
    if now >= row.expires_at:
        return Refusal.EXPIRED
    return row


async def by_token(*, session: AsyncSession, token: str) -> FormToken | None:
    """The link a URL token names (locked for update)."""
    if not plausible(token):
        return None
    return await session.get(FormToken, digest(token), with_for_update=True)


def plausible(secret: str) -> bool:
    """A URL token or cookie value that could be a link's (anything else is not looked up)."""
    return bool(secret) and len(secret) <= 100


async def by_browser(*, session: AsyncSession, secret: str) -> FormToken | None:
    """The link a browser's form cookie is bound to (locked for update)."""
    if not plausible(secret):
        return None
    return (await session.scalars(select(FormToken).where(
        FormToken.browser_key == digest(secret)).with_for_update())).first()


@dataclass(frozen=True)
class Binding:
    """A link opened by a browser: the cookie secret to set (None: it holds it already)."""

    secret: str | None
    seconds_left: int


@dataclass(frozen=True)
class SavedProfile:
    """The profile on file (E.164 phone); blank fields of a new submission keep these."""

    role: str
    name: str
    number: str | None
    phone: str


@dataclass(frozen=True)
class OpenForm:
    """A usable link: whose it is, the role they chose in the chat, what they saved before."""

    line_user_id: str
    role: str | None
    saved: SavedProfile | None


@dataclass(frozen=True)
class Profile:
    """A validated submission."""

    role: str
    name: str
    number: str | None
    phone: str


def _saved(user: Any) -> SavedProfile | None:
    if not (user.role and user.name and user.phone):
        return None
    return SavedProfile(role=user.role, name=user.name, number=user.number, phone=user.phone)


class ProfileForms:
    """The form's side of the database; each method is one unit of work. On PostgreSQL a
    browser's first opening and a submission are one statement each (the common case), the
    other cases a transaction that also says why not."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession],
                 reads: async_sessionmaker[AsyncSession] | None = None) -> None:
        self.sessions = sessions
        self.reads = reads or sessions  # storage.db.make_read_sessionmaker: no BEGIN/ROLLBACK
        # On PostgreSQL the common cases are one statement each (SQLite: transactions).
        self._engine: AsyncEngine = sessions.kw["bind"]
        self._one_statement = self._engine.dialect.name == "postgresql"

    async def bind(self, token: str, secret: str | None, now: datetime) -> Binding | Refusal:
        """Open a link in a browser: the first one gets a cookie secret, others are refused."""
        if not plausible(token):
            return Refusal.UNKNOWN
        fresh = secrets.token_urlsafe(32)
        if self._one_statement:
            row = await execute_committed(self._engine, _BIND, {
                "digest": digest(token), "key": digest(fresh), "now": now})
            if row is not None:
                return Binding(secret=fresh, seconds_left=_left(row.expires_at, now))
        async with transaction(self.sessions) as session:
            row = _usable(await by_token(session=session, token=token), now)
            if isinstance(row, Refusal):
                return row
            left = _left(row.expires_at, now)
            if row.browser_key is None:
                row.browser_key, row.opened_at = digest(fresh), now
                return Binding(secret=fresh, seconds_left=left)
            if secret and hmac.compare_digest(digest(secret), row.browser_key):
                return Binding(secret=None, seconds_left=left)
            return Refusal.OTHER_BROWSER

    async def open(self, secret: str, now: datetime) -> OpenForm | Refusal:
        """The link this browser's cookie holds, with the saved profile, or why not: one
        read of the link and its user (the form page and each submission ask)."""
        if not plausible(secret):
            return Refusal.UNKNOWN
        found = await read_first(self.reads.kw["bind"], _OPEN, {"key": digest(secret)})
        row = _usable(found, now)
        if isinstance(row, Refusal):
            return row
        assert row.line_user_id is not None
        return OpenForm(line_user_id=row.line_user_id, role=row.role, saved=_saved(row))

    async def fail(self, secret: str, now: datetime) -> Refusal | None:
        """Count a failed submission; the refusal if the link is (now) unusable."""
        async with transaction(self.sessions) as session:
            row = _usable(await by_browser(session=session, secret=secret), now)
            if isinstance(row, Refusal):
                return row
            row.failures += 1
            return Refusal.LOCKED if row.failures >= MAX_FAILURES else None

    async def save(self, secret: str, now: datetime, profile: Profile) -> str | Refusal:
        """Store the profile and use up the link: the LINE user id, or why not."""
        if self._one_statement and plausible(secret):
            row = await execute_committed(self._engine, _SAVE, {
                "key": digest(secret), "now": now, "p_role": profile.role,
                "p_name": profile.name, "p_number": profile.number, "p_phone": profile.phone})
            if row is not None:
                return str(row.line_user_id)
        async with transaction(self.sessions) as session:
            row = _usable(await by_browser(session=session, secret=secret), now)
            if isinstance(row, Refusal):
                return row
            user = await session.get(LineUser, row.user_id)
            assert user is not None and user.line_user_id is not None
            user.role, user.name, user.number = profile.role, profile.name, profile.number
            user.phone, user.profile_updated_at, row.used_at = profile.phone, now, now
            return user.line_user_id


def _left(expires_at: datetime, now: datetime) -> int:
    """Whole seconds the link has left (at least one: it is usable now)."""
    return max(1, int((expires_at - now).total_seconds()))


def ics_token(secret: str, booking_id: uuid.UUID) -> str:
    """An unguessable name for one booking's calendar file: its id and an HMAC of it."""
    mac = hmac.new(secret.encode(), f"ics:{booking_id.hex}".encode(), hashlib.sha256)
    return f"{booking_id.hex}{mac.hexdigest()[:32]}"


def ics_booking_id(secret: str, token: str) -> uuid.UUID | None:
    """The booking an .ics token names, if the token is genuine."""
    if len(token) != 64:
        return None
    try:
        booking_id = uuid.UUID(hex=token[:32])
    except ValueError:
        return None
    return booking_id if hmac.compare_digest(ics_token(secret, booking_id), token) else None
