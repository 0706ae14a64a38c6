"""予約の確認・キャンセル: upcoming requests with status, cancel with a confirmation step and the
office phone, staff alerted; accept or refuse a time the office moved (art. 5(5)); .ics."""

from __future__ import annotations

import uuid
from datetime import UTC, date

from sqlalchemy import select

from dialogs.postback import Postback
from storage.models import AuditLog
from tests.flows.journeys import (
    add_booking,
    bookings_of,
    free_starts,
    make_user,
    outbox_for,
    query,
    ready_user,
    set_status,
)
from tests.helpers import actions, button, tap, texts

DAY = date(2026, 12, 11)


def _moved(live, user):
    """A requested booking the office moved: old row `moved`, new row `requested`."""
    row = ready_user(live, user)
    old_slot, new_slot = free_starts(live, DAY)[:2]
    old = add_booking(live, row.id, old_slot, status="moved")
    new = add_booking(live, row.id, new_slot, moved_from_id=old.id)
    return old, new


def test_nothing_booked_says_so(live, user):
    ready_user(live, user)
    assert "予約はありません" in texts(live.send(user, text="予約の確認・キャンセル"))


def test_upcoming_requests_are_listed_with_their_status(live, user, clock):
    row = ready_user(live, user)
    first, second = free_starts(live, DAY)[:2]
    add_booking(live, row.id, first)
    add_booking(live, row.id, second, status="confirmed")
    add_booking(live, row.id, free_starts(live, DAY)[2], status="cancelled")
    shown = texts(live.send(user, text="予約の確認・キャンセル"))
    assert "（2件）" in shown
    assert "申込中（ハローワークの確認待ち）" in shown and "状態：確定" in shown
    assert "キャンセル済み" not in shown


def test_cancelling_asks_once_more_shows_the_phone_and_alerts_staff(live, user, staff_line):
    row = ready_user(live, user)
    booking = add_booking(live, row.id, free_starts(live, DAY)[0])
    listed = live.send(user, text="予約の確認・キャンセル")
    asked = tap(live, user, listed, "キャンセルする")
    assert "取り消しますか" in texts(asked) and "0173-00-0000" in texts(asked)
    assert bookings_of(live, user)[0].status == "requested"
    done = tap(live, user, asked, "取り消す")
    assert "取り消しました" in texts(done) and "0173-00-0000" in texts(done)
    (cancelled,) = bookings_of(live, user)
    assert cancelled.status == "cancelled"
    (alert,) = outbox_for(live, booking.id)
    assert alert.kind == "staff.cancel" and alert.to_line_user_id == staff_line
    assert "予約のキャンセル" in texts(live.messages(staff_line))


def test_changing_ones_mind_keeps_the_booking(live, user):
    row = ready_user(live, user)
    add_booking(live, row.id, free_starts(live, DAY)[0])
    asked = tap(live, user, live.send(user, text="予約の確認・キャンセル"), "キャンセルする")
    assert "そのまま" in texts(tap(live, user, asked, "取り消さない"))
    assert bookings_of(live, user)[0].status == "requested"


def test_a_started_booking_cannot_be_cancelled_in_chat(live, user, clock):
    row = ready_user(live, user)
    slot = free_starts(live, DAY)[0]
    add_booking(live, row.id, slot, status="confirmed")
    asked = tap(live, user, live.send(user, text="予約の確認・キャンセル"), "キャンセルする")
    clock.set(slot)
    answer = tap(live, user, asked, "取り消す")
    assert "お電話（0173-00-0000）" in texts(answer)
    assert bookings_of(live, user)[0].status == "confirmed"


def test_accepting_the_time_the_office_moved_to_confirms_it_once(live, user, staff_line):
    old, new = _moved(live, user)
    listed = live.send(user, text="予約の確認・キャンセル")
    assert "日時が変更されました" in texts(listed) and "この日時で承諾" in texts(listed)
    accept = Postback(action="booking.accept_move", value=str(new.id)).encode()
    answer = live.send(user, postback=accept)
    assert "承りました" in texts(answer) and "カレンダーに追加" in texts(answer)
    statuses = {b.id: b.status for b in bookings_of(live, user)}
    assert statuses == {old.id: "moved", new.id: "confirmed"}
    assert query(live, select(AuditLog.action).where(AuditLog.booking_id == new.id)) == [
        "booking.move_accepted"]
    assert [a.kind for a in outbox_for(live, new.id)] == ["staff.move_accepted"]
    assert "すでに承諾" in texts(live.send(user, postback=accept))


