"""No-show sweep (art. 5(4)): start + 10 minutes without a check-in by staff."""

from __future__ import annotations

import uuid

from storage.accounts import user_info
from storage.models import Booking, BookingStatus, LineUser, Office
from tests.helpers import button, texts
from tests.worker.conftest import PHONE, add_booking, add_user, audit_actions, get, jst
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


async def test_reaching_the_offices_limit_refuses_further_bookings_until_staff_lift_it(
        services, office, clock, emulator):
    user = await add_user(services, office.id, no_show_count=1)
    await add_booking(services, office.id, user, START)
    clock.set(jst(2026, 12, 1, 10, 10))
    await sweeps.sweep_no_shows(services, office.id)
    row = await get(services, LineUser, user.id)
    assert row.no_show_count == 2
    # The booking flow reads this flag (UserInfo) and refuses new bookings while it is set.
    assert user_info(row, await get(services, Office, office.id)).refused_for_no_shows
    assert "今後のご予約はお受けできなくなりました" in texts(emulator.messages(user.line_user_id))
    assert "上限に達したため" in texts(emulator.messages(office.staff))


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
