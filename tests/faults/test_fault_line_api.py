"""The Messaging API fails a reply (5xx, 429): nothing crashes, nothing is half-done."""

from __future__ import annotations

import pytest

from tests.helpers import tap, texts
from tests.records import consents


@pytest.fixture
def faults(live):
    """The shared emulator's fault queue, emptied again after the test."""
    yield live.services.emulator
    live.services.emulator.clear_faults()


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_failed_reply_loses_nothing_and_the_next_message_is_answered(live, faults, user,
                                                                      status):
    asked = live.send(user, event="follow")
    faults.inject_fault(status, 1, kinds=["reply"])
    assert tap(live, user, asked, "同意する") == []  # the reply was refused: the user saw nothing
    assert len(consents(live, user)) == 1  # but the step was done and kept, once
    answer = live.send(user, text="利用規約")
    assert "同意いただいています" in texts(answer)  # the conversation moved on with the commit
    assert len(consents(live, user)) == 1