def test_only_the_owner_can_answer_a_move(live, user):
    _, new = _moved(live, user)
    stranger = "U9" + user
    make_user(live, stranger)
    for action in ("booking.accept_move", "booking.refuse_move"):
        answer = live.send(stranger, postback=Postback(action=action, value=str(new.id)).encode())
        assert "お返事いただける状態ではありません" in texts(answer)
    assert {b.status for b in bookings_of(live, user)} == {"moved", "requested"}


def test_refusing_a_move_cancels_after_a_confirmation_and_tells_staff(live, user, staff_line):
    _, new = _moved(live, user)
    refuse = Postback(action="booking.refuse_move", value=str(new.id)).encode()
    asked = live.send(user, postback=refuse)
    assert "ご都合が合わない場合" in texts(asked) and "0173-00-0000" in texts(asked)
    tap(live, user, asked, "取り消す")
    assert {b.status for b in bookings_of(live, user)} == {"moved", "cancelled"}
    assert [a.kind for a in outbox_for(live, new.id)] == ["staff.move_refused"]
    answer = live.send(user, postback=refuse)
    assert "お返事いただける状態ではありません" in texts(answer)


def test_confirmed_bookings_have_a_calendar_file_and_others_do_not(live, user):
    row = ready_user(live, user)
    first, second = free_starts(live, DAY)[:2]
    confirmed = add_booking(live, row.id, first, status="confirmed")
    add_booking(live, row.id, second)
    listed = live.send(user, text="予約の確認・キャンセル")
    links = [a for a in actions(listed) if a.get("label") == "カレンダーに追加"]
    assert len(links) == 1
    ics = live.http.get(links[0]["uri"].replace(live.url, ""))
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in ics.text and f"UID:{confirmed.id}@madoguchi" in ics.text
    assert f"DTSTART:{first.astimezone(UTC):%Y%m%dT%H%M%SZ}" in ics.text  # UTC, whatever TZ
    assert "五所川原 太郎" not in ics.text and "\r\n" in ics.text
    tampered = links[0]["uri"][:-4] + "0000"
    assert live.http.get(tampered.replace(live.url, "")).status_code == 404
    set_status(live, [confirmed.id], "cancelled")
    assert live.http.get(links[0]["uri"].replace(live.url, "")).status_code == 404
    assert button(listed, "キャンセルする")


def test_the_cancel_button_of_a_reminder_asks_once_more_then_cancels(live, user):
    from dialogs.notify.reminders import CANCEL_ACTION

    row = ready_user(live, user)
    booking = add_booking(live, row.id, free_starts(live, DAY)[0], status="confirmed")
    data = Postback(action=CANCEL_ACTION, value=str(booking.id)).encode()
    asked = live.send(user, postback=data)
    assert "取り消しますか" in texts(asked)
    assert bookings_of(live, user)[0].status == "confirmed"
    done = tap(live, user, asked, "取り消す")
    assert "取り消しました" in texts(done)
    assert bookings_of(live, user)[0].status == "cancelled"


def test_a_reminder_cancel_button_for_someone_elses_booking_does_nothing(live, user):
    from dialogs.notify.reminders import CANCEL_ACTION

    owner = "U" + uuid.uuid4().hex
    other = ready_user(live, owner)
    booking = add_booking(live, other.id, free_starts(live, DAY)[0], status="confirmed")
    ready_user(live, user)
    answer = live.send(
        user, postback=Postback(action=CANCEL_ACTION, value=str(booking.id)).encode()
    )
    assert "見つからないか" in texts(answer)
    assert bookings_of(live, owner)[0].status == "confirmed"
