"""Proxy headers are believed only from the proxies named in MADOGUCHI_TRUSTED_PROXIES."""

from __future__ import annotations

import asyncio
import ipaddress
import uuid
from datetime import timedelta
from typing import Any

import pytest

from proxy import TrustedProxies
from tests.conftest import DEFAULT_NOW
from tests.staff.conftest import PASSWORD, add_staff
from tests.staff.test_staff_throttle import try_login


def seen_by_app(peer: str, networks: str, headers: dict[str, str]) -> dict[str, Any]:
    """The scope the app behind the middleware gets for one request from `peer`."""
    got: dict[str, Any] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        got.update(scope)

    middleware = TrustedProxies(app, [ipaddress.ip_network(n) for n in networks.split(",") if n])
    scope = {"type": "http", "scheme": "http", "client": (peer, 5000),
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    asyncio.run(middleware(scope, None, None))
    return got


@pytest.mark.parametrize(("peer", "trusted", "forwarded", "client", "scheme"), [
    ("10.0.0.5", "", "203.0.113.9", "10.0.0.5", "http"),  # no proxy trusted: ignored
    ("10.0.0.5", "10.0.0.0/24", "203.0.113.9", "203.0.113.9", "https"),
    ("198.51.100.7", "10.0.0.0/24", "203.0.113.9", "198.51.100.7", "http"),  # not our proxy
    ("10.0.0.5", "10.0.0.0/24", "1.2.3.4, 203.0.113.9", "203.0.113.9", "https"),  # spoof left
    ("10.0.0.5", "10.0.0.0/24", "203.0.113.9, 10.0.0.7", "203.0.113.9", "https"),  # two hops
    ("10.0.0.5", "10.0.0.0/24", "not-an-address", "10.0.0.5", "https"),
    ("::1", "::1/128", "2001:db8::5", "2001:db8::5", "https"),
])
def test_the_client_is_the_first_untrusted_hop_from_the_right(peer, trusted, forwarded, client,
                                                              scheme):
    scope = seen_by_app(peer, trusted, {"X-Forwarded-For": forwarded,
                                        "X-Forwarded-Proto": "https"})
    assert scope["client"][0] == client and scope["scheme"] == scheme


def test_without_a_trusted_proxy_the_header_cannot_dodge_the_address_limit(sec_app):
    # The security app trusts no proxy: every attempt below comes from 127.0.0.1.
    sec_app.clock.set(DEFAULT_NOW + timedelta(days=40))  # a window no other test uses
    try:
        for n in range(20):
            answer = try_login(sec_app, f"nobody-{uuid.uuid4().hex[:6]}-{n}", "nope-nope-nope",
                               client=f"203.0.113.{n + 1}")
            assert answer.status_code == 401
        login = add_staff(sec_app)
        assert try_login(sec_app, login, PASSWORD, client="198.51.100.99").status_code == 429
    finally:
        sec_app.clock.set(DEFAULT_NOW)
