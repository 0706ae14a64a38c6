"""Who books and what for: 求職者 / 求人者, registered or about to register (art. 2), and the
purposes of DESIGN.md §7, including an employer's interview over consecutive slots."""

from __future__ import annotations

from datetime import date

from booking import format_time, to_jst
from tests.flows.journeys import (
    agree,
    bookings_of,
    form_token,
    free_starts,
    open_form,
    start_booking,
    submit_form,
    typed,
    user_row,
)
from tests.helpers import tap, texts

EMPLOYER = {"name": "株式会社見本商事", "number": "0204-123456-7", "phone": "0173-00-0001"}


def test_a_jobseeker_is_offered_consultation_and_referral(live, user):
    purposes = start_booking(live, user)
    shown = texts(purposes)
    assert "職業相談" in shown and "職業紹介" in shown and "求人相談" not in shown


def test_a_referral_asks_an_optional_job_number(live, user):
    purposes = start_booking(live, user)
    asked = tap(live, user, purposes, "職業紹介")
    assert "求人番号" in texts(asked)
    assert "5けたと8けた" in texts(live.send(user, text="12345"))
    attendants = live.send(user, text="０２０４０－１２３４５６７８")
    assert "通訳者" in texts(attendants)
    live.send(user, text="戻る")
    skipped = live.send(user, text="求人番号なし")
    assert "通訳者" in texts(skipped)


def test_an_employer_books_an_interview_for_three_applicants_as_three_linked_slots(
        live, user, staff_line):
    purposes = start_booking(live, user, role="employer", **EMPLOYER)
    assert "求人相談" in texts(purposes) and "オンライン面接・選考" in texts(purposes)
    asked = tap(live, user, purposes, "オンライン面接・選考")
    assert "求人番号を入力してください" in texts(asked)
    applicants = live.send(user, text="02040-87654321")
    assert "最大3枠" in texts(applicants)
    reasked = live.send(user, text="4人")
    assert "4名以上" in texts(reasked)
    attendants = tap(live, user, reasked, "3名")
    days = tap(live, user, attendants, "同席者なし")
    assert "空き" in texts(days)
    start = free_starts(live, date(2026, 12, 9), need=3)[0]
    summary = live.send(user, text=typed(start))
    assert "（3枠）" in texts(summary) and "応募者：3名" in texts(summary)
    tap(live, user, summary, "確定する")
    rows = bookings_of(live, user)
    assert len(rows) == 3 and len({r.group_id for r in rows}) == 1 and rows[0].group_id
    assert [(r.starts_at - rows[0].starts_at).seconds // 60 for r in rows] == [0, 30, 60]
    assert {r.purpose for r in rows} == {"interview"}
    assert {r.job_number for r in rows} == {"02040-87654321"} and rows[0].applicants == 3
    staff_saw = texts(live.messages(staff_line))
    assert "応募者数：3名" in staff_saw and "（3枠）" in staff_saw


def test_the_times_for_several_applicants_need_consecutive_free_slots(live, user):
    day = date(2026, 12, 9)
    purposes = start_booking(live, user, role="employer", **EMPLOYER)
    tap(live, user, purposes, "オンライン面接・選考")
    applicants = live.send(user, text="02040-87654321")
    tap(live, user, tap(live, user, applicants, "2名"), "同席者なし")
    shown = texts(live.send(user, text="12月9日"))
    assert "2枠続けて空いている" in shown
    singles, pairs = free_starts(live, day), free_starts(live, day, need=2)
    assert format_time(to_jst(singles[-1]).time()) == "16:30"  # free on its own…
    assert "16:30" not in shown  # …but 16:30 + 30 minutes would run past closing
    for start in pairs:
        assert format_time(to_jst(start).time()) in shown
    for start in set(singles) - set(pairs):
        assert format_time(to_jst(start).time()) not in shown


def test_not_yet_registered_users_may_book_without_a_number(live, user):
    agree(live, user)
    asked = live.send(user, text="予約する")
    form = tap(live, user, tap(live, user, asked, "求職者（仕事を探している方）"),
               "まだ登録していません")
    page = open_form(live, form)
    assert 'name="unregistered" value="1" checked' in page.text
    response = submit_form(live, form_token(form), number="", unregistered="1")
    assert response.status_code == 200
    row = user_row(live, user)
    assert row.number is None and row.phone == "+819012345678"
    check = live.send(user, text="予約する")
    assert "未登録（これから登録）" in texts(check)


def test_users_who_will_not_register_are_told_who_may_use_the_booth(live, user):
    agree(live, user)
    asked = live.send(user, text="予約する")
    reg = tap(live, user, asked, "求人者（事業所の採用担当の方）")
    assert "事業所登録" in texts(reg)
    answer = tap(live, user, reg, "登録する予定はありません")
    assert "利用規約第2条" in texts(answer) and "0173-00-0000" in texts(answer)


def test_the_role_can_be_typed(live, user):
    agree(live, user)
    live.send(user, text="予約する")
    assert "求職登録" in texts(live.send(user, text="求職者"))
