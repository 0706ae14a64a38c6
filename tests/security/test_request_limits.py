"""Requests an attacker or a late LINE redelivery sends: bodies over the limit, events too old
to trust, postbacks whose moment has passed (DESIGN.md §11, §12)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from dialogs.messages import EXPIRED_BUTTON
from http_guards import body_limit
from tests import loopback
from tests.helpers import button, texts
from tests.records import consents


def _raw_request(url: str, head: str) -> str:
    """Send only a request head (no body) and read the answer: proves nothing waited for it."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as conn:
        conn.sendall(head.encode())
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = conn.recv(4096)
            if not chunk:
                break
            received += chunk
    return received.decode("latin-1")


def test_a_webhook_declaring_a_body_over_the_limit_is_refused_before_it_is_sent(live):
    answer = _raw_request(live.url, "POST /line/webhook HTTP/1.1\r\nHost: x\r\n"
                          "Content-Type: application/json\r\nX-Line-Signature: x\r\n"
                          "Content-Length: 5000000\r\n\r\n")
    assert answer.startswith("HTTP/1.1 413")


def test_a_chunked_webhook_body_is_read_with_a_cap(live):
    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b"x" * 50_000

    response = live.http.post("/line/webhook", content=chunks(),
                              headers={"X-Line-Signature": "x"})
    assert "content-length" not in response.request.headers
    assert response.status_code == 413


@pytest.mark.parametrize("path", ["/form/profile", "/staff/login", "/ics/x", "/terms/x"])
def test_every_route_refuses_a_body_over_its_limit(live, path):
    response = live.http.post(path, content=b"a=" + b"x" * (body_limit(path) + 10),
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    assert "大きすぎます" in response.json()["detail"]


def test_a_bad_content_length_is_a_400(live):
    answer = _raw_request(live.url, "POST /staff/login HTTP/1.1\r\nHost: x\r\n"
                          "Content-Length: 12abc\r\n\r\n")
    assert answer.startswith("HTTP/1.1 400")


def test_an_event_older_than_the_dedupe_window_is_ignored(live, user):
    window = live.settings.dedupe_ttl_seconds
    sent = live.send_raw(user, event="follow", age_seconds=window + 60)
    assert sent["webhook_status"] == 200
    assert sent["messages"] == [] and live.messages(user) == []
    assert live.send(user, event="follow")  # the same user's fresh event is answered


def test_a_postback_redelivered_minutes_later_is_answered_as_an_expired_button(live, user):
    agree_button = button(live.send(user, event="follow"), "同意する")
    late = live.send(user, postback=agree_button["data"], redelivered=True, age_seconds=600)
    assert EXPIRED_BUTTON in texts(late)
    assert "同意する" in texts(late)  # the current step is asked again
    assert consents(live, user) == []


def test_a_postback_redelivered_within_a_minute_still_counts(live, user):
    agree_button = button(live.send(user, event="follow"), "同意する")
    prompt = live.send(user, postback=agree_button["data"], redelivered=True, age_seconds=30)
    assert EXPIRED_BUTTON not in texts(prompt)
    assert len(consents(live, user)) == 1


def test_public_pages_send_security_headers(live):
    response = loopback.get(live.url + "/terms/no-such-version")
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in csp and "script-src 'self'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
