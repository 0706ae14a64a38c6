"""The waitlist (DESIGN.md §8): 空きが出たら知らせる on a full day; when a slot frees, everyone
waiting is pushed an offer and the first tap books it."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime

import pytest

from booking import JST
from tests.flows.journeys import (
    add_booking,
    bookings_of,
    free_starts,
    make_user,
    ready_user,
    set_status,
    waitlist_of,
)
from tests.helpers import tap, texts

FULL_DAY = date(2026, 12, 22)


@pytest.fixture
def full_day(live, clock):
    """Dec 22 fully booked, one slot by `holder` (who will cancel); cleaned up afterwards."""
    clock.set(datetime(2026, 12, 10, 10, 0, tzinfo=JST))
    holder = "Uh" + uuid.uuid4().hex
    filler = make_user(live, "Uf" + holder)
    starts = free_starts(live, FULL_DAY)
    holder_row = ready_user(live, holder)
    rows = [add_booking(live, holder_row.id, starts[0])]
    rows += [add_booking(live, filler.id, s) for s in starts[1:]]
    yield holder, starts[0]
    set_status(live, [r.id for r in rows], "cancelled")


def _to_days(live, user):
    ready_user(live, user)
    check = live.send(user, text="予約する")
    purposes = tap(live, user, check, "この内容で進む")
    return tap(live, user, tap(live, user, purposes, "職業相談"), "通訳者が同席")


def test_a_full_day_offers_to_wait_and_the_first_tap_on_a_freed_slot_wins(live, user, full_day):
    holder, freed = full_day
    days = _to_days(live, user)
    assert "12月22日(火)\n満席" in texts(days)
    joined = tap(live, user, days, "空きが出たら知らせる")
    assert "12月22日(火)に空きが出たら" in texts(joined)
    (entry,) = waitlist_of(live, user)
    assert entry.day == FULL_DAY and entry.active and entry.attendant == "interpreter"

    second = "U2" + user
    _to_days(live, second)
    times = live.send(second, text="12月22日")
    assert "空いている枠がありません" in texts(times)
    tap(live, second, times, "空きが出たら知らせる")
    assert len(waitlist_of(live, second)) == 1

    listed = live.send(holder, text="予約の確認・キャンセル")
    tap(live, holder, tap(live, holder, listed, "キャンセルする"), "取り消す")
    offers = {u: live.messages(u)[-1] for u in (user, second)}
    for offer in offers.values():
        assert "空きが出ました" in texts([offer]) and "9:00から申し込む" in texts([offer])

    won = tap(live, user, [offers[user]], "9:00から申し込む")
    assert "お申し込みを受け付けました" in texts(won)
    (booked,) = bookings_of(live, user)
    assert booked.starts_at == freed and booked.attendant == "interpreter"
    assert not waitlist_of(live, user)[0].active

    lost = tap(live, second, [offers[second]], "9:00から申し込む")
    assert "先にほかの方のお申し込みがありました" in texts(lost)
    assert bookings_of(live, second) == []
    assert waitlist_of(live, second)[0].active
    set_status(live, [booked.id], "cancelled")


def test_an_offer_tapped_by_someone_else_does_nothing(live, user, full_day):
    holder, _ = full_day
    tap(live, user, _to_days(live, user), "空きが出たら知らせる")
    listed = live.send(holder, text="予約の確認・キャンセル")
    tap(live, holder, tap(live, holder, listed, "キャンセルする"), "取り消す")
    offer = live.messages(user)[-1]
    stranger = "U3" + user
    make_user(live, stranger)
    answer = tap(live, stranger, [offer], "9:00から申し込む")
    assert "有効期限が切れました" in texts(answer)
    assert bookings_of(live, stranger) == []


def test_an_offer_after_new_terms_asks_consent_then_books(live, user, full_day, new_terms):
    holder, freed = full_day
    tap(live, user, _to_days(live, user), "空きが出たら知らせる")
    new_terms("2026-12-05", datetime(2026, 12, 5, tzinfo=JST), "第11条を改定しました。")
    listed = live.send(holder, text="予約の確認・キャンセル")
    asked = tap(live, holder, tap(live, holder, listed, "キャンセルする"), "取り消す")
    assert "利用規約が改定されました" not in texts(asked)  # cancelling needs no new consent
    offer = live.messages(user)[-1]
    gate = tap(live, user, [offer], "9:00から申し込む")
    assert "利用規約が改定されました" in texts(gate) and bookings_of(live, user) == []
    booked = tap(live, user, gate, "同意する")
    assert "お申し込みを受け付けました" in texts(booked)
    (row,) = bookings_of(live, user)
    assert row.starts_at == freed
    set_status(live, [row.id], "cancelled")


def test_two_users_tapping_one_offer_at_once_get_one_booking_and_one_apology(live, user,
                                                                              full_day):
    holder, freed = full_day
    waiting = (user, "U2" + user)
    for who in waiting:
        tap(live, who, _to_days(live, who), "空きが出たら知らせる")
    listed = live.send(holder, text="予約の確認・キャンセル")
    tap(live, holder, tap(live, holder, listed, "キャンセルする"), "取り消す")
    offers = {who: live.messages(who)[-1] for who in waiting}
    start = threading.Barrier(len(waiting))

    def take(who: str) -> str:
        start.wait(timeout=10)  # both taps leave together
        return texts(tap(live, who, [offers[who]], "9:00から申し込む"))

    with ThreadPoolExecutor(len(waiting)) as pool:
        answers = dict(zip(waiting, pool.map(take, waiting), strict=True))
    won = [who for who in waiting if "お申し込みを受け付けました" in answers[who]]
    lost = [who for who in waiting if "先にほかの方のお申し込みがありました" in answers[who]]
    assert len(won) == 1 and len(lost) == 1, answers
    (booked,) = bookings_of(live, won[0])
    assert booked.starts_at == freed
    assert bookings_of(live, lost[0]) == []
    set_status(live, [booked.id], "cancelled")
