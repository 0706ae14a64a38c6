"""Staff in LINE: linking with a one-time code, and the alert buttons 確定 / 日時を変更 / お断り."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from booking import format_slot, format_time
from dialogs.postback import Postback
from storage.models import Booking, BookingStatus, StaffAccount
from tests.helpers import actions, button, tap, texts
from tests.staff.conftest import (
    Console,
    add_booking,
    add_user,
    alert,
    audits,
    booking_row,
    outbox_to,
    rows,
)


def link(app, console: Console) -> str:
    """Link a fresh LINE account to the console's staff member; returns the LINE user id."""
    line_id = "U" + uuid.uuid4().hex
    code = console.api("/staff/link").json()["code"]
    answer = app.send(line_id, text=f"連携 {code}")
    assert "連携しました" in texts(answer)
    return line_id


def account(app, line_id: str) -> StaffAccount | None:
    found = rows(app, select(StaffAccount).where(StaffAccount.line_user_id == line_id))
    return found[0] if found else None


def test_a_one_time_code_links_the_staff_line_account(staff_app, console):
    page = console.form("/staff/link")
    code = page.text.split('id="link-code">')[1].split("<")[0]
    assert len(code) == 6 and code.isdigit()
    line_id = "U" + uuid.uuid4().hex
    answer = staff_app.send(
        line_id,
        text=f"連携　{code.translate(str.maketrans('0123456789', '０１２３４５６７８９'))}",
    )
    assert "窓口 花子さん（職員）" in texts(answer)
    linked = account(staff_app, line_id)
    assert linked is not None and linked.link_code is None
    assert audits(staff_app, "staff.link")[-1].actor == linked.login
    reused = staff_app.send("U" + uuid.uuid4().hex, text=f"連携 {code}")  # single use
    assert "コードが正しくないか" in texts(reused)
    assert "連携済み" in console.page("/staff/link").text


def test_a_bare_code_links_and_a_bare_wrong_number_is_just_not_understood(staff_app, console):
    code = console.api("/staff/link").json()["code"]
    line_id = "U" + uuid.uuid4().hex
    assert "連携しました" in texts(staff_app.send(line_id, text=code))
    stranger = "U" + uuid.uuid4().hex
    answer = texts(staff_app.send(stranger, text="000000" if code != "000000" else "000001"))
    assert "ご用件を下のボタンまたはメニューから選んでください" in answer
    assert "連携" not in answer
    assert "6桁のコード" in texts(staff_app.send(stranger, text="連携"))


def test_an_expired_code_is_refused_and_wrong_codes_are_rate_limited(staff_app, console, sclock):
    code = console.api("/staff/link").json()["code"]
    sclock.advance(minutes=11)
    line_id = "U" + uuid.uuid4().hex
    assert "有効期限が切れています" in texts(staff_app.send(line_id, text=f"連携 {code}"))
    for _ in range(4):
        staff_app.send(line_id, text="連携 999999")
    fresh = console.api("/staff/link").json()["code"]
    limited = staff_app.send(line_id, text=f"連携 {fresh}")  # even a good code waits now
    assert "しばらくしてから" in texts(limited)
    assert account(staff_app, line_id) is None


def test_confirm_from_the_alert_tells_the_user_and_a_second_tap_says_who(staff_app, console,
                                                                         admin, slots):
    staff_line, admin_line = link(staff_app, console), link(staff_app, admin)
    user_id, user_line = add_user(staff_app)
    start = slots.next()
    booking_id = add_booking(staff_app, user_id, start)
    alert(staff_app, booking_id)
    shown = staff_app.messages(staff_line)
    assert "新しい予約申込み" in texts(shown) and "山田 様" in texts(shown)
    assert "山田 太郎" not in texts(shown)
    answer = tap(staff_app, staff_line, shown, "確定する")
    assert "確定しました" in texts(answer) and format_slot(start) in texts(answer)
    assert booking_row(staff_app, booking_id).status == "confirmed"
    assert "ご予約が確定しました" in texts(staff_app.messages(user_line))
    again = tap(staff_app, staff_line, shown, "確定する")
    assert "この申込はすでに窓口 花子さんが確定済みです" in texts(again)
    other = tap(staff_app, admin_line, staff_app.messages(admin_line), "確定する")
    assert "すでに窓口 花子さんが確定済み" in texts(other)
    assert len(outbox_to(staff_app, user_line)) == 1  # told once
    assert [a.actor for a in audits(staff_app, "booking.confirm")
            if a.booking_id == booking_id] == [account(staff_app, staff_line).login]


def test_a_line_user_who_is_not_staff_is_refused(staff_app, slots):
    user_id, user_line = add_user(staff_app)
    booking_id = add_booking(staff_app, user_id, slots.next())
    data = Postback(action="staff.confirm", value=str(booking_id)).encode()
    answer = staff_app.send(user_line, postback=data)
    assert "連携済みの職員の方だけ" in texts(answer)
    for action in ("staff.decline", "staff.move"):
        refused = staff_app.send(
            user_line, postback=Postback(action=action, value=str(booking_id)).encode()
        )
        assert "連携済みの職員の方だけ" in texts(refused)
    assert booking_row(staff_app, booking_id).status == "requested"


def test_a_disabled_staff_member_gets_no_alerts_and_cannot_act(staff_app, console, admin, slots):
    staff_line, admin_line = link(staff_app, console), link(staff_app, admin)
    login = account(staff_app, staff_line).login
    admin.form(f"/staff/accounts/{login}/disable")
    user_id, _ = add_user(staff_app)
    booking_id = add_booking(staff_app, user_id, slots.next())
    alert(staff_app, booking_id)
    # The alert went out (the admin, still linked, got it), just not to the disabled account.
    assert "新しい予約申込み" in texts(staff_app.messages(admin_line))
    assert "新しい予約申込み" not in texts(staff_app.messages(staff_line))
    data = Postback(action="staff.confirm", value=str(booking_id)).encode()
    assert "連携済みの職員の方だけ" in texts(staff_app.send(staff_line, postback=data))
    assert booking_row(staff_app, booking_id).status == "requested"


