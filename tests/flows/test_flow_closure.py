"""Emergency closure (DESIGN §13) end to end: staff close a range with bookings; the worker
delivers each user's notice through the emulator; a tap on an offered time requests the move
(staff alerted), 取り消す cancels, and each answer is recorded once for the follow-up page."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

import pytest
from sqlalchemy import select

from booking import JST
from storage.closures import ClosureOps, ClosureRequest
from storage.models import Booking, BookingStatus, Closure, ClosureNotice
from storage.staff_accounts import Actor
from tests.flows.journeys import (
    add_booking,
    bookings_of,
    free_starts,
    query,
    ready_user,
    set_status,
)
from tests.helpers import actions, tap, texts
from worker.jobs import deliver_outbox

DAY = date(2027, 2, 17)  # a Wednesday no other test books
ACTOR = Actor(id=uuid.uuid4(), login="closer", name="職員", role="staff")


def close(live, starts: time, ends: time, reason: str):
    ops = ClosureOps(live.services.uow, live.services.office_id)
    return live.call(ops.close(ACTOR, ClosureRequest(day=DAY, reason=reason, starts=starts,
                                                     ends=ends), now=live.clock.now()))


def notices(live, closure_id) -> dict[uuid.UUID, ClosureNotice]:
    rows = query(live, select(ClosureNotice).where(ClosureNotice.closure_id == closure_id))
    return {row.booking_id: row for row in rows}


@pytest.fixture
def snowy(live, clock):
    """Two users booked on DAY (one for two slots); the range is re-opened afterwards."""
    clock.set(datetime(2027, 2, 15, 10, 0, tzinfo=JST))
    starts = [s for s in free_starts(live, DAY) if s.hour in (10, 11)]
    one, two = "U" + uuid.uuid4().hex, "U" + uuid.uuid4().hex
    first = add_booking(live, ready_user(live, one).id, starts[0],
                        status=BookingStatus.CONFIRMED)
    group = uuid.uuid4()
    second = ready_user(live, two)
    pair = [add_booking(live, second.id, s, group_id=group) for s in starts[1:3]]
    made: list[uuid.UUID] = []
    yield one, two, first, pair, made
    set_status(live, [first.id, *(b.id for b in pair), *made], "cancelled")
    for row in query(live, select(Closure).where(Closure.day == DAY,
                                                 Closure.reopened_at.is_(None))):
        live.call(ClosureOps(live.services.uow, live.services.office_id).reopen(
            ACTOR, row.id, now=live.clock.now()))


def test_closing_a_range_tells_each_user_who_moves_or_cancels_with_one_tap(live, snowy,
                                                                           staff_line):
    one, two, first, pair, made = snowy
    done = close(live, time(10), time(12), "大雪のため")
    assert (done.closed, done.told) == (2, 2)
    statuses = {b.id: b.status for b in bookings_of(live, one) + bookings_of(live, two)}
    assert set(statuses.values()) == {BookingStatus.CLOSED}

    # The outbox rows were written with the closure; the worker's job delivers them.
    before = len(live.messages(one))
    live.call(deliver_outbox({"services": live.services}))
    notice = live.messages(one)[before:]
    said = texts(notice)
    assert "大雪のため" in said and "2月17日(水) 10:00〜10:30" in said
    assert live.services.office.phone in said
    labels = [a["label"] for a in actions(notice)]
    assert labels[-1] == "取り消す" and 1 <= len(labels) - 1 <= 3
    assert all("10:" not in label and "11:" not in label for label in labels[:-1])
    group_notice = live.messages(two)[-1:]
    assert "10:30〜11:30（2枠）" in texts(group_notice)

    moved = tap(live, one, notice, labels[0])
    assert "お申し込みを受け付けました" in texts(moved)
    new = [b for b in bookings_of(live, one) if b.status == BookingStatus.REQUESTED]
    # Offered near the closed time (not merely the next free days from today).
    assert len(new) == 1 and abs((new[0].starts_at.date() - DAY).days) <= 7
    made.append(new[0].id)
    assert any("申込" in texts([m]) for m in live.messages(staff_line)[-2:])
    again = tap(live, one, notice, labels[0])
    assert "すでにお返事をいただいています" in texts(again)
    assert len([b for b in bookings_of(live, one) if b.status == BookingStatus.REQUESTED]) == 1

    cancelled = tap(live, two, group_notice, "取り消す")
    assert "取り消しました" in texts(cancelled)
    answers = notices(live, done.closure_id)
    assert answers[first.id].answer == "moved" and answers[first.id].moved_to_id == new[0].id
    assert answers[pair[0].id].answer == "cancelled"
    assert all(b.status == BookingStatus.CLOSED for b in bookings_of(live, two))


def test_a_tap_on_someone_elses_notice_does_nothing(live, snowy):
    one, _, first, _, _ = snowy
    done = close(live, time(10), time(10, 30), "停電のため")
    live.call(deliver_outbox({"services": live.services}))
    notice = live.messages(one)[-1:]
    stranger = "U" + uuid.uuid4().hex
    ready_user(live, stranger)
    answer = tap(live, stranger, notice, "取り消す")
    assert "見つかりませんでした" in texts(answer)
    assert notices(live, done.closure_id)[first.id].answer is None
    assert query(live, select(Booking).where(Booking.id == first.id))[0].status == "closed"
