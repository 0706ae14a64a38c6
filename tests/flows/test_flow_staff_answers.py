"""A request answered by the staff member it alerted, through the buttons pushed to their LINE:
the whole path, user and staff both acting as LINE users of the emulator."""

from __future__ import annotations

from tests.flows.journeys import bookings_of, first_time_button, new_messages, to_day_step
from tests.helpers import actions, tap, texts


def _book(live, user: str) -> None:
    days = to_day_step(live, user)
    times = tap(live, user, days, "この日を選ぶ")
    summary = live.send(user, postback=first_time_button(times)["data"])
    assert "申込中" in texts(tap(live, user, summary, "確定する"))


def test_the_linked_staff_member_confirms_from_the_pushed_alert_and_the_user_is_told(
        live, user, staff_line):
    _book(live, user)
    alert = live.messages(staff_line)
    assert "【新しい予約申込み】" in texts(alert) and "五所川原 様" in texts(alert)
    before = len(live.messages(user))
    answer = tap(live, staff_line, alert, "確定する")
    assert "確定しました" in texts(answer)
    told = texts(new_messages(live, user, before))
    assert "ご予約が確定しました" in told and "録画・録音はできません" in told
    (row,) = bookings_of(live, user)
    assert row.status == "confirmed"


def test_the_linked_staff_member_moves_from_the_pushed_alert_and_the_user_is_asked(
        live, user, staff_line):
    _book(live, user)
    alert = live.messages(staff_line)
    picks = tap(live, staff_line, alert, "日時を変更")
    times = [a for a in actions(picks) if a.get("type") == "postback"
             and "staff.move_to" in a.get("data", "")]
    assert times, texts(picks)
    before = len(live.messages(user))
    answer = live.send(staff_line, postback=times[0]["data"])
    assert "への変更を利用者にお知らせしました" in texts(answer)
    told = texts(new_messages(live, user, before))
    assert "予約時間の変更のお願い" in told and "この時間で受ける" in told
    statuses = sorted(row.status for row in bookings_of(live, user))
    assert statuses == ["confirmed", "moved"]
