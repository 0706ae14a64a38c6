"""The office's records as the dialogs see them (implements `dialogs.ports.OfficePort`)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking import mask_name, mask_number, mask_phone
from dialogs.ports import OfficeInfo, TermsInfo, UserInfo
from logs import hash_line_user
from storage.db import transaction
from storage.models import Consent, LineUser, Office, TermsVersionRow


async def find_user(session: AsyncSession, office_id: uuid.UUID, line_user_id: str) -> LineUser | None:
    """The user row for a LINE user, looked up by the hashed id."""
    return (await session.scalars(select(LineUser).where(
        LineUser.office_id == office_id,
        LineUser.line_user_hash == hash_line_user(line_user_id)))).first()


async def get_or_create_user(session: AsyncSession, office_id: uuid.UUID, line_user_id: str,
                             now: datetime) -> LineUser:
    """The user row, created on first need."""
    user = await find_user(session, office_id, line_user_id)
    if user is None:
        user = LineUser(office_id=office_id, line_user_id=line_user_id,
                        line_user_hash=hash_line_user(line_user_id), created_at=now)
        session.add(user)
        await session.flush()
    return user


async def current_terms_row(session: AsyncSession, office_id: uuid.UUID,
                            at: datetime) -> TermsVersionRow | None:
    """The newest terms version already in effect at `at`."""
    return (await session.scalars(
        select(TermsVersionRow)
        .where(TermsVersionRow.office_id == office_id, TermsVersionRow.effective_from <= at)
        .order_by(TermsVersionRow.effective_from.desc()).limit(1))).first()


def user_info(user: LineUser | None, office: Office | None = None) -> UserInfo:
    """Flags and masked data only: the chat never sees full personal data."""
    if user is None:
        return UserInfo(known=False)
    limit = office.no_show_limit if office else 2
    return UserInfo(
        known=True, consent_version=user.consent_version, consented_at=user.consented_at,
        role=user.role, blocked=user.blocked,
        refused_for_no_shows=user.no_show_count >= limit,
        has_profile=bool(user.name and user.phone),
        masked_name=mask_name(user.name) if user.name else None,
        masked_phone=mask_phone(user.phone) if user.phone else None,
        masked_number=mask_number(user.number) if user.number else None,
    )


class OfficeService:
    """Each method is one transaction; the session factory and office id are injected."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], office_id: uuid.UUID,
                 office: OfficeInfo) -> None:
        self.sessions = sessions
        self.office_id = office_id
        self.office = office

    async def user(self, line_user_id: str) -> UserInfo:
        async with self.sessions() as session:
            user = await find_user(session, self.office_id, line_user_id)
            office = await session.get(Office, self.office_id)
            return user_info(user, office)

    async def terms(self, at: datetime) -> TermsInfo | None:
        async with self.sessions() as session:
            row = await current_terms_row(session, self.office_id, at)
        if row is None:
            return None
        return TermsInfo(version=row.version, effective_from=row.effective_from,
                         summary=row.summary, changes=row.changes,
                         url=f"{self.office.base_url}/terms/{row.version}")

    async def record_consent(self, line_user_id: str, version: str, at: datetime) -> None:
        async with transaction(self.sessions) as session:
            user = await get_or_create_user(session, self.office_id, line_user_id, at)
            user.consent_version, user.consented_at, user.followed = version, at, True
            session.add(Consent(office_id=self.office_id, user_id=user.id,
                                terms_version=version, consented_at=at))

    async def mark_unfollowed(self, line_user_id: str) -> None:
        async with transaction(self.sessions) as session:
            user = await find_user(session, self.office_id, line_user_id)
            if user is not None:
                user.followed = False
