"""ClosuresPort contract: answering an emergency closure notice, the same on every backend. A
tap on an offered start requests it for the whole closed request (the same checks and staff
alert as any request), once; 取り消す is recorded once; nobody answers another's notice."""

from __future__ import annotations

from datetime import datetime

from booking import JST
from dialogs.events import RequestCreated
from dialogs.ports import Draft, Reason
from tests.contracts.backends import NOW, Backend, seed_ready_user

CLOSED = datetime(2026, 12, 2, 10, 0, tzinfo=JST)
LATER = datetime(2026, 12, 2, 14, 0, tzinfo=JST)


async def test_a_move_requests_the_new_start_for_the_whole_request_once(backend: Backend,
                                                                         line_id: str):
    await seed_ready_user(backend, line_id, NOW)
    closed = await backend.closed_request(line_id, CLOSED, slots=2, at=NOW)
    assert backend.closures is not None
    moved = await backend.closures.move_closed(line_id, closed, LATER, NOW)
    assert moved.ok
    (made,) = moved.bookings
    assert made.starts_at == LATER and made.slots == 2 and made.status == "requested"
    (alert,) = [e for e in backend.events if isinstance(e, RequestCreated)]
    assert alert.request.booking_id == made.id
    again = await backend.closures.move_closed(line_id, closed, LATER.replace(hour=15), NOW)
    assert not again.ok and again.reason == Reason.ALREADY
    assert [b.starts_at for b in await backend.requests.my_bookings(line_id, NOW)] == [LATER]
    late_cancel = await backend.closures.cancel_closed(line_id, closed, NOW)
    assert late_cancel.reason == Reason.ALREADY


async def test_a_cancel_is_recorded_once_and_only_by_the_owner(backend: Backend, line_id: str,
                                                               other_id: str):
    await seed_ready_user(backend, line_id, NOW)
    await seed_ready_user(backend, other_id, NOW)
    closed = await backend.closed_request(line_id, CLOSED, at=NOW)
    assert backend.closures is not None
    assert (await backend.closures.cancel_closed(other_id, closed, NOW)).reason \
        == Reason.NOT_FOUND
    assert (await backend.closures.move_closed(other_id, closed, LATER, NOW)).reason \
        == Reason.NOT_FOUND
    cancelled = await backend.closures.cancel_closed(line_id, closed, NOW)
    assert cancelled.ok and cancelled.bookings[0].status == "closed"
    assert (await backend.closures.cancel_closed(line_id, closed, NOW)).reason == Reason.ALREADY
    assert (await backend.closures.move_closed(line_id, closed, LATER, NOW)).reason \
        == Reason.ALREADY
    assert await backend.requests.my_bookings(line_id, NOW) == []


async def test_a_taken_start_offers_others_and_leaves_the_notice_unanswered(
        backend: Backend, line_id: str, other_id: str):
    await seed_ready_user(backend, line_id, NOW)
    await seed_ready_user(backend, other_id, NOW)
    closed = await backend.closed_request(line_id, CLOSED, at=NOW)
    assert (await backend.requests.request_booking(
        other_id, Draft(purpose="job_consultation", starts_at=LATER), NOW)).ok
    assert backend.closures is not None
    taken = await backend.closures.move_closed(line_id, closed, LATER, NOW)
    assert taken.reason == Reason.TAKEN and taken.alternatives
    assert LATER not in taken.alternatives and len(taken.alternatives) <= 3
    assert (await backend.closures.move_closed(line_id, closed, taken.alternatives[0], NOW)).ok


async def test_a_request_that_was_not_closed_cannot_be_answered(backend: Backend, line_id: str):
    await seed_ready_user(backend, line_id, NOW)
    made = (await backend.requests.request_booking(
        line_id, Draft(purpose="job_consultation", starts_at=CLOSED), NOW)).bookings[0]
    assert backend.closures is not None
    assert (await backend.closures.move_closed(line_id, made.id, LATER, NOW)).reason \
        == Reason.NOT_FOUND
    assert (await backend.closures.cancel_closed(line_id, made.id, NOW)).reason \
        == Reason.NOT_FOUND
