"""Retention purge (art. 6, 7): personal data goes a year after the last booking; slots stay."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import func, select

from logs import hash_line_user
from storage import forms
from storage import sweeps as sql
from storage.db import transaction
from storage.models import (
    AuditLog,
    Booking,
    BookingStatus,
    Consent,
    FormToken,
    LineUser,
    WaitlistEntry,
)
from tests.worker.conftest import add_booking, add_user, audit_actions, get
from worker import sweeps


async def _user_with_history(services, office, clock, *, last_booking_days: int) -> LineUser:
    now = clock.now()
    then = now - timedelta(days=last_booking_days)
    user = await add_user(services, office.id, created_at=now - timedelta(days=800),
                          last_booking_at=then, profile_updated_at=then - timedelta(days=1),
                          consented_at=then - timedelta(days=1))
    await add_booking(
        services, office.id, user, then, BookingStatus.COMPLETED, note="山田様 携帯へ"
    )
    async with transaction(services.sessions) as session:
        session.add(Consent(office_id=office.id, user_id=user.id, terms_version="2024-10-01",
                            consented_at=then))
        session.add(FormToken(id=uuid.uuid4().hex, office_id=office.id, user_id=user.id,
                              expires_at=then))
        session.add(WaitlistEntry(office_id=office.id, user_id=user.id, day=date(2025, 10, 1)))
        session.add(AuditLog(office_id=office.id, at=then, actor="staff", action="booking.confirm"))
    return user


async def _count(services, model, **where) -> int:
    async with services.sessions() as session:
        query = select(func.count()).select_from(model).filter_by(**where)
        return await session.scalar(query)


async def test_a_year_after_the_last_booking_personal_data_goes_and_time_slots_stay(
        services, office, clock):
    user = await _user_with_history(services, office, clock, last_booking_days=366)
    assert await sweeps.purge_retention(services, office.id) == [user.id]

    row = await get(services, LineUser, user.id)
    assert (row.name, row.number, row.phone, row.line_user_id) == (None, None, None, None)
    assert row.line_user_hash != hash_line_user(user.line_user_id)
    assert row.anonymized_at == clock.now()
    assert await _count(services, FormToken, user_id=user.id) == 0
    assert await _count(services, WaitlistEntry, user_id=user.id) == 0
    # Usage time slots (art. 6) and the audit trail stay; free-text notes do not.
    async with services.sessions() as session:
        (booking,) = (
            await session.scalars(select(Booking).where(Booking.user_id == user.id))
        ).all()
    assert booking.status == BookingStatus.COMPLETED and booking.note is None
    assert await _count(services, Consent, user_id=user.id) == 1
    assert await audit_actions(services, office.id) == ["booking.confirm", "user.anonymized"]
    # Nothing left to do the next time.
    assert await sweeps.purge_retention(services, office.id) == []


async def test_users_with_a_booking_inside_the_year_are_kept(services, office, clock):
    user = await _user_with_history(services, office, clock, last_booking_days=364)
    assert await sweeps.purge_retention(services, office.id) == []
    assert (await get(services, LineUser, user.id)).name == "山田太郎"


async def test_an_upcoming_booking_keeps_an_old_user(services, office, clock):
    user = await _user_with_history(services, office, clock, last_booking_days=500)
    await add_booking(services, office.id, user, clock.now() + timedelta(days=2))
    assert await sweeps.purge_retention(services, office.id) == []


async def test_the_retention_period_is_configurable(services, office, clock):
    user = await _user_with_history(services, office, clock, last_booking_days=40)
    assert await sweeps.run_sweep(services, sql.purge_expired_personal_data, office_id=office.id,
                                  keep=timedelta(days=60)) == []
    assert await sweeps.run_sweep(services, sql.purge_expired_personal_data, office_id=office.id,
                                  keep=timedelta(days=30)) == [user.id]


async def test_form_links_expired_over_a_day_ago_are_purged_and_the_lockout_still_counts(
        services, office, clock):
    user = await add_user(services, office.id)
    now = clock.now()
    links = {"old": now - timedelta(days=1, minutes=1), "recent": now - timedelta(minutes=30),
             "live": now + timedelta(minutes=10)}
    async with transaction(services.sessions) as session:
        for name, expires in links.items():
            session.add(FormToken(id=name + uuid.uuid4().hex, office_id=office.id,
                                  user_id=user.id, expires_at=expires,
                                  failures=10 if name == "recent" else 0))
    await sweeps.purge_retention(services, office.id)
    async with services.sessions() as session:
        kept = (await session.scalars(select(FormToken.expires_at).where(
            FormToken.user_id == user.id))).all()
        # The failures of a link that expired half an hour ago still lock the user out.
        assert await forms.user_locked_out(session=session, user_id=user.id, now=now)
    assert sorted(kept) == [links["recent"], links["live"]]
