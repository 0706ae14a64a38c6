"""The durable event pipeline: an acknowledged event is in Redis before the 200, a step is
never applied twice when a dead handler's event is claimed again, and a reply whose token has
likely expired goes out by push."""

from __future__ import annotations

from bot.events import read_event
from storage.event_stream import partition_of
from storage.keys import RedisKeys
from tests.conftest import LiveApp
from tests.helpers import button, eventually, texts
from tests.pipeline.conftest import (
    backlog,
    post,
    start_in_process,
    stop_in_process,
    stream_ids,
)
from tests.records import consents

RECORDED = "同意を記録しました"


def test_an_acknowledged_event_is_in_the_stream_before_any_handler_runs(quiet_app: LiveApp,
                                                                         user: str):
    follow = quiet_app.services.emulator.new_event(user, event="follow")
    assert post(quiet_app, [follow]) == 200
    # Acknowledged, not handled: the event is in Redis (it survives this process), no reply.
    assert stream_ids(quiet_app, user) == [follow["webhookEventId"]]
    assert quiet_app.messages(user) == []

    start_in_process(quiet_app)
    terms = eventually(lambda: quiet_app.messages(user), "the handler's reply")
    assert "同意する" in texts(terms)
    eventually(lambda: backlog(quiet_app) == 0, "the stream to be empty")


def test_a_claimed_event_whose_step_already_ran_is_not_applied_again(quiet_app: LiveApp,
                                                                     user: str):
    start_in_process(quiet_app)
    asked = quiet_app.send(user, event="follow")
    stop_in_process(quiet_app)
    agree = quiet_app.services.emulator.new_event(user, postback=button(asked, "同意する")["data"])
    assert post(quiet_app, [agree]) == 200

    # A handler reads the event, runs the step, replies, and dies before acknowledging it.
    async def die_after_the_step() -> None:
        services = quiet_app.services
        partition = partition_of(user, services.stream.partitions)
        (entry,) = await services.stream.read("dead-handler", [partition], count=10,
                                              block_ms=1000)
        await services.dispatcher.handle(read_event(entry.payload))
    quiet_app.call(die_after_the_step())
    assert texts(quiet_app.messages(user)).count(RECORDED) == 1
    assert stream_ids(quiet_app, user) == [agree["webhookEventId"]]  # still pending

    start_in_process(quiet_app)  # takes the partition over and claims the pending event
    eventually(lambda: backlog(quiet_app) == 0, "the claimed event to be finished")
    assert len(consents(quiet_app, user)) == 1
    assert texts(quiet_app.messages(user)).count(RECORDED) == 1
    assert [e["kind"] for e in quiet_app.services.emulator.log_for(user)] == ["reply", "reply"]


def test_a_claimed_event_waits_out_the_lock_its_dead_handler_left(quiet_app: LiveApp,
                                                                  user: str):
    """A handler killed in the middle of a step leaves the user's lock for its lease (15 s),
    longer than the handler's own lease: the handler that claims the event waits the lock out
    and runs the step, rather than answering 混み合っています without it."""
    follow = quiet_app.services.emulator.new_event(user, event="follow")
    assert post(quiet_app, [follow]) == 200
    lock = RedisKeys(quiet_app.settings.redis_prefix).lock(user)
    # Taken by the dead handler 4 s before the lease ends: beyond a 10 s wait, within 15 s.
    assert quiet_app.call(quiet_app.services.redis.set(lock, "dead-handler", px=11_000))
    start_in_process(quiet_app)
    terms = eventually(lambda: quiet_app.messages(user), "the claimed event's answer")
    assert "同意する" in texts(terms) and "混み合" not in texts(terms)
    eventually(lambda: backlog(quiet_app) == 0, "the stream to be empty")


def _answered(live: LiveApp, user: str) -> list[str]:
    """How LINE got the answer to the user's one message ("reply" / "push"), once it has.

    Waited for in LINE's own log, not by the driver's return: on a loaded machine the driver
    may give up waiting for the bot before the answer (a push especially) goes out."""
    eventually(lambda: live.services.emulator.log_for(user), "the bot to answer")
    assert "使い方" in texts(live.messages(user))
    return [e["kind"] for e in live.services.emulator.log_for(user)]


def test_an_event_handled_after_its_reply_token_likely_expired_is_answered_by_push(live, user):
    assert live.send_raw(user, text="ヘルプ", age_seconds=55)["webhook_status"] == 200
    assert _answered(live, user) == ["push"]


def test_a_fresh_event_is_answered_by_reply(live, user):
    assert live.send_raw(user, text="ヘルプ", age_seconds=20)["webhook_status"] == 200
    assert _answered(live, user) == ["reply"]
