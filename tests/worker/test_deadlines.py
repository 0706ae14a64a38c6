"""Deadlines (art. 5(1)): staff alerted at the cut-off, unconfirmed requests expire at closing
time."""

from __future__ import annotations

from datetime import date

from storage.db import transaction
from storage.models import Booking, BookingStatus, Closure
from tests.helpers import button, texts
from tests.worker.conftest import add_booking, add_user, audit_actions, get, jst
from worker import sweeps

THURSDAY = jst(2026, 12, 3, 10, 0)  # requests close Wed 15:00, lapse Wed 17:00


async def test_staff_hear_once_at_the_cut_off_which_requests_are_still_unconfirmed(
        services, office, clock, emulator):
    user = await add_user(services, office.id)
    request = await add_booking(services, office.id, user, THURSDAY, BookingStatus.REQUESTED)
    await add_booking(services, office.id, user, THURSDAY.replace(hour=11))  # confirmed already
    clock.set(jst(2026, 12, 2, 14, 59))
    assert (await sweeps.sweep_deadlines(services, office.id)).alerted == []

    clock.set(jst(2026, 12, 2, 15, 0))
    assert (await sweeps.sweep_deadlines(services, office.id)).alerted == [request.id]
    clock.set(jst(2026, 12, 2, 16, 0))
    assert (await sweeps.sweep_deadlines(services, office.id)).alerted == []
    alerts = emulator.messages(office.staff)
    assert len(alerts) == 1
    shown = texts(alerts)
    assert "未確定の申込みが1件" in shown and "15:00" in shown
    assert "12月3日(木) 10:00〜10:30" in shown and "山田 様" in shown
    assert "山田太郎" not in shown
    assert (await get(services, Booking, request.id)).deadline_alerted_at == jst(2026, 12, 2, 15, 0)
    assert emulator.messages(user.line_user_id) == []


async def test_unconfirmed_at_closing_time_the_request_expires_and_the_user_may_book_again(
        services, office, clock, emulator):
    user = await add_user(services, office.id)
    request = await add_booking(services, office.id, user, THURSDAY, BookingStatus.REQUESTED)
    clock.set(jst(2026, 12, 2, 16, 59))
    assert (await sweeps.sweep_deadlines(services, office.id)).expired == []

    clock.set(jst(2026, 12, 2, 17, 0))
    assert (await sweeps.sweep_deadlines(services, office.id)).expired == [request.id]
    assert (await get(services, Booking, request.id)).status == BookingStatus.EXPIRED
    messages = emulator.messages(user.line_user_id)
    assert "12月3日(木) 10:00〜10:30のご予約の申込み" in texts(messages)
    assert "取り消し" in texts(messages)
    rebook = button(messages, "予約する")
    assert rebook == {"type": "message", "label": "予約する", "text": "予約する"}
    assert await audit_actions(services, office.id) == ["booking.expired"]

    assert (await sweeps.sweep_deadlines(services, office.id)).expired == []
    assert len(emulator.log(user.line_user_id)) == 1


async def test_the_previous_open_day_skips_weekends_and_office_closures(services, office, clock,
                                                                         emulator):
    user = await add_user(services, office.id)
    monday = await add_booking(services, office.id, user, jst(2026, 12, 7, 9, 0),
                               BookingStatus.REQUESTED)
    async with transaction(services.sessions) as session:
        session.add(Closure(office_id=office.id, day=date(2026, 12, 4), reason="庁舎点検"))
    # Friday is closed, so Monday's requests lapse on Thursday at 17:00.
    clock.set(jst(2026, 12, 3, 16, 59))
    assert (await sweeps.sweep_deadlines(services, office.id)).expired == []
    clock.set(jst(2026, 12, 3, 17, 0))
    assert (await sweeps.sweep_deadlines(services, office.id)).expired == [monday.id]


async def test_confirmed_and_immediate_bookings_never_expire(services, office, clock, emulator):
    user = await add_user(services, office.id)
    confirmed = await add_booking(services, office.id, user, THURSDAY)
    immediate = await add_booking(services, office.id, user, jst(2026, 12, 2, 16, 30),
                                  BookingStatus.REQUESTED, immediate=True)
    clock.set(jst(2026, 12, 2, 16, 40))
    result = await sweeps.sweep_deadlines(services, office.id)
    assert result.expired == [] and result.alerted == []
    for booking in (confirmed, immediate):
        assert (await get(services, Booking, booking.id)).status == booking.status
