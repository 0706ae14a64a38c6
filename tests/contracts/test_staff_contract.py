"""StaffPort contract: linking a LINE account and the alert buttons (confirm, decline, move),
the same on every backend; each action records the user's notice (and waitlist offers) with it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import pytest

from booking import JST, format_slot
from dialogs.events import Confirmed, Declined, Moved, SlotFreed
from dialogs.ports import Draft, StaffMember, StaffPort
from tests.contracts.backends import NOW, Backend, seed_ready_user, seed_staff

DAY = date(2026, 12, 2)
SLOT = datetime(2026, 12, 2, 10, 0, tzinfo=JST)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=JST)  # type: ignore[misc]


def of_type(backend: Backend, kind: type) -> list:
    return [e for e in backend.events if isinstance(e, kind)]


@pytest.fixture
def staff(backend: Backend) -> StaffPort:
    assert backend.staff is not None
    return backend.staff


@pytest.fixture
def staff_id() -> str:
    return "U" + uuid.uuid4().hex


async def requested(backend: Backend, line_id: str, starts_at: datetime = SLOT,
                    **fields) -> str:
    """A request of a ready user, as the chat leaves it: its booking id."""
    await seed_ready_user(backend, line_id, NOW)
    draft = Draft(purpose=fields.pop("purpose", "job_consultation"), starts_at=starts_at,
                  **fields)
    outcome = await backend.requests.request_booking(line_id, draft, NOW)
    assert outcome.ok
    return outcome.bookings[0].id


async def test_member_is_none_for_an_unknown_line_id_and_the_account_for_a_linked_one(
        backend: Backend, staff: StaffPort, staff_id: str, line_id: str):
    assert await staff.member(line_id) is None
    member = await seed_staff(backend, staff_id, role="admin", name="青森 花子")
    assert await staff.member(staff_id) == member == StaffMember(member.login, "青森 花子", "admin")


async def test_an_inactive_account_is_no_member(backend: Backend, staff: StaffPort,
                                                staff_id: str):
    await backend.add_staff(f"s{uuid.uuid4().hex[:12]}", "退職 者", line_id=staff_id,
                            active=False)
    assert await staff.member(staff_id) is None


async def test_a_wrong_link_code_is_wrong_and_the_right_one_links_once(
        backend: Backend, staff: StaffPort, staff_id: str, other_id: str):
    login = f"s{uuid.uuid4().hex[:12]}"
    await backend.add_staff(login, "弘前 次郎")
    code = await backend.link_code(login, NOW)
    assert len(code) == 6 and code.isdigit()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert await staff.link(staff_id, wrong, NOW) == "wrong"
    assert await staff.member(staff_id) is None
    linked = await staff.link(staff_id, code, NOW)
    assert linked == StaffMember(login=login, name="弘前 次郎", role="staff")
    assert await staff.member(staff_id) == linked
    assert await staff.link(other_id, code, NOW) == "wrong"  # the code is spent


async def test_a_link_code_expires_after_ten_minutes(backend: Backend, staff: StaffPort,
                                                     staff_id: str):
    login = f"s{uuid.uuid4().hex[:12]}"
    await backend.add_staff(login, "八戸 三郎")
    code = await backend.link_code(login, NOW)
    assert await staff.link(staff_id, code, at(2026, 12, 1, 10, 10)) == "wrong"
    assert await staff.member(staff_id) is None


async def test_linking_again_moves_the_line_account_to_the_new_staff_account(
        backend: Backend, staff: StaffPort, staff_id: str):
    await seed_staff(backend, staff_id, name="旧 職員")
    login = f"s{uuid.uuid4().hex[:12]}"
    await backend.add_staff(login, "新 職員")
    code = await backend.link_code(login, NOW)
    assert isinstance(await staff.link(staff_id, code, NOW), StaffMember)
    member = await staff.member(staff_id)
    assert member is not None and member.login == login


async def test_five_wrong_codes_and_even_the_right_one_is_limited(backend: Backend,
                                                                  staff: StaffPort,
                                                                  staff_id: str):
    login = f"s{uuid.uuid4().hex[:12]}"
    await backend.add_staff(login, "十和田 四郎")
    code = await backend.link_code(login, NOW)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert await staff.link(staff_id, wrong, NOW) == "wrong"
    assert await staff.link(staff_id, code, NOW) == "limited"
    assert await staff.member(staff_id) is None


async def test_confirm_tells_the_user_and_a_second_confirm_says_who_handled_it(
        backend: Backend, staff: StaffPort, staff_id: str, other_id: str, line_id: str):
    first = await seed_staff(backend, staff_id, name="青森 花子")
    await seed_staff(backend, other_id, name="弘前 次郎")
    booking_id = await requested(backend, line_id, attendant="interpreter")
    assert await staff.peek(booking_id) == await staff.peek(booking_id)
    assert (await staff.peek(booking_id)).ok
    backend.outbox.clear()
    outcome = await staff.confirm(staff_id, booking_id, NOW)
    assert outcome.ok and outcome.slot == format_slot(SLOT)
    (told,) = of_type(backend, Confirmed)
    assert (told.to, told.booking_id, told.slot) == (line_id, booking_id, format_slot(SLOT))
    assert (told.purpose, told.attendant) == ("job_consultation", "interpreter")
    assert backend.outbox  # the notice is queued for the caller to deliver
    info = await backend.requests.booking(line_id, booking_id)
    assert info is not None and info.status == "confirmed"
    again = await staff.confirm(other_id, booking_id, NOW)
    assert (again.ok, again.code, again.by, again.status) == (False, "handled", first.name,
                                                              "confirmed")
    peeked = await staff.peek(booking_id)
    assert (peeked.ok, peeked.code, peeked.by, peeked.status) == (False, "handled", first.name,
                                                                  "confirmed")
    assert len(of_type(backend, Confirmed)) == 1


async def test_only_linked_staff_may_act(backend: Backend, staff: StaffPort, line_id: str,
                                         other_id: str):
    booking_id = await requested(backend, line_id)
    for outcome in (await staff.confirm(other_id, booking_id, NOW),
                    await staff.decline(other_id, booking_id, "満席のため", NOW),
                    await staff.move(other_id, booking_id, 1, at(2026, 12, 2, 11, 0), 1, NOW)):
        assert (outcome.ok, outcome.code) == (False, "not_staff")
    assert (await backend.requests.booking(line_id, booking_id)).status == "requested"


async def test_a_request_whose_time_has_come_cannot_be_confirmed(
        backend: Backend, staff: StaffPort, staff_id: str, line_id: str):
    await seed_staff(backend, staff_id)
    booking_id = await requested(backend, line_id)
    outcome = await staff.confirm(staff_id, booking_id, SLOT)
    assert (outcome.ok, outcome.code) == (False, "past")


async def test_decline_tells_the_user_the_reason_and_offers_the_slot_to_the_waitlist(
        backend: Backend, staff: StaffPort, staff_id: str, line_id: str, other_id: str):
    member = await seed_staff(backend, staff_id)
    booking_id = await requested(backend, line_id)
    await seed_ready_user(backend, other_id, NOW)
    assert await backend.requests.join_waitlist(other_id, DAY, Draft(purpose="job_consultation"),
                                                NOW)
    blank = await staff.decline(staff_id, booking_id, "   ", NOW)
    assert (blank.ok, blank.code) == (False, "bad_reason")
    outcome = await staff.decline(staff_id, booking_id, " 予約枠の都合のため ", NOW)
    assert outcome.ok and outcome.slot == format_slot(SLOT)
    (told,) = of_type(backend, Declined)
    assert (told.to, told.booking_id, told.reason) == (line_id, booking_id, "予約枠の都合のため")
    (offer,) = of_type(backend, SlotFreed)
    assert offer.to == other_id and SLOT in offer.starts
    assert backend.events.index(told) < backend.events.index(offer)
    info = await backend.requests.booking(line_id, booking_id)
    assert info is not None and info.status == "declined"
    again = await staff.decline(staff_id, booking_id, "重複", NOW)
    assert (again.code, again.by, again.status) == ("handled", member.name, "declined")
    assert not (await staff.confirm(staff_id, booking_id, NOW)).ok


async def test_peek_of_an_unknown_booking_is_not_found(backend: Backend, staff: StaffPort,
                                                       staff_id: str):
    await seed_staff(backend, staff_id)
    for booking_id in (str(uuid.uuid4()), "not-an-id"):
        outcome = await staff.peek(booking_id)
        assert (outcome.ok, outcome.code) == (False, "not_found")
        assert (await staff.confirm(staff_id, booking_id, NOW)).code == "not_found"
        assert (await staff.move_options(booking_id, NOW, 8)).outcome.code == "not_found"


async def test_move_options_are_the_free_slots_of_the_day_nearest_first(
        backend: Backend, staff: StaffPort, line_id: str, other_id: str):
    booking_id = await requested(backend, line_id)
    await requested(backend, other_id, at(2026, 12, 2, 10, 30))
    found = await staff.move_options(booking_id, NOW, 4)
    assert found.outcome.ok and found.day == "12月2日(水)" and found.version >= 1
    assert [(o.starts_at, o.booth, o.label) for o in found.options] == [
        (at(2026, 12, 2, 9, 30), 1, "9:30"), (at(2026, 12, 2, 9, 0), 1, "9:00"),
        (at(2026, 12, 2, 11, 0), 1, "11:00"), (at(2026, 12, 2, 11, 30), 1, "11:30")]


async def test_move_options_name_the_booth_when_there_are_several(
        backend: Backend, staff: StaffPort, line_id: str):
    await backend.configure(booths=2)
    booking_id = await requested(backend, line_id)
    found = await staff.move_options(booking_id, NOW, 3)
    assert [(o.starts_at, o.booth, o.label) for o in found.options] == [
        (SLOT, 2, "10:00 ブース2"), (at(2026, 12, 2, 9, 30), 1, "9:30 ブース1"),
        (at(2026, 12, 2, 10, 30), 1, "10:30 ブース1")]  # booth before time on a tie


async def test_a_move_with_a_stale_version_is_refused_and_a_fresh_one_moves(
        backend: Backend, staff: StaffPort, staff_id: str, line_id: str):
    member = await seed_staff(backend, staff_id)
    booking_id = await requested(backend, line_id)
    found = await staff.move_options(booking_id, NOW, 8)
    target = found.options[0]
    stale = await staff.move(staff_id, booking_id, found.version - 1, target.starts_at,
                             target.booth, NOW)
    assert (stale.ok, stale.code) == (False, "stale")
    assert of_type(backend, Moved) == []
    outcome = await staff.move(staff_id, booking_id, found.version, target.starts_at,
                               target.booth, NOW)
    assert outcome.ok and outcome.slot == format_slot(target.starts_at)
    (told,) = of_type(backend, Moved)
    assert (told.to, told.old_slot, told.new_slot) == (line_id, format_slot(SLOT),
                                                        format_slot(target.starts_at))
    (now_booked,) = await backend.requests.my_bookings(line_id, NOW)
    assert now_booked.id == told.booking_id != booking_id
    assert now_booked.starts_at == target.starts_at and now_booked.status == "confirmed"
    assert now_booked.moved and now_booked.awaiting_answer
    old = await backend.requests.booking(line_id, booking_id)
    assert old is not None and old.status == "moved"
    again = await staff.move(staff_id, booking_id, found.version, at(2026, 12, 2, 13, 0), 1,
                             NOW)
    assert (again.ok, again.code) == (False, "stale")
    peeked = await staff.peek(booking_id)
    assert (peeked.code, peeked.by, peeked.status) == ("handled", member.name, "moved")
    assert SLOT in await backend.availability.free_slots(line_id, DAY, NOW)


async def test_a_move_is_refused_onto_a_taken_odd_past_or_same_slot(
        backend: Backend, staff: StaffPort, staff_id: str, line_id: str, other_id: str):
    await seed_staff(backend, staff_id)
    booking_id = await requested(backend, line_id)
    await requested(backend, other_id, at(2026, 12, 2, 11, 0))
    version = (await staff.move_options(booking_id, NOW, 1)).version
    for starts_at, booth, code in ((at(2026, 12, 2, 11, 0), 1, "taken"),
                                   (at(2026, 12, 2, 11, 15), 1, "bad_slot"),
                                   (at(2026, 12, 2, 11, 30), 2, "bad_slot"),
                                   (at(2026, 12, 5, 10, 0), 1, "bad_slot"),
                                   (at(2026, 12, 1, 9, 30), 1, "past"),
                                   (SLOT, 1, "same_slot")):
        outcome = await staff.move(staff_id, booking_id, version, starts_at, booth, NOW)
        assert (outcome.ok, outcome.code) == (False, code), (starts_at, booth)
    assert of_type(backend, Moved) == []
    assert (await backend.requests.booking(line_id, booking_id)).status == "requested"


async def test_a_move_within_the_day_offers_the_waitlist_the_old_slot_only(
        backend: Backend, staff: StaffPort, staff_id: str, line_id: str, other_id: str):
    await seed_staff(backend, staff_id)
    booking_id = await requested(backend, line_id)
    await seed_ready_user(backend, other_id, NOW)
    assert await backend.requests.join_waitlist(other_id, DAY, Draft(purpose="job_consultation"),
                                                NOW)
    version = (await staff.move_options(booking_id, NOW, 1)).version
    new_slot = at(2026, 12, 2, 13, 0)
    assert (await staff.move(staff_id, booking_id, version, new_slot, 1, NOW)).ok
    (offer,) = of_type(backend, SlotFreed)
    assert SLOT in offer.starts and new_slot not in offer.starts
    assert backend.events.index(of_type(backend, Moved)[0]) < backend.events.index(offer)


async def test_a_user_cancel_makes_the_version_staff_saw_stale(
        backend: Backend, staff: StaffPort, staff_id: str, line_id: str):
    await seed_staff(backend, staff_id)
    booking_id = await requested(backend, line_id)
    version = (await staff.move_options(booking_id, NOW, 1)).version
    assert (await backend.requests.cancel_booking(line_id, booking_id, NOW)).ok
    outcome = await staff.move(staff_id, booking_id, version, at(2026, 12, 2, 13, 0), 1, NOW)
    assert (outcome.ok, outcome.code) == (False, "stale")


async def test_the_console_url_names_the_booking(backend: Backend, staff: StaffPort,
                                                 line_id: str):
    booking_id = await requested(backend, line_id)
    url = staff.console_url(booking_id)
    assert url.startswith("http") and url.endswith(f"/staff/bookings/{booking_id}")


async def test_a_request_of_consecutive_slots_moves_as_a_whole(
        backend: Backend, staff: StaffPort, staff_id: str, line_id: str):
    await seed_staff(backend, staff_id)
    booking_id = await requested(backend, line_id, at(2026, 12, 2, 13, 0), purpose="interview",
                                 slots=2, applicants=2, job_number="02040-1234561")
    version = (await staff.move_options(booking_id, NOW, 1)).version
    new_slot = at(2026, 12, 2, 15, 0)
    assert (await staff.move(staff_id, booking_id, version, new_slot, 1, NOW)).ok
    (listed,) = await backend.requests.my_bookings(line_id, NOW)
    assert (listed.starts_at, listed.slots, listed.status) == (new_slot, 2, "confirmed")
    assert listed.awaiting_answer
    free = await backend.availability.free_slots(line_id, DAY, NOW)
    assert at(2026, 12, 2, 13, 0) in free and at(2026, 12, 2, 13, 30) in free


async def test_a_request_of_consecutive_slots_is_declined_and_confirmed_as_a_whole(
        backend: Backend, staff: StaffPort, staff_id: str, line_id: str, other_id: str):
    await seed_staff(backend, staff_id)
    first, second = at(2026, 12, 2, 13, 0), at(2026, 12, 2, 13, 30)
    declined = await requested(backend, line_id, first, purpose="interview", slots=2,
                               applicants=2, job_number="02040-1234561")
    assert (await staff.decline(staff_id, declined, "予約枠の都合のため", NOW)).ok
    free = await backend.availability.free_slots(line_id, DAY, NOW)
    assert first in free and second in free  # no row of the request still holds a slot
    confirmed = await requested(backend, other_id, first, purpose="interview", slots=2,
                                applicants=2, job_number="02040-1234561")
    assert (await staff.confirm(staff_id, confirmed, NOW)).ok
    again = await staff.confirm(staff_id, confirmed, NOW)
    assert (again.ok, again.code, again.status) == (False, "handled", "confirmed")
    (listed,) = await backend.requests.my_bookings(other_id, NOW)
    assert (listed.starts_at, listed.slots, listed.status) == (first, 2, "confirmed")
