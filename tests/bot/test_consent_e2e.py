"""Follow → greeting → terms → consent, driven through the emulator like a real LINE user."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from tests.helpers import button, tap, texts
from tests.records import consents


def test_follow_greets_and_shows_the_terms_with_a_link_to_the_full_text(live, user):
    messages = live.send(user, event="follow")
    shown = texts(messages)
    assert "友だち追加ありがとうございます" in shown
    assert "利用規約" in shown and "2024-10-01" in shown
    link = button(messages, "全文を読む")
    assert link["type"] == "uri"
    page = live.http.get(link["uri"].replace(live.url, ""))
    assert page.status_code == 200
    assert "五所川原公共職業安定所" in page.text
    assert 'lang="ja"' in page.text


def test_agreeing_records_the_consent_with_version_and_time(live, user, clock):
    messages = live.send(user, event="follow")
    answer = tap(live, user, messages, "同意する")
    assert "同意を記録しました" in texts(answer)
    (consent,) = consents(live, user)
    assert consent.terms_version == "2024-10-01"
    assert consent.consented_at == clock.now()


def test_typing_the_answer_works_too(live, user):
    live.send(user, event="follow")
    answer = live.send(user, text="同意します")
    assert "同意を記録しました" in texts(answer)
    assert len(consents(live, user)) == 1


def test_refusing_records_nothing_and_gives_the_office_phone(live, user):
    messages = live.send(user, event="follow")
    answer = tap(live, user, messages, "同意しない")
    assert "ご利用いただけません" in texts(answer)
    assert "0173-00-0000" in texts(answer)
    assert consents(live, user) == []


def test_an_old_button_says_it_expired_and_shows_the_current_step(live, user):
    first = live.send(user, event="follow")
    live.send(user, text="なんとなく")  # any input moves the step on; the old buttons expire
    answer = tap(live, user, first, "同意する")
    assert "このボタンは有効期限が切れました" in texts(answer)
    assert "利用規約に同意しますか" in texts(answer)
    assert consents(live, user) == []


def test_garbage_input_reasks_with_the_reason_and_the_choices(live, user):
    live.send(user, event="follow")
    for garbage in ("😀😀😀", "あいうえお" * 300, "   "):
        answer = live.send(user, text=garbage)
        shown = texts(answer)
        assert "同意する" in shown and "同意しない" in shown
    answer = live.send(user, sticker=True)
    assert "スタンプや画像" in texts(answer)
    assert "同意する" in texts(answer)


def test_global_commands_work_in_the_consent_step(live, user):
    live.send(user, event="follow")
    assert "使い方" in texts(live.send(user, text="ヘルプ"))
    assert "中止しました" in texts(live.send(user, text="やめる"))
    assert "中止する手続きはありません" in texts(live.send(user, text="キャンセル"))
    restart = live.send(user, text="最初から")
    assert "最初からやり直します" in texts(restart)
    assert "予約する" in texts(restart)


def test_back_returns_to_the_previous_step(live, user):
    live.send(user, event="follow")
    answer = live.send(user, text="戻る")
    assert "これ以上は戻れません" in texts(answer)
    assert "利用規約に同意しますか" in texts(answer)


def test_a_redelivered_event_is_handled_once(live, user):
    live.send(user, event="follow")
    first = live.send_raw(user, text="同意する")
    again = live.send_raw(user, redeliver=first["webhook_event_id"])
    assert again["messages"] == []
    assert len(consents(live, user)) == 1


def test_a_forged_signature_is_refused_and_nothing_happens(live, user):
    body = json.dumps({"destination": "Ubot", "events": [{
        "type": "follow", "mode": "active", "timestamp": 0, "webhookEventId": "01FORGED",
        "deliveryContext": {"isRedelivery": False}, "replyToken": "x",
        "source": {"type": "user", "userId": user}}]}).encode()
    forged = base64.b64encode(hmac.new(b"wrong-secret", body, hashlib.sha256).digest()).decode()
    for headers in ({"X-Line-Signature": forged}, {}):
        response = live.http.post("/line/webhook", content=body,
                                  headers={"Content-Type": "application/json", **headers})
        assert response.status_code == 400
    assert live.messages(user) == []


def test_unfollow_deletes_the_conversation_state(live, user):
    live.send(user, event="follow")
    key = f"{live.settings.redis_prefix}:conv:{user}"
    assert live.call(live.services.redis.exists(key)) == 1
    live.send(user, event="unfollow")
    assert live.call(live.services.redis.exists(key)) == 0
