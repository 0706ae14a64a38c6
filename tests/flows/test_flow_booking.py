"""予約する: days, times, typed dates read back, the interpreter question, the summary, 確定.

Buttons first (Flex carousels, a calendar picker), typed text as the fallback. The request and
its staff alert are one commit; a slot lost at the last moment gets the nearest free ones.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs

import pytest
from sqlalchemy import delete, select

from booking import JST
from devservices import PostgresServer, RedisServer
from storage.models import Closure, Outbox, StaffAccount
from tests.conftest import RUN_LOG, LiveApp, refusing_app
from tests.flows.journeys import (
    add_booking,
    bookings_of,
    execute,
    first_time_button,
    free_starts,
    make_user,
    outbox_for,
    query,
    ready_user,
    to_day_step,
    to_summary,
    typed,
    write,
)
from tests.helpers import actions, button, postback_action, tap, texts

DAY = date(2026, 12, 3)


def test_the_day_step_shows_open_days_with_free_counts_and_a_calendar(live, user):
    days = to_day_step(live, user)
    shown = texts(days)
    assert "12月2日(水)" in shown and "12月3日(木)" in shown
    assert "12月5日(土)" not in shown and "12月6日(日)" not in shown
    assert "空き" in shown
    picker = next(a for a in actions(days) if a["type"] == "datetimepicker")
    assert picker["mode"] == "date" and picker["min"] == "2026-12-02"
    assert postback_action(picker["data"]) == "booking.date"


def test_a_booking_by_buttons_is_requested_and_staff_get_an_alert_in_the_same_commit(
        live, user, staff_line):
    days = to_day_step(live, user)
    times = tap(live, user, days, "この日を選ぶ")
    summary = live.send(user, postback=first_time_button(times)["data"])
    assert "お申し込み内容の確認" in texts(summary)
    done = tap(live, user, summary, "確定する")
    (row,) = bookings_of(live, user)
    assert row.status == "requested" and not row.immediate and row.attendant == "none"
    assert "申込中" in texts(done) and "***-****-5678" in texts(done)
    (alert,) = outbox_for(live, row.id)
    assert alert.kind == "staff.request" and alert.to_line_user_id == staff_line
    staff_saw = live.messages(staff_line)
    assert "五所川原 様" in texts(staff_saw) and "五所川原 太郎" not in texts(staff_saw)
    for label, action in (("確定する", "staff.confirm"), ("日時を変更", "staff.move"),
                          ("お断りする", "staff.decline")):
        data = button(staff_saw, label)["data"]
        assert data == f"a={action}&v={row.id}"  # nonce-less: staff buttons never expire


ALERT_REFUSED = "forced failure: the staff alert cannot be written"


@pytest.fixture(scope="module")
def alert_refusing_app(pg_server: PostgresServer, redis_server: RedisServer) -> Iterator[LiveApp]:
    """An app whose database refuses every staff alert written to the outbox."""
    with refusing_app(pg_server, redis_server.url, "noalert", table="outbox", event="INSERT",
                      when="NEW.kind = 'staff.request'", message=ALERT_REFUSED) as app:
        yield app


def test_a_request_whose_staff_alert_cannot_be_written_is_not_booked_either(
        alert_refusing_app, user):
    app = alert_refusing_app
    staff = "Ustaff" + uuid.uuid4().hex
    write(app, StaffAccount(office_id=app.services.office_id, login=f"s{uuid.uuid4().hex[:10]}",
                            display_name="職員", password_hash="-", line_user_id=staff))
    ready_user(app, user)
    slot = free_starts(app, DAY)[0]
    summary = to_summary(app, user, slot)
    assert "お申し込み内容の確認" in texts(summary)
    before = RUN_LOG.stat().st_size
    answer = texts(tap(app, user, summary, "確定する"))
    logged = RUN_LOG.read_bytes()[before:].decode("utf-8", errors="replace")
    assert ALERT_REFUSED in logged  # the alert's insert did fail…
    assert "もう一度お試しください" in answer and "申込中" not in answer  # …the user is told…
    assert bookings_of(app, user) == []  # …and the booking went with it: one commit
    assert query(app, select(Outbox).where(Outbox.to_line_user_id.in_([user, staff]))) == []
    assert texts(app.messages(staff)) == ""


def test_a_typed_date_and_time_is_read_back_before_anything_is_booked(live, user):
    ready_user(live, user)
    slot = free_starts(live, DAY)[-1]
    summary = to_summary(live, user, slot)
    shown = texts(summary)
    assert f"「{typed(slot)}」を 12月3日(木) {slot.hour}:{slot.minute:02d}" in shown
    assert "と読み取りました" in shown and "確定する" in shown
    assert bookings_of(live, user) == []


def test_a_typed_date_alone_lists_the_free_times_of_that_day(live, user):
    ready_user(live, user)
    check = live.send(user, text="予約する")
    purposes = tap(live, user, check, "この内容で進む")
    tap(live, user, tap(live, user, purposes, "職業相談"), "同席者なし")
    times = live.send(user, text="１２月７日")
    assert "12月7日(月)の空いている時間" in texts(times)


def test_days_that_cannot_be_booked_are_explained(live, user, clock):
    ready_user(live, user)
    check = live.send(user, text="予約する")
    tap(live, user, tap(live, user, tap(live, user, check, "この内容で進む"), "職業相談"),
        "同席者なし")
    for text, reason in (("12月5日", "土曜・日曜のため"), ("今日の14時", "当日のご予約"),
                         ("12月29日", "年末年始"), ("1月11日", "成人の日のため"),
                         ("2026年11月30日", "過ぎた日付"), ("3月3日", "60日先まで"),
                         ("あさっての18時", "30分単位"), ("12月3日 10時15分", "30分単位"),
                         ("ふわふわ", "読み取れませんでした")):
        answer = texts(live.send(user, text=text))
        assert reason in answer, (text, answer)
    clock.set(datetime(2026, 12, 1, 15, 30, tzinfo=JST))
    answer = texts(live.send(user, text="12月2日"))
    assert "12月2日(水)のご予約の受付は、12月1日(火) 15:00で締め切りました" in answer


def test_the_interpreter_question_is_asked_and_kept_with_the_request(live, user):
    ready_user(live, user)
    slot = free_starts(live, DAY)[0]
    summary = to_summary(live, user, slot, attendant="通訳者が同席")
    assert "同席：通訳者が同席" in texts(summary)
    tap(live, user, summary, "確定する")
    (row,) = bookings_of(live, user)
    assert row.attendant == "interpreter"


def test_a_slot_taken_at_the_last_moment_offers_the_nearest_free_ones(live, user, staff_line):
    ready_user(live, user)
    slot = free_starts(live, DAY)[len(free_starts(live, DAY)) // 2]
    summary = to_summary(live, user, slot)
    other = make_user(live, "Uother" + user)
    add_booking(live, other.id, slot)  # someone else's request lands first
    lost = tap(live, user, summary, "確定する")
    shown = texts(lost)
    assert "ちょうどほかの方のご予約が入りました" in shown and "近い日時で空いている枠" in shown
    assert bookings_of(live, user) == []
    nearest = [a for a in actions(lost) if a.get("data", "").startswith("a=booking.slot")]
    assert nearest, shown
    offered = [datetime.fromisoformat(parse_qs(a["data"])["v"][0]) for a in nearest]
    assert min(abs(o - slot) for o in offered).total_seconds() <= 30 * 60
    summary = live.send(user, postback=nearest[0]["data"])
    tap(live, user, summary, "確定する")
    (row,) = bookings_of(live, user)
    assert row.status == "requested" and row.starts_at != slot


def test_a_slot_someone_is_confirming_is_not_offered_to_another(live, user):
    ready_user(live, user)
    slot = free_starts(live, DAY)[0]
    to_summary(live, user, slot)
    second = "U2" + user
    ready_user(live, second)
    answer = texts(to_summary(live, second, slot))
    assert "すでにご予約が入っています" in answer
    assert slot not in free_starts(live, DAY)


def test_quitting_at_the_summary_frees_the_slot_at_once(live, user):
    ready_user(live, user)
    slot = free_starts(live, DAY)[0]
    summary = to_summary(live, user, slot)
    assert "お申し込みをやめました" in texts(tap(live, user, summary, "やめる"))
    second = "U2" + user
    ready_user(live, second)
    assert "お申し込み内容の確認" in texts(to_summary(live, second, slot))


def test_typing_yameru_at_the_summary_frees_the_slot_at_once(live, user):
    ready_user(live, user)
    slot = free_starts(live, DAY)[0]
    to_summary(live, user, slot)
    assert "中止しました" in texts(live.send(user, text="やめる"))
    second = "U3" + user
    ready_user(live, second)
    assert "お申し込み内容の確認" in texts(to_summary(live, second, slot))


def test_starting_over_from_the_summary_frees_the_slot_too(live, user):
    ready_user(live, user)
    slot = free_starts(live, DAY)[0]
    to_summary(live, user, slot)
    live.send(user, text="最初から")
    second = "U4" + user
    ready_user(live, second)
    assert "お申し込み内容の確認" in texts(to_summary(live, second, slot))


def test_the_cap_on_requests_at_once_refuses_more(live, user):
    row = ready_user(live, user)
    for slot in free_starts(live, date(2026, 12, 10))[:3]:
        add_booking(live, row.id, slot)
    answer = texts(live.send(user, text="予約する"))
    assert "上限（3件）" in answer and "0173-00-0000" in answer


def test_another_day_can_be_chosen_from_the_summary(live, user):
    ready_user(live, user)
    summary = to_summary(live, user, free_starts(live, DAY)[0])
    days = tap(live, user, summary, "日時を選び直す")
    assert "ご希望の日を選んでください" in texts(days)
    times = tap(live, user, days, "カレンダーから選ぶ", date="2026-12-08")
    assert "12月8日(火)の空いている時間" in texts(times)


def test_office_closures_are_not_offered_and_are_explained(live, user):
    closed = date(2026, 12, 7)
    row = Closure(office_id=live.services.office_id, day=closed, reason="設備点検")
    write(live, row)
    live.call(live.services.office_changed())  # as the console does after closing a day
    try:
        days = to_day_step(live, user)
        assert "12月7日(月)" not in texts(days) and "12月8日(火)" in texts(days)
        answer = texts(live.send(user, text="12月7日"))
        assert "12月7日(月)は休館日のため" in answer
    finally:
        execute(live, delete(Closure).where(Closure.id == row.id))
        live.call(live.services.office_changed())


def test_with_two_booths_a_slot_takes_two_requests_and_no_more(live, user, office):
    office(booths=2)
    slot = free_starts(live, date(2026, 12, 18))[0]
    other = make_user(live, "Uo" + user)
    add_booking(live, other.id, slot, booth=1)
    ready_user(live, user)
    tap(live, user, to_summary(live, user, slot), "確定する")
    (mine,) = bookings_of(live, user)
    assert mine.starts_at == slot and mine.booth == 2
    third = "U3" + user
    ready_user(live, third)
    assert "すでにご予約が入っています" in texts(to_summary(live, third, slot))


def test_the_cap_reached_while_at_the_summary_refuses_the_commit(live, user):
    row = ready_user(live, user)
    summary = to_summary(live, user, free_starts(live, DAY)[0])
    assert "お申し込み内容の確認" in texts(summary)
    others = [add_booking(live, row.id, slot).id
              for slot in free_starts(live, date(2026, 12, 11))[:3]]  # made meanwhile
    answer = texts(tap(live, user, summary, "確定する"))
    assert "上限（3件）" in answer and "申込中" not in answer
    assert sorted(b.id for b in bookings_of(live, user)) == sorted(others)


def test_consecutive_interview_slots_count_once_toward_the_cap(live, user):
    row = ready_user(live, user, role="employer", number="0204-123456-7")
    start = free_starts(live, date(2026, 12, 14), need=3)[0]
    group = uuid.uuid4()
    for n in range(3):
        add_booking(live, row.id, start + timedelta(minutes=30 * n), group_id=group,
                    purpose="interview", applicants=3)
    add_booking(live, row.id, free_starts(live, date(2026, 12, 15))[0])
    summary = to_summary(live, user, free_starts(live, DAY)[0], purpose="求人相談")
    assert "上限" not in texts(summary)  # four rows, two requests
    assert "申込中" in texts(tap(live, user, summary, "確定する"))
    assert len(bookings_of(live, user)) == 5
    assert "上限（3件）" in texts(live.send(user, text="予約する"))  # three requests now


def test_the_cutoff_passing_while_at_the_summary_refuses_the_commit(live, user, clock):
    ready_user(live, user)
    slot = free_starts(live, date(2026, 12, 2))[0]
    summary = to_summary(live, user, slot)
    assert "お申し込み内容の確認" in texts(summary)
    clock.set(datetime(2026, 12, 1, 15, 1, tzinfo=JST))  # the day before's 15:00 has passed
    answer = texts(tap(live, user, summary, "確定する"))
    assert "その日時の受付は締め切られました" in answer and "申込中" not in answer
    assert "12月2日(水)" not in answer and "12月3日(木)" in answer  # the days offered again
    assert bookings_of(live, user) == []
