"""No booking and no immediate use without consent to the newest terms in effect
(art. 5 前文, 5-2(2), 12); changed terms show what changed and ask again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from booking import JST
from logs import hash_line_user
from storage.models import Consent, LineUser
from tests.flows.journeys import (
    agree,
    bookings_of,
    free_starts,
    make_user,
    query,
    ready_user,
    to_summary,
    user_row,
)
from tests.helpers import tap, texts

CHANGES = "第5条：予約の受付締切を前日15時としました。"


def _consents(live, user):
    rows = query(live, select(LineUser).where(LineUser.line_user_hash == hash_line_user(user)))
    if not rows:
        return []
    return query(live, select(Consent).where(Consent.user_id == rows[0].id)
                 .order_by(Consent.consented_at))


def test_booking_without_consent_asks_for_it_first_and_refusing_books_nothing(live, user):
    answer = live.send(user, text="予約する")
    assert "利用規約に同意しますか" in texts(answer)
    assert "ご利用になる方" not in texts(answer)
    refused = tap(live, user, answer, "同意しない")
    assert "ご利用いただけません" in texts(refused)
    assert _consents(live, user) == []


def test_agreeing_at_the_gate_continues_into_the_booking(live, user):
    answer = live.send(user, text="予約する")
    going = tap(live, user, answer, "同意する")
    assert "同意を記録しました" in texts(going) and "ご利用になる方" in texts(going)
    assert [c.terms_version for c in _consents(live, user)] == ["2024-10-01"]


def test_changed_terms_show_the_changes_and_ask_again_before_booking(live, user, new_terms,
                                                                     clock):
    ready_user(live, user)
    new_terms("2026-11-20", datetime(2026, 11, 20, tzinfo=JST), CHANGES)
    answer = live.send(user, text="予約する")
    shown = texts(answer)
    assert "利用規約が改定されました（2026-11-20版" in shown and CHANGES in shown
    going = tap(live, user, answer, "同意する")
    assert "ご登録内容" in texts(going)
    assert [c.terms_version for c in _consents(live, user)] == ["2026-11-20"]
    assert user_row(live, user).consent_version == "2026-11-20"


def test_terms_announced_for_later_do_not_ask_yet(live, user, new_terms):
    ready_user(live, user)
    new_terms("2027-04-01", datetime(2027, 4, 1, tzinfo=JST), CHANGES)
    assert "ご登録内容" in texts(live.send(user, text="予約する"))


def test_terms_changing_while_confirming_stop_the_commit(live, user, new_terms):
    ready_user(live, user)
    summary = to_summary(live, user, free_starts(live, datetime(2026, 12, 4).date())[0])
    new_terms("2026-11-25", datetime(2026, 11, 25, tzinfo=JST), CHANGES)
    answer = tap(live, user, summary, "確定する")
    assert "利用規約が改定されました" in texts(answer)
    assert bookings_of(live, user) == []


def test_immediate_use_needs_consent_on_record(live, user, office):
    office(immediate_use_enabled=True)
    make_user(live, user, consent=False)
    answer = live.send(user, text="今すぐ相談")
    assert "利用規約に同意しますか" in texts(answer)
    assert "空いています" not in texts(answer)


def test_immediate_use_asks_again_when_the_terms_changed(live, user, office, new_terms, clock):
    office(immediate_use_enabled=True)
    clock.set(datetime(2026, 12, 1, 14, 0, tzinfo=JST))
    ready_user(live, user)
    new_terms("2026-11-21", datetime(2026, 11, 21, tzinfo=JST), CHANGES)
    answer = live.send(user, text="今すぐ相談")
    assert "利用規約が改定されました" in texts(answer) and CHANGES in texts(answer)
    going = tap(live, user, answer, "同意する")
    assert "ただいまブースが空いています" in texts(going)


def test_agreeing_to_new_terms_adds_a_consent_and_keeps_the_old_one(live, user, new_terms,
                                                                   clock):
    agree(live, user)
    (first,) = _consents(live, user)
    assert first.terms_version == "2024-10-01"
    clock.advance(hours=1)
    new_terms("2026-11-20", datetime(2026, 11, 20, tzinfo=JST), CHANGES)
    tap(live, user, live.send(user, text="予約する"), "同意する")
    history = _consents(live, user)
    assert [c.terms_version for c in history] == ["2024-10-01", "2026-11-20"]
    assert (history[0].id, history[0].consented_at) == (first.id, first.consented_at)
    assert history[1].consented_at == clock.now()
    assert user_row(live, user).consent_version == "2026-11-20"


def test_terms_published_while_confirming_immediate_use_ask_again_and_book_nothing(
        live, user, office, new_terms, clock):
    office(immediate_use_enabled=True)
    clock.set(datetime(2026, 12, 1, 14, 0, tzinfo=JST))
    ready_user(live, user)
    purposes = tap(live, user, live.send(user, text="今すぐ相談"), "この内容で進む")
    card = tap(live, user, tap(live, user, purposes, "職業相談"), "同席者なし")
    assert "今すぐ相談のお申し込み" in texts(card)
    new_terms("2026-11-22", datetime(2026, 11, 22, tzinfo=JST), CHANGES)
    answer = texts(tap(live, user, card, "申し込む"))
    assert "利用規約が改定されました" in answer and CHANGES in answer
    assert "すぐにご連絡します" not in answer
    assert bookings_of(live, user) == []
