"""Sites, closures and capacity through the ports (DESIGN §13), the same on every backend:
the office's own booth (booth 1, weekdays 9–17) and a town hall booth (booth 2, Tue/Thu
10–15)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time

from booking import JST
from booking.capacity import CapacityLimit
from booking.sites import ClosureRange, Hours
from dialogs.ports import Draft, Reason
from tests.contracts.backends import NOW, Backend, seed_ready_user

THURSDAY = date(2026, 12, 3)
FRIDAY = date(2026, 12, 4)
TOWN = "見本町役場 2階 相談室"
ADDRESS = "青森県見本郡見本町1-1"
MAP = "https://maps.example/town"


def at(hour: int, minute: int = 0, day: date = THURSDAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=JST)


async def town_hall(backend: Backend) -> str:
    return await backend.add_site(TOWN, (2,), (Hours(1, time(10), time(15)),
                                               Hours(3, time(10), time(15))),
                                  address=ADDRESS, map_url=MAP, access_notes="2階 総務課へ")


async def test_the_calendar_lists_both_sites_and_the_town_hall_keeps_its_own_hours(
        backend: Backend, line_id: str):
    town = await town_hall(backend)
    cal = await backend.availability.calendar(NOW)
    assert [s.name for s in cal.active_sites()][-1] == TOWN and len(cal.active_sites()) == 2
    starts = await backend.availability.free_slots(line_id, THURSDAY, NOW, site_id=town)
    assert (starts[0], starts[-1], len(starts)) == (at(10), at(14, 30), 10)
    assert await backend.availability.free_slots(line_id, FRIDAY, NOW, site_id=town) == []
    days = await backend.availability.open_days(NOW, 3, site_id=town)
    assert [(d.day.day, d.free, d.open) for d in days] == [
        (2, 0, False), (3, 10, True), (4, 0, False)]


async def test_a_request_at_the_town_hall_stands_there_and_names_the_place(backend: Backend,
                                                                           line_id: str):
    town = await town_hall(backend)
    await seed_ready_user(backend, line_id, NOW)
    draft = Draft(purpose="job_consultation", starts_at=at(10), site_id=town)
    outcome = await backend.requests.request_booking(line_id, draft, NOW)
    assert outcome.ok
    (mine,) = await backend.requests.my_bookings(line_id, NOW)
    assert mine.site is not None
    assert (mine.site.id, mine.site.name, mine.site.address, mine.site.map_url) == (
        town, TOWN, ADDRESS, MAP)
    assert (await backend.accounts.user(line_id)).usual_site_id == town
    # The town hall's one booth is taken at 10:00; the office's own booth is not.
    assert at(10) not in await backend.availability.free_slots(line_id, THURSDAY, NOW,
                                                               site_id=town)
    own = (await backend.availability.calendar(NOW)).active_sites()[0].id
    assert at(10) in await backend.availability.free_slots(line_id, THURSDAY, NOW, site_id=own)


async def test_a_request_outside_the_site_hours_is_refused_as_taken(backend: Backend,
                                                                    line_id: str):
    town = await town_hall(backend)
    await seed_ready_user(backend, line_id, NOW)
    draft = Draft(purpose="job_consultation", starts_at=at(9), site_id=town)
    outcome = await backend.requests.request_booking(line_id, draft, NOW)
    assert not outcome.ok and outcome.reason == Reason.TAKEN
    assert outcome.alternatives and all(s.time() >= time(10) for s in outcome.alternatives)


async def test_staff_capacity_of_one_counts_the_booking_at_the_other_site(backend: Backend,
                                                                          line_id: str,
                                                                          other_id: str):
    town = await town_hall(backend)
    await backend.limit(CapacityLimit(starts=time(10), ends=time(11), capacity=1, day=THURSDAY,
                                      reason="会議のため"))
    await seed_ready_user(backend, line_id, NOW)
    await seed_ready_user(backend, other_id, NOW)
    first = await backend.requests.request_booking(
        line_id, Draft(purpose="job_consultation", starts_at=at(10)), NOW)
    assert first.ok and first.bookings[0].site is not None
    assert first.bookings[0].site.id != town
    second = await backend.requests.request_booking(
        other_id, Draft(purpose="job_consultation", starts_at=at(10), site_id=town), NOW)
    assert not second.ok and second.reason == Reason.TAKEN
    assert at(10, 30) in await backend.availability.free_slots(other_id, THURSDAY, NOW,
                                                               site_id=town)
    assert at(11) in await backend.availability.free_slots(other_id, THURSDAY, NOW,
                                                           site_id=town)


async def test_a_closure_of_one_site_or_a_time_range_leaves_the_rest_bookable(backend: Backend,
                                                                               line_id: str):
    town = await town_hall(backend)
    await backend.close_range(ClosureRange(day=THURSDAY, site_id=town, reason="大雪のため"))
    await backend.close_range(ClosureRange(day=THURSDAY, starts=time(14), ends=time(15)))
    availability = backend.availability
    assert await availability.free_slots(line_id, THURSDAY, NOW, site_id=town) == []
    own = (await availability.calendar(NOW)).active_sites()[0].id
    starts = await availability.free_slots(line_id, THURSDAY, NOW, site_id=own)
    assert len(starts) == 14 and at(14) not in starts and at(14, 30) not in starts
    cal = await availability.calendar(NOW)
    assert THURSDAY not in cal.closures  # not a closed day: deadlines stay as they were


async def test_the_waitlist_waits_for_its_site(backend: Backend, line_id: str, other_id: str):
    town = await town_hall(backend)
    await seed_ready_user(backend, line_id, NOW)
    await seed_ready_user(backend, other_id, NOW)
    booked = await backend.requests.request_booking(
        line_id, Draft(purpose="job_consultation", starts_at=at(10), site_id=town), NOW)
    assert booked.ok
    waiting = Draft(purpose="job_consultation", site_id=town)
    assert await backend.requests.join_waitlist(other_id, THURSDAY, waiting, NOW)
    backend.events.clear()
    cancelled = await backend.requests.cancel_booking(line_id, booked.bookings[0].id, NOW)
    assert cancelled.ok
    offers = [e for e in backend.events if type(e).__name__ == "SlotFreed"]
    assert len(offers) == 1 and at(10) in offers[0].starts  # type: ignore[attr-defined]
    taken = await backend.requests.take_offer(other_id, offers[0].entry_id,  # type: ignore
                                              at(10), NOW)
    assert taken.ok and taken.bookings[0].site is not None
    assert taken.bookings[0].site.id == town


async def test_two_requests_at_once_at_two_sites_never_exceed_the_capacity(backend: Backend,
                                                                           line_id: str,
                                                                           other_id: str):
    # The booth index cannot see this (different booths): the commit counts under a lock.
    town = await town_hall(backend)
    own = (await backend.availability.calendar(NOW)).active_sites()[0].id
    await backend.limit(CapacityLimit(starts=time(10), ends=time(10, 30), capacity=1,
                                      day=THURSDAY))
    await seed_ready_user(backend, line_id, NOW)
    await seed_ready_user(backend, other_id, NOW)
    outcomes = await asyncio.gather(*(
        backend.requests.request_booking(who, Draft(purpose="job_consultation",
                                                    starts_at=at(10), site_id=where), NOW)
        for who, where in ((line_id, own), (other_id, town))))
    assert sorted(o.ok for o in outcomes) == [False, True]
    assert [o.reason for o in outcomes if not o.ok] == [Reason.TAKEN]
