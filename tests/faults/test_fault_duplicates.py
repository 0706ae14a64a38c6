"""Webhook events duplicated or redelivered, and two taps of 確定 within milliseconds."""

from __future__ import annotations

import logging
from datetime import date

from tests.faults.faults_common import post_at_once, signed_body
from tests.flows.journeys import bookings_of, free_starts, ready_user, to_summary
from tests.helpers import button, texts
from tests.records import consents


def test_the_same_event_posted_ten_times_at_once_is_handled_once(live, user, caplog):
    caplog.set_level(logging.INFO, logger="bot.webhook")
    asked = live.send(user, event="follow")
    event = live.services.emulator.new_event(user, postback=button(asked, "同意する")["data"])
    before = len(live.messages(user))
    statuses = post_at_once(live, [signed_body(live, [event])] * 10)
    assert statuses == [200] * 10
    assert len(consents(live, user)) == 1
    replies = live.messages(user)[before:]
    assert texts(replies).count("同意を記録しました") == 1
    ignored = [r for r in caplog.records if r.getMessage() == "duplicate event ignored"
               and getattr(r, "event_id", None) == event["webhookEventId"]]
    assert len(ignored) == 9


def test_a_redelivered_event_after_the_first_is_handled_once(live, user):
    asked = live.send(user, event="follow")
    first = live.send_raw(user, postback=button(asked, "同意する")["data"])
    for _ in range(3):
        again = live.send_raw(user, redeliver=first["webhook_event_id"])
        assert again["webhook_status"] == 200 and again["messages"] == []
    assert len(consents(live, user)) == 1


def test_two_taps_of_confirm_within_milliseconds_book_once(live, user):
    ready_user(live, user)
    slot = free_starts(live, date(2026, 12, 3))[0]
    summary = to_summary(live, user, slot)
    confirm = button(summary, "確定する")["data"]
    taps = [live.services.emulator.new_event(user, postback=confirm) for _ in range(2)]
    before = len(live.messages(user))
    assert post_at_once(live, [signed_body(live, [tap]) for tap in taps]) == [200, 200]
    (booking,) = bookings_of(live, user)
    assert booking.starts_at == slot and booking.status == "requested"
    shown = texts(live.messages(user)[before:])
    assert shown.count("申込中") == 1
    assert "このボタンは有効期限が切れました" in shown
