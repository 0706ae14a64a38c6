"""AvailabilityPort contract: open days, free slots and holds, the same on every backend."""

from __future__ import annotations

from datetime import date, datetime, time

from booking import JST
from dialogs.ports import Draft
from tests.contracts.backends import NOW, Backend, seed_ready_user

DAY = date(2026, 12, 2)  # Wednesday, the first bookable day after NOW
SLOT = datetime(2026, 12, 2, 10, 0, tzinfo=JST)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=JST)  # type: ignore[misc]


async def test_the_calendar_has_the_closures_the_cutoff_and_the_booths(backend: Backend):
    await backend.close_day(date(2026, 12, 3))
    cal = await backend.availability.calendar(NOW)
    assert cal.closures == frozenset({date(2026, 12, 3)})
    assert cal.cutoff == time(15) and cal.booths == 1


async def test_open_days_skip_weekends_with_every_slot_free(backend: Backend):
    days = await backend.availability.open_days(NOW, 5)
    assert [d.day for d in days] == [date(2026, 12, n) for n in (2, 3, 4, 7, 8)]
    assert {d.free for d in days} == {16}


async def test_open_days_skip_national_holidays(backend: Backend):
    days = await backend.availability.open_days(at(2026, 11, 20, 10, 0), 2)
    assert [d.day for d in days] == [date(2026, 11, 24), date(2026, 11, 25)]  # 23rd: 勤労感謝の日


async def test_open_days_skip_closures(backend: Backend):
    await backend.close_day(date(2026, 12, 3))
    days = await backend.availability.open_days(NOW, 2)
    assert [d.day for d in days] == [date(2026, 12, 2), date(2026, 12, 4)]


async def test_past_the_cutoff_the_next_day_is_no_longer_offered(backend: Backend):
    days = await backend.availability.open_days(at(2026, 12, 1, 15, 0), 1)
    assert [d.day for d in days] == [date(2026, 12, 3)]
    assert await backend.availability.free_slots("Ux", DAY, at(2026, 12, 1, 15, 0)) == []


async def test_a_later_cutoff_keeps_the_next_day_open(backend: Backend):
    await backend.configure(cutoff_hour=16)
    days = await backend.availability.open_days(at(2026, 12, 1, 15, 30), 1)
    assert [d.day for d in days] == [DAY]


async def test_free_slots_are_the_sixteen_session_starts_of_an_open_day(backend: Backend,
                                                                         line_id: str):
    starts = await backend.availability.free_slots(line_id, DAY, NOW)
    assert len(starts) == 16
    assert (starts[0], starts[-1]) == (at(2026, 12, 2, 9, 0), at(2026, 12, 2, 16, 30))
    assert await backend.availability.free_slots(line_id, date(2026, 12, 5), NOW) == []


async def test_free_slots_and_open_days_leave_out_a_booked_slot(backend: Backend, line_id: str,
                                                                 other_id: str):
    await seed_ready_user(backend, line_id, NOW)
    assert (await backend.requests.request_booking(
        line_id, Draft(purpose="job_consultation", starts_at=SLOT), NOW)).ok
    starts = await backend.availability.free_slots(other_id, DAY, NOW)
    assert SLOT not in starts and len(starts) == 15
    assert (await backend.availability.open_days(NOW, 1))[0].free == 15


async def test_free_slots_needing_two_in_a_row_skip_a_start_before_a_booked_slot(
        backend: Backend, line_id: str, other_id: str):
    await seed_ready_user(backend, line_id, NOW)
    assert (await backend.requests.request_booking(
        line_id, Draft(purpose="job_consultation", starts_at=SLOT), NOW)).ok
    pairs = await backend.availability.free_slots(other_id, DAY, NOW, need=2)
    assert at(2026, 12, 2, 9, 30) not in pairs and SLOT not in pairs
    assert at(2026, 12, 2, 16, 30) not in pairs and len(pairs) == 13


async def test_nearest_free_starts_are_the_neighbours_of_a_taken_slot(backend: Backend,
                                                                       line_id: str,
                                                                       other_id: str):
    await seed_ready_user(backend, line_id, NOW)
    assert (await backend.requests.request_booking(
        line_id, Draft(purpose="job_consultation", starts_at=SLOT), NOW)).ok
    nearest = await backend.availability.nearest_free(other_id, SLOT, NOW, count=2)
    assert nearest == [at(2026, 12, 2, 9, 30), at(2026, 12, 2, 10, 30)]


async def test_a_hold_is_exclusive_until_its_owner_releases_it(backend: Backend, line_id: str,
                                                                other_id: str):
    availability = backend.availability
    assert await availability.hold(line_id, SLOT)
    assert not await availability.hold(other_id, SLOT)
    assert await availability.hold(line_id, SLOT)  # holding one's own slot again is fine
    assert SLOT not in await availability.free_slots(other_id, DAY, NOW)
    assert SLOT in await availability.free_slots(line_id, DAY, NOW)
    await availability.release(other_id, SLOT)  # not theirs: nothing happens
    assert not await availability.hold(other_id, SLOT)
    await availability.release(line_id, SLOT)
    assert await availability.hold(other_id, SLOT)


async def test_with_two_booths_two_users_can_hold_the_same_start(backend: Backend, line_id: str,
                                                                  other_id: str):
    await backend.configure(booths=2)
    assert await backend.availability.hold(line_id, SLOT)
    assert await backend.availability.hold(other_id, SLOT)
    assert not await backend.availability.hold("U3" + line_id, SLOT)
    assert SLOT not in await backend.availability.free_slots("U3" + line_id, DAY, NOW)


async def test_a_held_slot_cannot_be_requested_by_someone_else(backend: Backend, line_id: str,
                                                                other_id: str):
    await seed_ready_user(backend, other_id, NOW)
    assert await backend.availability.hold(line_id, SLOT)
    draft = Draft(purpose="job_consultation", starts_at=SLOT)
    outcome = await backend.requests.request_booking(other_id, draft, NOW)
    assert not outcome.ok and outcome.reason == "taken"
    assert SLOT not in outcome.alternatives


async def test_a_run_that_cannot_be_held_whole_holds_none_of_its_starts(
        backend: Backend, line_id: str, other_id: str):
    await seed_ready_user(backend, line_id, NOW)
    assert (await backend.requests.request_booking(
        line_id, Draft(purpose="job_consultation", starts_at=at(2026, 12, 2, 10, 30)), NOW)).ok
    assert not await backend.availability.hold(other_id, SLOT, 2)
    assert SLOT in await backend.availability.free_slots("U3" + other_id, DAY, NOW)
