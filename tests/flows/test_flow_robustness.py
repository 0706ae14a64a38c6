"""Every free-text step survives garbage, emoji, stickers, images, very long text and 戻る without
losing what was entered; unfollow deletes the conversation state."""

from __future__ import annotations

import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime

import pytest

from booking import JST
from tests.flows.journeys import (
    add_booking,
    agree,
    free_starts,
    ready_user,
    to_summary,
    typed,
)
from tests.helpers import tap, texts

GARBAGE = ("😀😀😀", "asdf", "！？", "あ" * 600, " ")


def _state(live, user):
    raw = live.call(live.services.redis.get(f"{live.settings.redis_prefix}:conv:{user}"))
    return json.loads(raw) if raw else None


def _role(live, user):
    agree(live, user)
    return live.send(user, text="予約する")


def _registered(live, user):
    return tap(live, user, _role(live, user), "求職者（仕事を探している方）")


def _form(live, user):
    return tap(live, user, _registered(live, user), "登録しています")


def _purpose(live, user):
    ready_user(live, user)
    return tap(live, user, live.send(user, text="予約する"), "この内容で進む")


def _job_number(live, user):
    return tap(live, user, _purpose(live, user), "職業紹介")


def _attendant(live, user):
    return tap(live, user, _purpose(live, user), "職業相談")


def _day(live, user):
    return tap(live, user, _attendant(live, user), "同席者なし")


def _time(live, user):
    _day(live, user)
    return live.send(user, text="12月15日")


def _summary(live, user):
    ready_user(live, user)
    return to_summary(live, user, free_starts(live, date(2026, 12, 15))[0])


def _applicants(live, user):
    ready_user(live, user, role="employer", number="0204-123456-7")
    purposes = tap(live, user, live.send(user, text="予約する"), "この内容で進む")
    tap(live, user, purposes, "オンライン面接・選考")
    return live.send(user, text="02040-87654321")


def _confirm_cancel(live, user):
    row = ready_user(live, user)
    add_booking(live, row.id, free_starts(live, date(2026, 12, 17))[0])
    return tap(live, user, live.send(user, text="予約の確認・キャンセル"), "キャンセルする")


STEPS = {
    "profile:role": (_role, "ご利用になる方"),
    "profile:registered": (_registered, "登録はお済みですか"),
    "profile:form": (_form, "入力フォーム"),
    "booking:purpose": (_purpose, "ご用件を選んでください"),
    "booking:job_number": (_job_number, "求人番号"),
    "booking:attendant": (_attendant, "通訳者や介助者"),
    "booking:day": (_day, "ご希望の日を選んでください"),
    "booking:time": (_time, "空いている時間"),
    "booking:summary": (_summary, "お申し込み内容の確認"),
    "booking:applicants": (_applicants, "応募者の人数"),
    "mine:confirm_cancel": (_confirm_cancel, "取り消しますか"),
}


def _assert_survives_nonsense(live, user, state, prompt):
    assert _state(live, user)["state"] == state
    for text in GARBAGE:
        answer = texts(live.send(user, text=text))
        assert prompt in answer, (text, answer)
    for kind in ({"sticker": True}, {"image": True}):
        answer = texts(live.send(user, **kind))
        assert "スタンプや画像" in answer and prompt in answer
    assert _state(live, user)["state"] == state


@pytest.mark.parametrize("state", list(STEPS))
def test_nonsense_keeps_the_step_and_asks_again(live, user, state):
    walk, prompt = STEPS[state]
    walk(live, user)
    _assert_survives_nonsense(live, user, state, prompt)


def test_nonsense_keeps_the_immediate_use_step(live, user, office, clock):
    office(immediate_use_enabled=True)
    clock.set(datetime(2026, 12, 2, 16, 5, tzinfo=JST))
    ready_user(live, user)
    purposes = tap(live, user, live.send(user, text="今すぐ相談"), "この内容で進む")
    tap(live, user, tap(live, user, purposes, "職業相談"), "同席者なし")
    _assert_survives_nonsense(live, user, "now:confirm", "今すぐ相談のお申し込み")


def test_back_at_any_point_keeps_what_was_entered(live, user):
    purposes = _purpose(live, user)
    tap(live, user, purposes, "職業紹介")
    attendants = live.send(user, text="02040-11112222")
    tap(live, user, attendants, "介助者が同席")
    back = texts(live.send(user, text="戻る"))
    assert "ひとつ前の手順に戻ります" in back and "通訳者や介助者" in back
    assert _state(live, user)["state"] == "booking:attendant"
    reasked = live.send(user, text="わからない")
    assert "通訳者や介助者" in texts(reasked)
    tap(live, user, reasked, "介助者が同席")
    slot = free_starts(live, date(2026, 12, 16))[0]
    shown = texts(live.send(user, text=typed(slot)))
    assert "求人番号：02040-11112222" in shown and "同席：介助者が同席" in shown
    back = texts(live.send(user, text="戻る"))
    assert "ひとつ前の手順に戻ります" in back and "お申し込み内容の確認" not in back
    assert "お申し込み内容の確認" not in texts(live.send(user, text="🙂"))
    summary = texts(live.send(user, text=typed(slot)))
    assert "求人番号：02040-11112222" in summary and "同席：介助者が同席" in summary


def test_unfollow_deletes_the_conversation_state(live, user):
    _summary(live, user)
    assert _state(live, user) is not None
    live.send(user, event="unfollow")
    assert _state(live, user) is None
    again = live.send(user, event="follow")
    assert "ご用件を選んでください" in texts(again)
    assert _state(live, user) is None


def test_one_users_failing_step_never_touches_the_others_in_the_same_burst(live, user):
    others = ["U" + uuid.uuid4().hex for _ in range(5)]
    for who in (user, *others):
        ready_user(live, who)
    # This user's conversation in Redis is not JSON: loading it raises, for this user only.
    key = f"{live.settings.redis_prefix}:conv:{user}"
    live.call(live.services.redis.set(key, "{not json"))
    everyone = (user, *others)
    start = threading.Barrier(len(everyone))

    def book(who: str) -> str:
        start.wait(timeout=10)  # every event arrives at once
        return texts(live.send(who, text="予約する"))

    with ThreadPoolExecutor(len(everyone)) as pool:
        answers = dict(zip(everyone, pool.map(book, everyone), strict=True))
    assert "エラーが発生しました" in answers[user] and "ご登録内容" not in answers[user]
    for who in others:
        assert "ご登録内容" in answers[who], answers[who]
        assert _state(live, who)["state"] == "profile:check"
        assert "ご用件を選んでください" in texts(
            tap(live, who, live.messages(who), "この内容で進む"))
