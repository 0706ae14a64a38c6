"""Profile form links and .ics links: the only ways personal data and calendars leave the chat.

A form link carries a random token; only its sha256 is stored (FormToken.id). It lasts a few
minutes, works once, belongs to one user, and locks after repeated failed submissions, so a
leaked or guessed link is worth little (DESIGN.md §3, §11).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking import format_phone_national
from storage.db import transaction
from storage.models import FormToken, LineUser

MAX_FAILURES = 5  # failed submissions before one link locks
USER_FAILURES = 10  # failed submissions across links before a user gets no new link for a while
USER_WINDOW = timedelta(hours=1)


def digest(token: str) -> str:
    """What the database keeps of a token: its sha256, so a leaked table opens no form."""
    return hashlib.sha256(token.encode()).hexdigest()


async def issue(*, session: AsyncSession, office_id: uuid.UUID, user_id: uuid.UUID,
                now: datetime, minutes: int) -> str:
    """A fresh single-use token for `user_id`, valid for `minutes`."""
    token = secrets.token_urlsafe(32)
    session.add(FormToken(id=digest(token), office_id=office_id, user_id=user_id,
                          expires_at=now + timedelta(minutes=minutes)))
    return token


async def user_locked_out(*, session: AsyncSession, user_id: uuid.UUID, now: datetime) -> bool:
    """Too many failed submissions lately: no new link until the window passes."""
    total = await session.scalar(select(func.coalesce(func.sum(FormToken.failures), 0)).where(
        FormToken.user_id == user_id, FormToken.expires_at > now - USER_WINDOW))
    return int(total or 0) >= USER_FAILURES


async def find(*, session: AsyncSession, token: str,
               now: datetime) -> tuple[FormToken | None, str]:
    """The token's row when it may be used, else None and why (unknown/used/locked/expired)."""
    if not token or len(token) > 100:
        return None, "unknown"
    row = await session.get(FormToken, digest(token), with_for_update=True)
    if row is None:
        return None, "unknown"
    if row.used_at is not None:
        return None, "used"
    if row.failures >= MAX_FAILURES:
        return None, "locked"
    if now >= row.expires_at:
        return None, "expired"
    return row, ""


@dataclass(frozen=True)
class FormView:
    """What the form shows: the saved profile (the user's own page), or blanks."""

    role: str | None
    name: str
    number: str
    phone: str
    unregistered: bool


@dataclass(frozen=True)
class Profile:
    """A validated submission."""

    role: str
    name: str
    number: str | None
    phone: str


class ProfileForms:
    """The form's side of the database; each method is one transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def open(self, token: str, now: datetime) -> FormView | str:
        """The form's initial values, or the reason the link cannot be used."""
        async with self.sessions() as session:
            row, reason = await find(session=session, token=token, now=now)
            if row is None:
                return reason
            user = await session.get(LineUser, row.user_id)
        assert user is not None
        phone = format_phone_national(user.phone) if user.phone else ""
        return FormView(role=user.role, name=user.name or "", number=user.number or "",
                        phone=phone, unregistered=bool(user.name) and not user.number)

    async def fail(self, token: str, now: datetime) -> str:
        """Count a failed submission; returns the reason if the link is (now) unusable."""
        async with transaction(self.sessions) as session:
            row, reason = await find(session=session, token=token, now=now)
            if row is None:
                return reason
            row.failures += 1
            return "locked" if row.failures >= MAX_FAILURES else ""

    async def save(self, token: str, now: datetime, profile: Profile) -> tuple[str | None, str]:
        """Store the profile and use up the link: (the LINE user id, "") or (None, reason)."""
        async with transaction(self.sessions) as session:
            row, reason = await find(session=session, token=token, now=now)
            if row is None:
                return None, reason
            user = await session.get(LineUser, row.user_id)
            assert user is not None
            user.role, user.name, user.number = profile.role, profile.name, profile.number
            user.phone, user.profile_updated_at, row.used_at = profile.phone, now, now
            return user.line_user_id, ""


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
