"""Blocked users (art. 11(1)) and users over the no-show limit (art. 5(4)) get a polite refusal
with the office phone, and nothing else."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from dialogs.postback import Postback
from storage.models import LineUser
from tests.flows.journeys import (
    bookings_of,
    execute,
    free_starts,
    ready_user,
    to_summary,
    user_row,
)
from tests.helpers import tap, texts

ENTRIES = ("予約する", "今すぐ相談", "予約の確認・キャンセル")


@pytest.mark.parametrize("fields", [{"blocked": True, "blocked_reason": "暴言"},
                                    {"no_show_count": 2}], ids=["blocked", "no_shows"])
def test_refused_users_get_the_phone_and_nothing_else(live, user, office, fields):
    office(immediate_use_enabled=True)
    ready_user(live, user, **fields)
    answers = [live.send(user, text=word) for word in ENTRIES]
    answers.append(live.send(user, postback=Postback(action="menu.book").encode()))
    answers.append(live.send(user, postback=Postback(action="waitlist.take",
                                                     value="x/202612031000").encode()))
    for answer in answers:
        assert len(answer) == 1 and "quickReply" not in answer[0]
        assert "お受けできません" in texts(answer) and "0173-00-0000" in texts(answer)
        assert "暴言" not in texts(answer)  # the reason is for staff, not said to the user


def test_a_user_blocked_while_confirming_is_refused_at_the_commit(live, user):
    ready_user(live, user)
    summary = to_summary(live, user, free_starts(live, date(2026, 12, 14))[0])
    execute(live, update(LineUser).where(LineUser.id == user_row(live, user).id)
            .values(blocked=True))
    answer = tap(live, user, summary, "確定する")
    assert "お受けできません" in texts(answer)
    assert bookings_of(live, user) == []
