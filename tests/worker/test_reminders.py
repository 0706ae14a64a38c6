"""Reminders: the evening before at the configured hour and 30 minutes before, each sent once."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import select, text

from dialogs.postback import Postback
from services import Services
from storage import sweeps as sql
from storage.models import Booking, BookingStatus
from tests.helpers import actions, button, texts
from tests.worker.conftest import PHONE, add_booking, add_user, get, jst
from worker import sweeps

SESSION = jst(2026, 12, 2, 10, 0)  # Wednesday 10:00


async def test_day_before_reminder_comes_at_17_with_the_rules_and_a_cancel_button(
        services, office, clock, emulator):
    user = await add_user(services, office.id)
    booking = await add_booking(services, office.id, user, SESSION, attendant="interpreter")
    clock.set(jst(2026, 12, 1, 16, 59))
    assert await sweeps.send_reminders(services, office.id) == []
    assert emulator.messages(user.line_user_id) == []

    clock.set(jst(2026, 12, 1, 17, 0))
    assert await sweeps.send_reminders(services, office.id) == [booking.id]
    shown = texts(emulator.messages(user.line_user_id))
    assert "明日はご予約の日です" in shown
    assert "12月2日(水) 10:00〜10:30" in shown
    assert "職業相談" in shown and "通訳者" in shown
    # Terms art. 11(2)(3).
    assert "録画・録音はできません" in shown
    assert "ご本人以外の方が入らない" in shown
    assert "通訳者・介助者が同席する場合は、事前に必ずお知らせください" in shown
    assert PHONE in shown
    cancel = button(emulator.messages(user.line_user_id), "予約を取り消す")
    assert Postback.parse(cancel["data"]) == Postback(
        action="booking.cancel", value=str(booking.id)
    )
    assert (await get(services, Booking, booking.id)).reminded_day_before_at == clock.now()


async def test_a_second_run_sends_nothing_twice(services, office, clock, emulator):
    user = await add_user(services, office.id)
    await add_booking(services, office.id, user, SESSION)
    clock.set(jst(2026, 12, 1, 18, 30))
    first = await sweeps.send_reminders(services, office.id)
    again = await sweeps.send_reminders(services, office.id)
    assert len(first) == 1 and again == []
    assert len(emulator.log(user.line_user_id)) == 1


async def waiting_on_locks(services: Services, count: int) -> None:
    """Return once `count` sessions of this database wait on a row lock (polled, bounded)."""
    async with asyncio.timeout(20), services.sessions() as session:
        while await session.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'")) < count:
            await session.rollback()  # a fresh snapshot of pg_stat_activity each time
            await asyncio.sleep(0.02)


async def test_two_workers_racing_on_one_reminder_send_it_once(services, office, clock,
                                                               emulator, live):
    user = await add_user(services, office.id)
    booking = await add_booking(services, office.id, user, SESSION)
    clock.set(jst(2026, 12, 1, 18, 30))
    other_worker = Services(live.settings.model_copy(update={"auto_migrate": False}), clock)
    await other_worker.start()
    try:
        # A third session holds the booking's row lock until both sweeps have read the booking
        # as not yet reminded and wait to mark it: the race is certain, not left to timing.
        async with services.sessions() as holder:
            await holder.execute(select(Booking).where(Booking.id == booking.id)
                                 .with_for_update())
            racing = [asyncio.create_task(sweeps.send_reminders(worker, office.id))
                      for worker in (services, other_worker)]
            await waiting_on_locks(services, 2)
            await holder.rollback()
        results = await asyncio.gather(*racing)
    finally:
        await other_worker.stop()
    assert sorted(results, key=len) == [[], [booking.id]]
    assert len(emulator.log(user.line_user_id)) == 1
    assert "明日はご予約の日です" in texts(emulator.messages(user.line_user_id))


async def test_thirty_minute_reminder_comes_once_and_does_not_repeat_the_day_before_one(
        services, office, clock, emulator):
    user = await add_user(services, office.id)
    booking = await add_booking(services, office.id, user, SESSION)
    clock.set(jst(2026, 12, 2, 9, 29))
    assert await sweeps.send_reminders(services, office.id) == []
    clock.set(jst(2026, 12, 2, 9, 30))
    assert await sweeps.send_reminders(services, office.id) == [booking.id]
    clock.set(jst(2026, 12, 2, 9, 45))
    assert await sweeps.send_reminders(services, office.id) == []
    messages = emulator.messages(user.line_user_id)
    assert "まもなくご予約の時間です" in texts(messages)
    assert "録画・録音はできません" in texts(messages)
    assert "明日" not in texts(messages)  # too late for the evening-before one
    assert [a["label"] for a in actions(messages)] == ["予約を取り消す"]


async def test_the_reminder_hour_is_a_setting(services, office, clock, emulator):
    user = await add_user(services, office.id)
    booking = await add_booking(services, office.id, user, SESSION)
    clock.set(jst(2026, 12, 1, 12, 0))
    assert await sweeps.run_sweep(services, sql.send_reminders, office_id=office.id,
                                  day_before_hour=13) == []
    clock.set(jst(2026, 12, 1, 13, 0))
    assert await sweeps.run_sweep(services, sql.send_reminders, office_id=office.id,
                                  day_before_hour=13) == [booking.id]


async def test_requests_immediate_use_checked_in_and_cancelled_bookings_get_no_reminder(
        services, office, clock, emulator):
    user = await add_user(services, office.id)
    for minute, fields in ((0, {"status": BookingStatus.REQUESTED}),
                           (30, {"status": BookingStatus.CANCELLED})):
        await add_booking(services, office.id, user, SESSION.replace(hour=11, minute=minute),
                          **fields)
    await add_booking(services, office.id, user, SESSION.replace(hour=13),
                      checked_in_at=SESSION)
    await add_booking(services, office.id, user, SESSION, immediate=True)
    clock.set(jst(2026, 12, 1, 20, 0))
    assert await sweeps.send_reminders(services, office.id) == []
    assert emulator.messages(user.line_user_id) == []


async def test_consecutive_slots_booked_together_get_one_reminder_for_the_whole_span(
        services, office, clock, emulator):
    user = await add_user(services, office.id, role="employer")
    group = uuid.uuid4()
    rows = [await add_booking(services, office.id, user, SESSION.replace(hour=14, minute=m),
                              group_id=group, purpose="interview") for m in (0, 30)]
    rows.append(await add_booking(services, office.id, user, SESSION.replace(hour=15),
                                  group_id=group, purpose="interview"))
    clock.set(jst(2026, 12, 1, 17, 0))
    assert sorted(await sweeps.send_reminders(services, office.id)) == sorted(b.id for b in rows)
    messages = emulator.messages(user.line_user_id)
    assert "12月2日(水) 14:00〜15:30" in texts(messages)
    assert len(emulator.log(user.line_user_id)) == 1
    cancel = button(messages, "予約を取り消す")
    assert Postback.parse(cancel["data"]).value == str(rows[0].id)


async def test_users_who_blocked_the_account_are_not_pushed_but_marked(services, office, clock,
                                                                       emulator):
    user = await add_user(services, office.id, followed=False)
    booking = await add_booking(services, office.id, user, SESSION)
    clock.set(jst(2026, 12, 1, 17, 0))
    assert await sweeps.send_reminders(services, office.id) == [booking.id]
    assert emulator.log(user.line_user_id) == []
