"""`/line/webhook` is answered in front of the page middleware (bot/webhook.WebhookFirst): it
still answers every method and error the way the framework answered before."""

from __future__ import annotations

import uuid

from emulator import sign
from emulator.webhook_sender import base_event, encode, envelope


def _follow_body(user: str) -> bytes:
    event = {**base_event("follow", user), "replyToken": uuid.uuid4().hex,
             "follow": {"isUnblocked": False}}
    return encode(envelope("Ubot", [event]))


def test_a_signed_webhook_is_answered_ok_as_json(live, user):
    body = _follow_body(user)
    response = live.http.post("/line/webhook", content=body, headers={
        "Content-Type": "application/json",
        "X-Line-Signature": sign(live.settings.line_channel_secret, body)})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"status": "ok"}


def test_a_get_on_the_webhook_is_a_405_that_names_post(live):
    response = live.http.get("/line/webhook")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json() == {"detail": "Method Not Allowed"}


def test_webhook_errors_keep_the_detail_shape(live):
    response = live.http.post("/line/webhook", content=b"{}")
    assert response.status_code == 400
    assert response.json() == {"detail": "Missing X-Line-Signature"}


def test_the_webhook_gets_no_public_page_headers_and_pages_still_do(live):
    webhook = live.http.post("/line/webhook", content=b"{}", headers={"X-Line-Signature": "x"})
    assert webhook.status_code == 400
    assert "content-security-policy" not in webhook.headers
    page = live.http.get("/terms/no-such-version")
    assert "content-security-policy" in page.headers
