"""The chat's form link and consent as the hot path writes them (statements, no ORM session;
on PostgreSQL one statement each on the autocommit engine): a new link revokes the user's
older live ones, and a consent is recorded once per version."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from booking import JST
from config import Settings
from dialogs.ports import OfficeInfo
from storage.accounts import AccountsService
from storage.db import make_read_engine, make_read_sessionmaker, make_sessionmaker
from storage.forms import (
    Binding,
    OpenForm,
    Profile,
    ProfileForms,
    Refusal,
    SavedProfile,
    digest,
)
from storage.models import Consent, FormToken, LineUser
from storage.seed import ensure_office

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=JST)
OFFICE = OfficeInfo(name="ハローワーク", phone="0120-000-000", hours="9-17", address="",
                    base_url="https://example.test")


async def _accounts(db: AsyncEngine) -> tuple[AccountsService, AsyncEngine]:
    sessions = make_sessionmaker(db)
    office_id = await ensure_office(sessions, Settings(
        _env_file=None, environment="test", office_code=f"c{uuid.uuid4().hex[:10]}"))
    read_db = make_read_engine(db)
    return AccountsService(sessions, office_id, OFFICE,
                           reads=make_read_sessionmaker(read_db)), read_db


def _token(link: str) -> str:
    return parse_qs(urlsplit(link).query)["t"][0]


async def test_a_new_form_link_revokes_the_older_live_one(db: AsyncEngine):
    accounts, read_db = await _accounts(db)
    try:
        user = "U" + uuid.uuid4().hex
        first = await accounts.form_link(user, NOW)  # no row yet: created with the link
        second = await accounts.form_link(user, NOW + timedelta(minutes=1))
        third = await accounts.form_link(user, NOW + timedelta(minutes=2))
        async with accounts.sessions() as session:
            rows = {row.id: row for row in (await session.scalars(select(FormToken))).all()}
        links = [rows[digest(_token(link))] for link in (first, second, third)]
        assert [row.revoked_at is not None for row in links] == [True, True, False]
        assert links[2].expires_at == NOW + timedelta(minutes=2 + accounts.form_minutes)
        assert len({row.user_id for row in links}) == 1
    finally:
        await read_db.dispose()


async def test_a_consent_is_written_once_per_version_and_creates_the_user(db: AsyncEngine):
    accounts, read_db = await _accounts(db)
    try:
        user = "U" + uuid.uuid4().hex
        await accounts.record_consent(user, "2024-10-01", NOW, language="en")
        await accounts.record_consent(user, "2024-10-01", NOW + timedelta(minutes=5))
        await accounts.record_consent(user, "2026-12-01", NOW + timedelta(hours=1))
        async with accounts.sessions() as session:
            (row,) = (await session.scalars(select(LineUser).where(
                LineUser.office_id == accounts.office_id))).all()
            consents = (await session.scalars(select(Consent).where(
                Consent.user_id == row.id).order_by(Consent.consented_at))).all()
        assert (row.consent_version, row.consented_at, row.followed) == (
            "2026-12-01", NOW + timedelta(hours=1), True)
        assert [(c.terms_version, c.language) for c in consents] == [
            ("2024-10-01", "en"), ("2026-12-01", "ja")]
    finally:
        await read_db.dispose()


async def test_a_bound_link_opens_with_its_user_until_it_is_used_or_replaced(db: AsyncEngine):
    accounts, read_db = await _accounts(db)
    try:
        forms = ProfileForms(accounts.sessions, accounts.reads)
        user = "U" + uuid.uuid4().hex
        await accounts.set_role(user, "jobseeker", NOW)
        link = await accounts.form_link(user, NOW)
        bound = await forms.bind(_token(link), None, NOW)
        assert isinstance(bound, Binding) and bound.secret
        opened = await forms.open(bound.secret, NOW)
        assert opened == OpenForm(line_user_id=user, role="jobseeker", saved=None)
        assert await forms.open("not-a-cookie", NOW) == Refusal.UNKNOWN
        assert await forms.open("", NOW) == Refusal.UNKNOWN
        assert await forms.open(bound.secret, NOW + timedelta(hours=1)) == Refusal.EXPIRED
        saved = await forms.save(bound.secret, NOW, Profile(
            role="jobseeker", name="五所川原 花子", number=None, phone="+819012345678"))
        assert saved == user
        assert await forms.open(bound.secret, NOW) == Refusal.USED
        again = await forms.bind(_token(await accounts.form_link(user, NOW)), None, NOW)
        assert isinstance(again, Binding) and again.secret
        assert (await forms.open(again.secret, NOW)) == OpenForm(
            line_user_id=user, role="jobseeker", saved=SavedProfile(
                role="jobseeker", name="五所川原 花子", number=None, phone="+819012345678"))
        await accounts.form_link(user, NOW + timedelta(minutes=1))  # a newer link
        assert await forms.open(again.secret, NOW) == Refusal.REVOKED
    finally:
        await read_db.dispose()


async def test_two_browsers_opening_one_link_at_once_and_two_submissions_at_once(
        db: AsyncEngine):
    """The first opening and a submission are one statement each on PostgreSQL: of two at the
    same moment, one wins and the other is told why not, as in a transaction."""
    accounts, read_db = await _accounts(db)
    try:
        forms = ProfileForms(accounts.sessions, accounts.reads)
        user = "U" + uuid.uuid4().hex
        await accounts.set_role(user, "jobseeker", NOW)
        token = _token(await accounts.form_link(user, NOW))
        opened = await asyncio.gather(*(forms.bind(token, None, NOW) for _ in range(4)))
        (won,) = [b for b in opened if isinstance(b, Binding)]
        assert won.secret and [b for b in opened if b is not won] == [Refusal.OTHER_BROWSER] * 3
        again = await forms.bind(token, won.secret, NOW)  # the same browser, again
        assert again == Binding(secret=None, seconds_left=won.seconds_left)
        profile = Profile(role="jobseeker", name="五所川原 花子", number=None,
                          phone="+819012345678")
        saved = await asyncio.gather(*(forms.save(won.secret, NOW, profile) for _ in range(3)))
        assert sorted(saved, key=str) == sorted([user, Refusal.USED, Refusal.USED], key=str)
        assert await forms.open(won.secret, NOW) == Refusal.USED
        async with accounts.sessions() as session:
            row = (await session.scalars(select(LineUser).where(
                LineUser.office_id == accounts.office_id))).one()
        assert (row.name, row.phone, row.profile_updated_at) == (
            "五所川原 花子", "+819012345678", NOW)
        assert await forms.bind("unknown-token", None, NOW) == Refusal.UNKNOWN
        assert await forms.save("unknown-secret", NOW, profile) == Refusal.UNKNOWN
    finally:
        await read_db.dispose()
