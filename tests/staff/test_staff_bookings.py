"""Booking actions from the console: each one changes the row, writes the audit, tells the user."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from booking import format_slot
from dialogs.postback import Postback
from storage.db import transaction
from storage.models import Booking, BookingStatus
from tests.helpers import actions, texts
from tests.staff.conftest import (
    add_booking,
    add_user,
    audits,
    booking_row,
    outbox_to,
    rows,
    run,
    user_row,
)


def test_confirm_from_the_page_tells_the_user_with_the_rules(staff_app, console, slots):
    user_id, line_id = add_user(staff_app)
    start = slots.next()
    booking_id = add_booking(staff_app, user_id, start, attendant="interpreter")
    page = console.page(f"/staff/bookings/{booking_id}")
    assert page.status_code == 200 and "この日時で確定する" in page.text
    assert "山田 太郎" not in page.text and "山田 様" in page.text

    response = console.form(f"/staff/bookings/{booking_id}/confirm", {"version": 1})
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/bookings/{booking_id}?msg=confirmed"
    after = console.page(response.headers["location"])
    assert "確定しました。利用者にLINEでお知らせしました。" in after.text

    row = booking_row(staff_app, booking_id)
    assert (row.status, row.version, row.handled_by) == ("confirmed", 2, "窓口 花子")
    assert row.confirmed_at == staff_app.clock.now()
    shown = texts(staff_app.messages(line_id))
    assert "ご予約が確定しました" in shown and format_slot(start) in shown
    for rule in ("録画・録音はできません", "ご本人以外の方が入らない", "事前に必ずお知らせ",
                 "前日にもあらためてお知らせします", "0173-00-0000", "同席：通訳者"):
        assert rule in shown, rule
    assert any(
        a.get("text") == "予約の確認・キャンセル" for a in actions(staff_app.messages(line_id))
    )
    (entry,) = [a for a in audits(staff_app, "booking.confirm") if a.booking_id == booking_id]
    assert entry.actor.startswith("staff-") and entry.detail == {"version": 2}


def test_confirm_through_the_api_answers_json_with_the_new_version(staff_app, console, slots):
    user_id, line_id = add_user(staff_app)
    booking_id = add_booking(staff_app, user_id, slots.next())
    response = console.api(f"/staff/bookings/{booking_id}/confirm", {"version": 1})
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and body["version"] == 2 and body["booking_id"] == str(booking_id)
    assert console.get_json(f"/staff/bookings/{booking_id}").json()["status"] == "confirmed"
    assert "ご予約が確定しました" in texts(staff_app.messages(line_id))


def test_a_stale_version_is_refused_with_409_and_changes_nothing(staff_app, console, slots):
    user_id, line_id = add_user(staff_app)
    booking_id = add_booking(staff_app, user_id, slots.next())
    console.api(f"/staff/bookings/{booking_id}/note", {"version": 1, "note": "電話済み"})
    api = console.api(f"/staff/bookings/{booking_id}/confirm", {"version": 1})
    assert api.status_code == 409
    assert "ほかの職員が先に更新しました" in api.json()["detail"]
    page = console.form(f"/staff/bookings/{booking_id}/decline", {"version": 1, "reason": "満席"})
    assert page.status_code == 409 and "画面を再読み込み" in page.text
    assert booking_row(staff_app, booking_id).status == "requested"
    assert staff_app.messages(line_id) == []


def test_a_second_confirm_says_who_handled_it(staff_app, console, slots):
    user_id, _ = add_user(staff_app)
    booking_id = add_booking(staff_app, user_id, slots.next())
    assert console.api(f"/staff/bookings/{booking_id}/confirm", {"version": 1}).status_code == 200
    again = console.api(f"/staff/bookings/{booking_id}/confirm", {"version": 2})
    assert again.status_code == 409
    assert "すでに処理済み" in again.json()["detail"] and "窓口 花子" in again.json()["detail"]


def test_bad_input_is_refused_with_422_in_japanese(staff_app, console, slots):
    user_id, _ = add_user(staff_app)
    booking_id = add_booking(staff_app, user_id, slots.next())
    missing = console.api(f"/staff/bookings/{booking_id}/confirm", {})
    assert (
        missing.status_code == 422
        and "入力内容を確認してください（版）。" == missing.json()["detail"]
    )
    page = console.form(f"/staff/bookings/{booking_id}/confirm", {"version": "abc"})
    assert page.status_code == 422 and "入力内容を確認してください" in page.text
    empty_reason = console.api(f"/staff/bookings/{booking_id}/decline",
                               {"version": 1, "reason": "  "})
    assert empty_reason.status_code == 422 and "理由を200文字以内" in empty_reason.json()["detail"]
    unknown = console.api(f"/staff/bookings/{'0' * 8}-0000-0000-0000-{'0' * 12}/confirm",
                          {"version": 1})
    assert unknown.status_code == 404
    assert booking_row(staff_app, booking_id).status == "requested"


def test_confirming_a_request_whose_time_has_passed_is_refused(staff_app, console, slots, sclock):
    user_id, _ = add_user(staff_app)
    start = slots.next()
    booking_id = add_booking(staff_app, user_id, start)
    sclock.set(start + timedelta(minutes=1))
    console.sign_in_again()  # days later: the first session has reached its 12 hours
    response = console.api(f"/staff/bookings/{booking_id}/confirm", {"version": 1})
    assert response.status_code == 409 and "開始時刻を過ぎている" in response.json()["detail"]


def test_move_closes_the_old_row_and_asks_the_user_to_accept(staff_app, console, slots):
    user_id, line_id = add_user(staff_app)
    old_start, new_start = slots.next(), slots.next()
    booking_id = add_booking(staff_app, user_id, old_start)
    page = console.page(f"/staff/bookings/{booking_id}")
    assert f'value="{new_start.isoformat()}|1"' in page.text
    response = console.form(f"/staff/bookings/{booking_id}/move",
                            {"version": 1, "slot": f"{new_start.isoformat()}|1"})
    assert response.status_code == 303
    old = booking_row(staff_app, booking_id)
    (new,) = rows(staff_app, select(Booking).where(Booking.moved_from_id == booking_id))
    assert old.status == BookingStatus.MOVED and old.version == 2
    assert new.status == BookingStatus.CONFIRMED and new.starts_at == new_start
    assert response.headers["location"].startswith(f"/staff/bookings/{new.id}")
    messages = staff_app.messages(line_id)
    shown = texts(messages)
    assert format_slot(old_start) in shown and format_slot(new_start) in shown
    taps = {a["label"]: Postback.parse(a["data"]) for a in actions(messages)
            if a["type"] == "postback"}
    assert taps["この時間で受ける"] == Postback(action="booking.accept_move", value=str(new.id))
    assert taps["取り消す"] == Postback(action="booking.refuse_move", value=str(new.id))


def test_move_to_a_taken_or_impossible_slot_is_refused(staff_app, console, slots):
    user_id, _ = add_user(staff_app)
    other_id, _ = add_user(staff_app)
    start, taken = slots.next(), slots.next()
    booking_id = add_booking(staff_app, user_id, start)
    add_booking(staff_app, other_id, taken, status=BookingStatus.CONFIRMED)
    clash = console.api(f"/staff/bookings/{booking_id}/move",
                        {"version": 1, "starts_at": taken.isoformat(), "booth": 1})
    assert clash.status_code == 409 and "すでに予約が入っています" in clash.json()["detail"]
    saturday = start + timedelta(days=(5 - start.weekday()) % 7)
    closed = console.api(f"/staff/bookings/{booking_id}/move",
                         {"version": 1, "starts_at": saturday.isoformat(), "booth": 1})
    assert closed.status_code == 422 and "予約を入れられません" in closed.json()["detail"]
    odd = console.api(f"/staff/bookings/{booking_id}/move",
                      {"version": 1, "starts_at": (start + timedelta(minutes=10)).isoformat(),
                       "booth": 1})
    assert odd.status_code == 422
    no_booth = console.api(f"/staff/bookings/{booking_id}/move",
                           {"version": 1, "starts_at": taken.isoformat(), "booth": 7})
    assert no_booth.status_code == 422
    garbage = console.api(f"/staff/bookings/{booking_id}/move", {"version": 1, "slot": "x|y"})
    assert garbage.status_code == 422 and "選び直してください" in garbage.json()["detail"]
    row = booking_row(staff_app, booking_id)
    assert (row.status, row.version) == ("requested", 1)


def test_decline_tells_the_reason_and_the_office_phone(staff_app, console, slots):
    user_id, line_id = add_user(staff_app)
    start = slots.next()
    booking_id = add_booking(staff_app, user_id, start)
    response = console.form(f"/staff/bookings/{booking_id}/decline",
                            {"version": 1, "reason": "ブースの対象外のご相談のため"})
    assert response.status_code == 303
    row = booking_row(staff_app, booking_id)
    assert row.status == "declined" and row.decline_reason == "ブースの対象外のご相談のため"
    shown = texts(staff_app.messages(line_id))
    assert "お受けすることができませんでした" in shown and format_slot(start) in shown
    assert "理由：ブースの対象外のご相談のため" in shown and "0173-00-0000" in shown
    (entry,) = [a for a in audits(staff_app, "booking.decline") if a.booking_id == booking_id]
    assert "ブース" not in str(entry.detail)  # free text stays out of the audit log


def test_no_show_counts_against_the_user_after_the_start_only(staff_app, console, slots, sclock):
    user_id, line_id = add_user(staff_app)
    start = slots.next()
    booking_id = add_booking(staff_app, user_id, start, status=BookingStatus.CONFIRMED)
    early = console.api(f"/staff/bookings/{booking_id}/no-show", {"version": 1})
    assert early.status_code == 409 and "開始時刻前" in early.json()["detail"]
    sclock.set(start + timedelta(minutes=12))
    console.sign_in_again()
    assert "無断キャンセルを記録" in console.page(f"/staff/bookings/{booking_id}").text
    response = console.form(f"/staff/bookings/{booking_id}/no-show", {"version": 1})
    assert response.status_code == 303
    assert booking_row(staff_app, booking_id).status == "no_show"
    assert user_row(staff_app, user_id).no_show_count == 1
    shown = texts(staff_app.messages(line_id))
    assert "キャンセル扱いとなりました" in shown and "0173-00-0000" in shown


def test_check_in_is_recorded_and_then_no_show_is_refused(staff_app, console, slots, sclock):
    user_id, line_id = add_user(staff_app)
    start = slots.next()
    booking_id = add_booking(staff_app, user_id, start, status=BookingStatus.CONFIRMED)
    sclock.set(start - timedelta(minutes=5))
    console.sign_in_again()
    assert console.form(f"/staff/bookings/{booking_id}/check-in",
                        {"version": 1}).status_code == 303
    assert booking_row(staff_app, booking_id).checked_in_at == sclock.now()
    sclock.set(start + timedelta(minutes=15))
    late = console.api(f"/staff/bookings/{booking_id}/no-show", {"version": 2})
    assert late.status_code == 409
    assert user_row(staff_app, user_id).no_show_count == 0
    assert staff_app.messages(line_id) == []


def test_a_note_is_saved_and_never_sent(staff_app, console, slots):
    user_id, line_id = add_user(staff_app)
    booking_id = add_booking(staff_app, user_id, slots.next())
    response = console.form(f"/staff/bookings/{booking_id}/note",
                            {"version": 1, "note": "前回の続き"})
    assert response.status_code == 303
    assert booking_row(staff_app, booking_id).note == "前回の続き"
    assert "前回の続き" in console.page(f"/staff/bookings/{booking_id}").text
    assert staff_app.messages(line_id) == []
    too_long = console.api(
        f"/staff/bookings/{booking_id}/note", {"version": 2, "note": "あ" * 1001}
    )
    assert too_long.status_code == 422


def test_a_user_who_left_is_not_pushed_but_the_action_is_done(staff_app, console, slots):
    user_id, line_id = add_user(staff_app, followed=False)
    booking_id = add_booking(staff_app, user_id, slots.next())
    assert console.api(f"/staff/bookings/{booking_id}/confirm", {"version": 1}).status_code == 200
    assert booking_row(staff_app, booking_id).status == "confirmed"
    assert outbox_to(staff_app, line_id) == []


def test_staff_book_on_a_users_behalf_confirmed_at_once(staff_app, console, slots):
    user_id, line_id = add_user(staff_app)
    start = slots.next()
    page = console.page(f"/staff/users/{user_id}/book", day=start.date().isoformat())
    assert page.status_code == 200 and f'value="{start.isoformat()}|1"' in page.text
    response = console.form(f"/staff/users/{user_id}/book", {
        "slot": f"{start.isoformat()}|1", "purpose": "job_consultation", "attendant": "none"})
    assert response.status_code == 303
    (row,) = rows(staff_app, select(Booking).where(Booking.user_id == user_id))
    assert row.status == "confirmed" and row.starts_at == start and row.handled_by == "窓口 花子"
    assert "ご予約が確定しました" in texts(staff_app.messages(line_id))
    again = console.api(f"/staff/users/{user_id}/book", {
        "starts_at": start.isoformat(), "booth": 1, "purpose": "job_consultation"})
    assert again.status_code == 409 and "すでに予約が入っています" in again.json()["detail"]
    odd = console.api(f"/staff/users/{user_id}/book", {
        "starts_at": slots.next().isoformat(), "booth": 1, "purpose": "lunch"})
    assert odd.status_code == 422


def test_a_blocked_user_cannot_be_booked_for(staff_app, console, slots):
    user_id, _ = add_user(staff_app, blocked=True)
    response = console.api(f"/staff/users/{user_id}/book", {
        "starts_at": slots.next().isoformat(), "booth": 1, "purpose": "job_consultation"})
    assert response.status_code == 409 and "利用停止中" in response.json()["detail"]


def test_queue_and_board_show_requests_with_status_and_masked_names(staff_app, console, slots):
    user_id, _ = add_user(staff_app, name="佐藤 次郎")
    day = slots.day()
    requested = add_booking(staff_app, user_id, day[2])
    add_booking(staff_app, user_id, day[5], status=BookingStatus.CONFIRMED)
    add_booking(staff_app, user_id, day[6], status=BookingStatus.CANCELLED)
    queue = console.page("/staff/queue")
    assert f"/staff/bookings/{requested}" in queue.text and "佐藤 様" in queue.text
    assert "佐藤 次郎" not in queue.text
    board = console.page("/staff/", day=day[0].date().isoformat())
    assert board.status_code == 200
    assert 'class="cell-requested' in board.text and 'class="cell-confirmed' in board.text
    assert "この日の終了・取消など" in board.text and "佐藤 次郎" not in board.text
    data = console.get_json("/staff/", day=day[0].date().isoformat()).json()
    assert sorted(c["status"] for c in data["cells"]) == ["confirmed", "requested"]
    bad = console.page("/staff/", day="2027-13-45")
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.text


def test_the_language_to_interpret_shows_in_japanese_on_the_queue_and_the_booking_page(
        staff_app, console, slots):
    user_id, _ = add_user(staff_app)
    booking_id = add_booking(staff_app, user_id, slots.next())

    async def needs_vietnamese() -> None:
        async with transaction(staff_app.services.sessions) as session:
            await session.execute(update(Booking).where(Booking.id == booking_id)
                                  .values(interpret_language="vi"))
    run(staff_app, needs_vietnamese())
    page = console.page(f"/staff/bookings/{booking_id}")
    assert page.status_code == 200 and "ベトナム語" in page.text and "通訳" in page.text
    queue = console.page("/staff/queue")
    assert "通訳：ベトナム語" in queue.text
