"""Staff freeing a slot (decline, move) offers it to the day's waitlist, as a user cancel does."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from booking import to_jst
from storage.db import transaction
from storage.models import Booking, BookingStatus, Office, WaitlistEntry
from tests.conftest import LiveApp
from tests.helpers import tap, texts
from tests.staff.conftest import add_booking, add_user, booking_row, rows, run


def wait_for(app: LiveApp, user_id: uuid.UUID, day: date) -> None:
    """Put the user on the day's waitlist, as 空きが出たら知らせる does."""
    async def join() -> None:
        async with transaction(app.services.sessions) as session:
            session.add(WaitlistEntry(office_id=app.services.office_id, user_id=user_id, day=day,
                                      purpose="job_consultation", attendant="none",
                                      created_at=app.clock.now()))
    run(app, join())


def fill_day(app: LiveApp, slots) -> tuple[uuid.UUID, list]:
    """A fresh day booked full; returns the 9:00 booking (booth 1) and the day's starts."""
    day = slots.day()
    (office,) = rows(app, select(Office))
    filler, _ = add_user(app)
    holder, _ = add_user(app)
    first = add_booking(app, holder, day[0], status=BookingStatus.CONFIRMED)
    for start in day:
        for booth in range(1, office.booths + 1):
            if (start, booth) != (day[0], 1):
                add_booking(app, filler, start, booth=booth)
    return first, day


def test_staff_declining_offers_the_slot_to_the_waitlist_and_the_first_tap_books_it(
        staff_app, console, slots):
    freed, day = fill_day(staff_app, slots)
    waiting_id, waiting = add_user(staff_app)
    wait_for(staff_app, waiting_id, to_jst(day[0]).date())
    declined = console.api(f"/staff/bookings/{freed}/decline",
                           {"version": 1, "reason": "担当者の都合のため"})
    assert declined.json()["ok"] is True
    offer = staff_app.messages(waiting)[-1:]
    assert "空きが出ました" in texts(offer) and "9:00から申し込む" in texts(offer)
    booked = tap(staff_app, waiting, offer, "9:00から申し込む")
    assert "お申し込みを受け付けました" in texts(booked)
    (row,) = rows(staff_app, select(Booking).where(Booking.user_id == waiting_id))
    assert (row.starts_at, row.status) == (day[0], BookingStatus.REQUESTED)
    (entry,) = rows(staff_app, select(WaitlistEntry).where(WaitlistEntry.user_id == waiting_id))
    assert entry.active is False


def test_staff_moving_a_booking_offers_its_old_slot_to_the_waitlist(staff_app, console, slots):
    freed, day = fill_day(staff_app, slots)
    waiting_id, waiting = add_user(staff_app)
    wait_for(staff_app, waiting_id, to_jst(day[0]).date())
    elsewhere = slots.next()
    moved = console.api(f"/staff/bookings/{freed}/move",
                        {"version": 1, "starts_at": elsewhere.isoformat(), "booth": 1})
    assert moved.json()["ok"] is True and booking_row(staff_app, freed).status == "moved"
    offer = staff_app.messages(waiting)[-1:]
    assert "空きが出ました" in texts(offer) and "9:00から申し込む" in texts(offer)
