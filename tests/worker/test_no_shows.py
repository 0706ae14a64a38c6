"""No-show sweep (art. 5(4)): start + 10 minutes without a check-in by staff."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update

from storage.db import transaction
from storage.models import Booking, BookingStatus, LineUser, Office, StaffAccount
from tests.helpers import button, texts
from tests.worker.conftest import (
    PHONE,
    add_booking,
    add_user,
    audit_actions,
    get,
    jst,
    new_user,
)
from worker import sweeps

START = jst(2026, 12, 1, 10, 0)


async def test_no_check_in_ten_minutes_after_the_start_is_a_no_show_told_to_user_and_staff(
        services, office, clock, emulator):
    user = await add_user(services, office.id)
    booking = await add_booking(services, office.id, user, START)
    clock.set(jst(2026, 12, 1, 10, 9, 59))
    assert await sweeps.sweep_no_shows(services, office.id) == []

    clock.set(jst(2026, 12, 1, 10, 10))
    assert await sweeps.sweep_no_shows(services, office.id) == [booking.id]
    assert (await get(services, Booking, booking.id)).status == BookingStatus.NO_SHOW
    assert (await get(services, LineUser, user.id)).no_show_count == 1
    told = texts(emulator.messages(user.line_user_id))
    assert "12月1日(火) 10:00〜10:30のご予約" in told and "キャンセル扱い" in told
    assert "今後のご予約をお断りすることがあります" in told and PHONE in told
    alert = texts(emulator.messages(office.staff))
    assert "連絡のないキャンセル" in alert
    assert "山" in alert and "山田太郎" not in alert  # masked, never the full name
    assert "1回（上限2回）" in alert
    link = button(emulator.messages(office.staff), "管理画面を開く")
    assert link["uri"].endswith(f"/staff/bookings/{booking.id}")
    assert await audit_actions(services, office.id) == ["booking.no_show"]


async def test_a_checked_in_session_is_left_alone(services, office, clock, emulator):
    user = await add_user(services, office.id)
    booking = await add_booking(services, office.id, user, START, checked_in_at=START)
    clock.set(jst(2026, 12, 1, 10, 30))
    assert await sweeps.sweep_no_shows(services, office.id) == []
    assert (await get(services, Booking, booking.id)).status == BookingStatus.CONFIRMED


async def test_running_twice_counts_and_tells_once(services, office, clock, emulator):
    user = await add_user(services, office.id)
    await add_booking(services, office.id, user, START)
    clock.set(jst(2026, 12, 1, 10, 15))
    await sweeps.sweep_no_shows(services, office.id)
    assert await sweeps.sweep_no_shows(services, office.id) == []
    assert (await get(services, LineUser, user.id)).no_show_count == 1
    assert len(emulator.log(user.line_user_id)) == 1
    assert len(emulator.log(office.staff)) == 1


async def test_reaching_the_offices_limit_is_told_and_the_next_booking_is_refused_in_the_chat(
        services, live, clock, emulator):
    # The live app's own office, so the refused user can then try to book in its chat. The
    # sweep is office-wide but only looks at today's sessions: a day no other test books.
    office_id = live.services.office_id
    staff = new_user()
    async with transaction(services.sessions) as session:
        limit = (await session.get(Office, office_id)).no_show_limit
        account = StaffAccount(office_id=office_id, login=f"s{uuid.uuid4().hex[:10]}",
                               display_name="職員", password_hash="-", line_user_id=staff)
        session.add(account)
    try:
        user = await add_user(services, office_id, no_show_count=limit - 1)
        start = jst(2026, 11, 27, 10, 0)
        booking = await add_booking(services, office_id, user, start)
        clock.set(start + timedelta(minutes=10))
        assert await sweeps.sweep_no_shows(services, office_id) == [booking.id]
        assert (await get(services, LineUser, user.id)).no_show_count == limit
        assert "今後のご予約はお受けできなくなりました" in texts(
            emulator.messages(user.line_user_id))
        assert "上限に達したため" in texts(emulator.messages(staff))
        answer = texts(live.send(user.line_user_id, text="予約する"))
        assert "現在、このトークからのご予約・ご利用はお受けできません" in answer
        assert "お申し込み内容の確認" not in answer and "ご用件を選んでください" not in answer
    finally:
        async with transaction(services.sessions) as session:
            await session.execute(update(StaffAccount).where(StaffAccount.id == account.id)
                                  .values(active=False, line_user_id=None))


async def test_a_group_of_slots_is_one_reservation_one_no_show(services, office, clock,
                                                                emulator):
    user = await add_user(services, office.id, role="employer")
    group = uuid.uuid4()
    rows = [await add_booking(services, office.id, user, START.replace(minute=m),
                              group_id=group, purpose="interview") for m in (0, 30)]
    clock.set(jst(2026, 12, 1, 10, 10))
    assert sorted(await sweeps.sweep_no_shows(services, office.id)) == sorted(b.id for b in rows)
    assert (await get(services, LineUser, user.id)).no_show_count == 1
    assert len(emulator.log(user.line_user_id)) == 1
    assert "10:00〜11:00" in texts(emulator.messages(user.line_user_id))


async def test_checking_in_one_slot_of_a_group_keeps_the_others(services, office, clock,
                                                               emulator):
    user = await add_user(services, office.id, role="employer")
    group = uuid.uuid4()
    await add_booking(services, office.id, user, START, group_id=group, checked_in_at=START)
    later = await add_booking(services, office.id, user, START.replace(minute=30), group_id=group)
    clock.set(jst(2026, 12, 1, 10, 45))
    assert await sweeps.sweep_no_shows(services, office.id) == []
    assert (await get(services, Booking, later.id)).status == BookingStatus.CONFIRMED