def test_decline_from_line_asks_for_a_reason_and_tells_the_user(staff_app, console, slots):
    staff_line = link(staff_app, console)
    user_id, user_line = add_user(staff_app)
    booking_id = add_booking(staff_app, user_id, slots.next())
    alert(staff_app, booking_id)
    ask = tap(staff_app, staff_line, staff_app.messages(staff_line), "お断りする")
    assert "お断りの理由" in texts(ask)
    answer = tap(staff_app, staff_line, ask, "ブースの対象外のご相談のため")
    assert "お断りしました" in texts(answer)
    row = booking_row(staff_app, booking_id)
    assert row.status == "declined" and row.decline_reason == "ブースの対象外のご相談のため"
    shown = texts(staff_app.messages(user_line))
    assert "理由：ブースの対象外のご相談のため" in shown and "0173-00-0000" in shown
    again = tap(staff_app, staff_line, staff_app.messages(staff_line), "お断りする")
    assert "すでに窓口 花子さんがお断り済み" in texts(again)


def test_a_typed_decline_reason_is_used_and_too_long_is_reasked(staff_app, console, slots):
    staff_line = link(staff_app, console)
    user_id, user_line = add_user(staff_app)
    booking_id = add_booking(staff_app, user_id, slots.next())
    alert(staff_app, booking_id)
    tap(staff_app, staff_line, staff_app.messages(staff_line), "お断りする")
    too_long = staff_app.send(staff_line, text="あ" * 201)
    assert "200文字以内" in texts(too_long)
    answer = staff_app.send(staff_line, text="当日は研修のため")
    assert "お断りしました" in texts(answer)
    assert "理由：当日は研修のため" in texts(staff_app.messages(user_line))


def test_move_from_line_offers_the_nearest_free_slots_of_the_day(staff_app, console, slots):
    staff_line = link(staff_app, console)
    user_id, user_line = add_user(staff_app)
    day = slots.day()
    other_id, _ = add_user(staff_app)
    add_booking(staff_app, other_id, day[5], status=BookingStatus.CONFIRMED)
    booking_id = add_booking(staff_app, user_id, day[4])
    alert(staff_app, booking_id)
    offer = tap(staff_app, staff_line, staff_app.messages(staff_line), "日時を変更")
    offered = [a["label"] for a in actions(offer) if a["type"] == "postback"]
    # Nearest first; 11:30 (day[5]) is taken and the booking's own 11:00 is not a move.
    assert offered[:3] == [format_time(s.time()) for s in (day[3], day[2], day[6])]
    assert format_time(day[5].time()) not in offered and format_time(day[4].time()) not in offered
    assert button(offer, "コンソールで変更する")["type"] == "uri"
    answer = tap(staff_app, staff_line, offer, format_time(day[3].time()))
    assert "変更を利用者にお知らせしました" in texts(answer)
    (new,) = rows(staff_app, select(Booking).where(Booking.moved_from_id == booking_id))
    assert new.starts_at == day[3] and booking_row(staff_app, booking_id).status == "moved"
    assert "この時間で受ける" in texts(staff_app.messages(user_line))
    stale = tap(staff_app, staff_line, staff_app.messages(staff_line), "日時を変更")
    assert "すでに窓口 花子さんが時間を変更済み" in texts(stale)


def test_a_move_raced_by_another_change_is_refused_as_stale(staff_app, console, slots):
    staff_line = link(staff_app, console)
    user_id, _ = add_user(staff_app)
    day = slots.day()
    booking_id = add_booking(staff_app, user_id, day[4])
    alert(staff_app, booking_id)
    offer = tap(staff_app, staff_line, staff_app.messages(staff_line), "日時を変更")
    console.api(f"/staff/bookings/{booking_id}/note", {"version": 1, "note": "先に更新"})
    answer = tap(staff_app, staff_line, offer, format_time(day[3].time()))
    assert "ほかの職員が先に更新しました" in texts(answer)
    assert booking_row(staff_app, booking_id).status == "requested"


def test_unlinking_stops_the_alerts(staff_app, console, admin, slots):
    staff_line, admin_line = link(staff_app, console), link(staff_app, admin)
    assert console.form("/staff/link/unlink").status_code == 303
    assert account(staff_app, staff_line) is None
    user_id, _ = add_user(staff_app)
    booking_id = add_booking(staff_app, user_id, slots.next())
    alert(staff_app, booking_id)
    # The alert went out (the admin, still linked, got it), just not to the unlinked account.
    assert "新しい予約申込み" in texts(staff_app.messages(admin_line))
    assert "新しい予約申込み" not in texts(staff_app.messages(staff_line))


def test_a_staff_member_of_the_office_can_still_chat_as_a_user(staff_app, console):
    staff_line = link(staff_app, console)
    answer = staff_app.send(staff_line, text="問い合わせ")
    assert "0173-00-0000" in texts(answer)
    assert account(staff_app, staff_line) is not None  # still linked, chatting as a user


def test_a_user_typing_numbers_never_hears_about_staff_codes(staff_app):
    user = "U" + uuid.uuid4().hex
    for _ in range(7):
        answer = texts(staff_app.send(user, text="123456"))
        assert "ご用件を下のボタンまたはメニューから選んでください" in answer
        assert "連携" not in answer and "しばらく" not in answer
