"""RequestsPort contract: requests, refusals, cancel, waitlist and immediate use, the same on
every backend; each change records its events (staff alerts, waitlist offers) with it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from booking import JST
from dialogs.events import RequestCancelled, RequestCreated, SlotFreed
from dialogs.ports import Draft, Reason
from tests.contracts.backends import NOW, Backend, seed_ready_user

DAY = date(2026, 12, 2)
SLOT = datetime(2026, 12, 2, 10, 0, tzinfo=JST)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=JST)  # type: ignore[misc]


def draft(starts_at: datetime = SLOT, **fields) -> Draft:
    return Draft(purpose=fields.pop("purpose", "job_consultation"), starts_at=starts_at, **fields)


def of_type(backend: Backend, kind: type) -> list:
    return [e for e in backend.events if isinstance(e, kind)]


async def test_a_request_is_listed_as_requested_and_staff_are_alerted(backend: Backend,
                                                                       line_id: str):
    await seed_ready_user(backend, line_id, NOW)
    outcome = await backend.requests.request_booking(line_id, draft(attendant="interpreter"), NOW)
    assert outcome.ok and outcome.reason == Reason.NONE
    (made,) = outcome.bookings
    assert (made.starts_at, made.ends_at) == (SLOT, SLOT + timedelta(minutes=30))
    assert made.status == "requested" and made.attendant == "interpreter" and not made.immediate
    assert await backend.requests.my_bookings(line_id, NOW) == [made]
    assert await backend.requests.booking(line_id, made.id) == made
    (alert,) = of_type(backend, RequestCreated)
    assert alert.request.booking_id == made.id and alert.request.masked_name == "五所川原 様"
    assert not alert.immediate and backend.outbox
    assert (await backend.accounts.user(line_id, NOW)).active_requests == 1


async def test_a_request_of_consecutive_slots_is_one_booking(backend: Backend, line_id: str):
    await seed_ready_user(backend, line_id, NOW, role="employer")
    outcome = await backend.requests.request_booking(
        line_id, draft(purpose="interview", slots=2, applicants=2, job_number="02040-1234561"), NOW)
    assert outcome.ok
    (listed,) = await backend.requests.my_bookings(line_id, NOW)
    assert listed.slots == 2 and listed.ends_at == SLOT + timedelta(hours=1)
    assert listed.applicants == 2 and listed.job_number == "02040-1234561"
    assert (await backend.accounts.user(line_id, NOW)).active_requests == 1


async def test_someone_elses_booking_is_not_found_by_another_user(backend: Backend, line_id: str,
                                                                   other_id: str):
    await seed_ready_user(backend, line_id, NOW)
    made = (await backend.requests.request_booking(line_id, draft(), NOW)).bookings[0]
    assert await backend.requests.booking(other_id, made.id) is None
    assert await backend.requests.booking(line_id, "not-an-id") is None
    assert (
        await backend.requests.cancel_booking(other_id, made.id, NOW)
    ).reason == Reason.NOT_FOUND


async def test_a_second_user_on_the_same_slot_gets_taken_with_alternatives(
        backend: Backend, line_id: str, other_id: str):
    await seed_ready_user(backend, line_id, NOW)
    await seed_ready_user(backend, other_id, NOW)
    assert (await backend.requests.request_booking(line_id, draft(), NOW)).ok
    outcome = await backend.requests.request_booking(other_id, draft(), NOW)
    assert not outcome.ok and outcome.reason == Reason.TAKEN
    assert outcome.alternatives == [at(2026, 12, 2, 9, 0), at(2026, 12, 2, 9, 30),
                                    at(2026, 12, 2, 10, 30), at(2026, 12, 2, 11, 0)]
    assert await backend.requests.my_bookings(other_id, NOW) == []
    assert len(of_type(backend, RequestCreated)) == 1


async def test_the_per_user_cap_refuses_one_request_too_many(backend: Backend, line_id: str):
    await seed_ready_user(backend, line_id, NOW)
    for hour in (9, 10, 11):
        assert (
            await backend.requests.request_booking(line_id, draft(at(2026, 12, 2, hour, 0)), NOW)
        ).ok
    outcome = await backend.requests.request_booking(line_id, draft(at(2026, 12, 2, 13, 0)), NOW)
    assert not outcome.ok and outcome.reason == Reason.LIMIT
    assert len(await backend.requests.my_bookings(line_id, NOW)) == 3


async def test_without_consent_to_the_terms_in_effect_the_request_is_refused(
        backend: Backend, line_id: str, other_id: str):
    await seed_ready_user(backend, line_id, NOW, consent=False)
    outcome = await backend.requests.request_booking(line_id, draft(), NOW)
    assert not outcome.ok and outcome.reason == Reason.CONSENT
    unknown = await backend.requests.request_booking(other_id, draft(), NOW)
    assert unknown.reason == Reason.CONSENT
    assert backend.events == [] and backend.outbox == []


async def test_without_a_profile_the_request_is_refused(backend: Backend, line_id: str):
    await seed_ready_user(backend, line_id, NOW, profile=False)
    outcome = await backend.requests.request_booking(line_id, draft(), NOW)
    assert not outcome.ok and outcome.reason == Reason.PROFILE


async def test_blocked_users_and_repeated_no_shows_are_refused(backend: Backend, line_id: str,
                                                                other_id: str):
    await seed_ready_user(backend, line_id, NOW, blocked=True)
    await seed_ready_user(backend, other_id, NOW, no_show_count=2)
    for who in (line_id, other_id):
        assert (await backend.requests.request_booking(who, draft(), NOW)).reason == Reason.REFUSED


async def test_today_a_slot_past_the_cutoff_or_not_a_start_is_not_bookable(backend: Backend,
                                                                           line_id: str):
    await seed_ready_user(backend, line_id, NOW)
    for moment, now in ((at(2026, 12, 1, 14, 0), NOW), (SLOT, at(2026, 12, 1, 15, 0)),
                        (at(2026, 12, 2, 10, 15), NOW), (at(2026, 12, 5, 10, 0), NOW)):
        outcome = await backend.requests.request_booking(line_id, draft(moment), now)
        assert outcome.reason == Reason.NOT_BOOKABLE, moment


async def test_a_cancelled_request_is_gone_and_a_second_cancel_finds_nothing(backend: Backend,
                                                                             line_id: str):
    await seed_ready_user(backend, line_id, NOW)
    made = (await backend.requests.request_booking(line_id, draft(), NOW)).bookings[0]
    cancelled = await backend.requests.cancel_booking(line_id, made.id, NOW)
    assert cancelled.ok and cancelled.bookings[0].id == made.id
    assert await backend.requests.my_bookings(line_id, NOW) == []
    assert (await backend.requests.booking(line_id, made.id)).status == "cancelled"
    again = await backend.requests.cancel_booking(line_id, made.id, NOW)
    assert not again.ok and again.reason == Reason.NOT_FOUND
    (alert,) = of_type(backend, RequestCancelled)
    assert alert.request.booking_id == made.id and not alert.refused_move
    assert SLOT in await backend.availability.free_slots(line_id, DAY, NOW)


async def test_a_request_that_has_begun_cannot_be_cancelled(backend: Backend, line_id: str):
    await seed_ready_user(backend, line_id, NOW)
    made = (await backend.requests.request_booking(line_id, draft(), NOW)).bookings[0]
    outcome = await backend.requests.cancel_booking(line_id, made.id, SLOT + timedelta(minutes=5))
    assert not outcome.ok and outcome.reason == Reason.STARTED


async def test_accepting_a_move_of_a_booking_that_was_not_moved_finds_nothing(
        backend: Backend, line_id: str):
    await seed_ready_user(backend, line_id, NOW)
    made = (await backend.requests.request_booking(line_id, draft(), NOW)).bookings[0]
    assert (await backend.requests.accept_move(line_id, made.id, NOW)).reason == Reason.NOT_FOUND


async def test_an_unknown_user_cannot_join_the_waitlist(backend: Backend, line_id: str):
    assert not await backend.requests.join_waitlist(line_id, DAY, draft(None), NOW)


async def test_a_cancel_offers_the_freed_day_to_the_waiting_user(backend: Backend, line_id: str,
                                                                 other_id: str):
    await seed_ready_user(backend, line_id, NOW)
    await seed_ready_user(backend, other_id, NOW)
    made = (await backend.requests.request_booking(line_id, draft(), NOW)).bookings[0]
    assert await backend.requests.join_waitlist(other_id, DAY, draft(None), NOW)
    assert of_type(backend, SlotFreed) == []
    assert (await backend.requests.cancel_booking(line_id, made.id, NOW)).ok
    (offer,) = of_type(backend, SlotFreed)
    assert offer.to == other_id and offer.need == 1 and SLOT in offer.starts
    taken = await backend.requests.take_offer(other_id, offer.entry_id, SLOT, NOW)
    assert taken.ok and taken.bookings[0].starts_at == SLOT
    assert [b.id for b in await backend.requests.my_bookings(other_id, NOW)] == [
        taken.bookings[0].id
    ]


async def test_the_first_tap_on_an_offer_wins_and_the_second_gets_taken(
        backend: Backend, line_id: str, other_id: str):
    third = "U3" + line_id
    for who in (line_id, other_id, third):
        await seed_ready_user(backend, who, NOW)
    made = (await backend.requests.request_booking(line_id, draft(), NOW)).bookings[0]
    await backend.requests.join_waitlist(other_id, DAY, draft(None), NOW)
    await backend.requests.join_waitlist(third, DAY, draft(None), NOW + timedelta(seconds=1))
    await backend.requests.cancel_booking(line_id, made.id, NOW)
    offers = {o.to: o for o in of_type(backend, SlotFreed)}
    assert set(offers) == {other_id, third}
    first = await backend.requests.take_offer(other_id, offers[other_id].entry_id, SLOT, NOW)
    assert first.ok
    second = await backend.requests.take_offer(third, offers[third].entry_id, SLOT, NOW)
    assert not second.ok and second.reason == Reason.TAKEN
    assert SLOT not in second.alternatives and len(second.alternatives) == 4
    again = await backend.requests.take_offer(other_id, offers[other_id].entry_id, SLOT, NOW)
    assert again.reason == Reason.NOT_FOUND  # the entry was used up by the first tap
    forged = await backend.requests.take_offer(third, offers[other_id].entry_id, SLOT, NOW)
    assert forged.reason == Reason.NOT_FOUND
    assert (
        await backend.requests.take_offer(third, "nonsense", SLOT, NOW)
    ).reason == Reason.NOT_FOUND


async def test_immediate_use_is_closed_outside_office_hours(backend: Backend, line_id: str):
    await seed_ready_user(backend, line_id, NOW)
    await backend.configure(immediate_use_enabled=True)
    for moment in (at(2026, 12, 1, 17, 0), at(2026, 12, 1, 8, 59), at(2026, 12, 5, 10, 0)):
        status = await backend.requests.immediate_status(line_id, moment)
        assert not status.available and status.reason == Reason.CLOSED and status.slot is None
    outcome = await backend.requests.request_immediate(line_id, draft(None), at(2026, 12, 1, 18, 0))
    assert not outcome.ok and outcome.reason == Reason.CLOSED


async def test_immediate_use_turned_off_says_disabled_and_offers_the_next_slot(
        backend: Backend, line_id: str):
    status = await backend.requests.immediate_status(line_id, NOW)
    assert not status.available and status.reason == Reason.DISABLED
    assert status.slot == NOW and status.next_slot == at(2026, 12, 2, 9, 0)


async def test_immediate_use_books_the_current_slot_and_alerts_staff(backend: Backend,
                                                                      line_id: str,
                                                                      other_id: str):
    await seed_ready_user(backend, line_id, NOW)
    await seed_ready_user(backend, other_id, NOW)
    await backend.configure(immediate_use_enabled=True)
    moment = at(2026, 12, 1, 10, 10)
    status = await backend.requests.immediate_status(line_id, moment)
    assert status.available and status.slot == NOW
    outcome = await backend.requests.request_immediate(line_id, draft(None), moment)
    assert outcome.ok and outcome.bookings[0].immediate and outcome.bookings[0].starts_at == NOW
    (alert,) = of_type(backend, RequestCreated)
    assert alert.immediate
    assert (await backend.requests.immediate_status(line_id, moment)).reason == Reason.ALREADY
    busy = await backend.requests.request_immediate(other_id, draft(None), moment)
    assert not busy.ok and busy.reason == Reason.BUSY
