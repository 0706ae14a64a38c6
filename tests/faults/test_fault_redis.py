"""Redis restarted, down, or emptied in the middle of a conversation (app of its own)."""

from __future__ import annotations

from tests.helpers import button, tap, texts
from tests.records import consents


def test_the_conversation_survives_a_redis_restart(own_app, redis_back_up, user):
    asked = own_app.send(user, event="follow")
    redis_back_up.restart()  # SIGTERM: the append-only file is flushed, as on a deploy
    answer = tap(own_app, user, asked, "同意する")
    assert "同意を記録しました" in texts(answer)
    assert len(consents(own_app, user)) == 1


def test_while_redis_is_down_the_webhook_answers_503_and_lines_redelivery_is_handled_once(
        own_app, redis_back_up, user):
    asked = own_app.send(user, event="follow")
    redis_back_up.down()
    refused = own_app.send_raw(user, postback=button(asked, "同意する")["data"])
    assert refused["webhook_status"] == 503 and refused["messages"] == []
    assert consents(own_app, user) == []
    redis_back_up.up()
    # LINE redelivers what was not acknowledged with a 2xx (webhook redelivery turned on).
    again = own_app.send_raw(user, redeliver=refused["webhook_event_id"])
    assert again["webhook_status"] == 200
    assert "同意を記録しました" in texts(again["messages"])
    assert len(consents(own_app, user)) == 1


def test_a_redis_that_lost_its_data_gives_a_clear_answer_and_a_fresh_start(
        own_app, redis_back_up, user):
    asked = own_app.send(user, event="follow")
    own_app.call(own_app.services.redis.flushdb())  # as after a restart without persistence
    answer = tap(own_app, user, asked, "同意する")
    assert "このボタンは有効期限が切れました" in texts(answer)
    assert consents(own_app, user) == []
    fresh = own_app.send(user, text="利用規約")
    assert button(fresh, "同意する")
    assert "同意を記録しました" in texts(tap(own_app, user, fresh, "同意する"))
    assert len(consents(own_app, user)) == 1


def test_a_state_write_lost_after_the_commit_does_not_record_the_consent_twice(own_app, user):
    # SIGKILL can lose Redis's last second (appendfsync everysec): the commit is in the
    # database, the conversation is back where it was, and the user taps the same button again.
    asked = own_app.send(user, event="follow")
    key = f"{own_app.settings.redis_prefix}:conv:{user}"
    before = own_app.call(own_app.services.redis.get(key))
    assert "同意を記録しました" in texts(tap(own_app, user, asked, "同意する"))
    own_app.call(own_app.services.redis.set(key, before))
    again = tap(own_app, user, asked, "同意する")
    assert "同意を記録しました" in texts(again)
    assert len(consents(own_app, user)) == 1
