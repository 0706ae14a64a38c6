"""今すぐ相談 (art. 5-2): only when a booth is free now, staff accept immediate use and consent
to the newest terms is on record; otherwise a clear reason and the next bookable slot."""

from __future__ import annotations

from datetime import datetime

from booking import JST
from tests.flows.journeys import (
    add_booking,
    bookings_of,
    make_user,
    outbox_for,
    ready_user,
    set_status,
)
from tests.helpers import button, tap, texts


def _walk(live, user):
    """From 今すぐ相談 to the final card, with the saved profile."""
    offered = live.send(user, text="今すぐ相談")
    purposes = tap(live, user, offered, "この内容で進む")
    return offered, tap(live, user, tap(live, user, purposes, "職業相談"), "同席者なし")


def test_immediate_use_books_the_current_slot_and_alerts_staff(live, user, office, clock,
                                                               staff_line):
    office(immediate_use_enabled=True)
    clock.set(datetime(2026, 12, 2, 13, 10, tzinfo=JST))
    ready_user(live, user)
    offered, card = _walk(live, user)
    assert "ただいまブースが空いています（12月2日(水) 13:00〜13:30の枠）" in texts(offered)
    assert "今すぐ相談のお申し込み" in texts(card) and "五所川原 様" in texts(card)
    done = tap(live, user, card, "申し込む")
    assert "すぐにご連絡します" in texts(done) and "***-****-5678" in texts(done)
    (row,) = bookings_of(live, user)
    assert row.immediate and row.status == "requested"
    assert row.starts_at == datetime(2026, 12, 2, 13, 0, tzinfo=JST)
    (alert,) = outbox_for(live, row.id)
    assert alert.kind == "staff.immediate"
    staff_saw = live.messages(staff_line)
    assert "今すぐ相談の申込み" in texts(staff_saw)
    assert button(staff_saw, "確定する")["data"] == f"a=staff.confirm&v={row.id}"
    set_status(live, [row.id], "completed")


def test_not_offered_when_staff_have_not_opened_immediate_use(live, user, office):
    office(immediate_use_enabled=False)
    ready_user(live, user)
    answer = texts(live.send(user, text="今すぐ相談"))
    assert "今すぐ相談は受け付けていません" in answer
    assert "次にご予約いただける枠：12月" in answer


def test_not_offered_when_every_booth_is_in_use(live, user, office, clock):
    office(immediate_use_enabled=True, booths=1)
    clock.set(datetime(2026, 12, 2, 11, 5, tzinfo=JST))
    other = make_user(live, "Uo" + user)
    taken = add_booking(live, other.id, datetime(2026, 12, 2, 11, 0, tzinfo=JST),
                        status="confirmed")
    ready_user(live, user)
    answer = texts(live.send(user, text="今すぐ相談"))
    assert "すべて使用中" in answer and "次にご予約いただける枠" in answer
    set_status(live, [taken.id], "completed")


def test_not_offered_outside_office_hours(live, user, office, clock):
    office(immediate_use_enabled=True)
    ready_user(live, user)
    for moment in (datetime(2026, 12, 2, 17, 5, tzinfo=JST),
                   datetime(2026, 12, 5, 10, 0, tzinfo=JST)):
        clock.set(moment)
        assert "受付時間外" in texts(live.send(user, text="今すぐ相談"))


def test_a_booth_taken_before_applying_is_explained(live, user, office, clock):
    office(immediate_use_enabled=True, booths=1)
    clock.set(datetime(2026, 12, 2, 15, 0, tzinfo=JST))
    ready_user(live, user)
    _, card = _walk(live, user)
    other = make_user(live, "Uo" + user)
    taken = add_booking(live, other.id, datetime(2026, 12, 2, 15, 0, tzinfo=JST), immediate=True)
    answer = texts(tap(live, user, card, "申し込む"))
    assert "すべて使用中" in answer
    assert bookings_of(live, user) == []
    set_status(live, [taken.id], "completed")
