"""LIFF and LINE Login, imitated: ID tokens, their verify endpoint, and how a LIFF URL opens.

ID tokens are JWT-shaped like LINE's but signed HS256 with a key only this emulator holds, so
only the emulator's verify endpoint (as only LINE's) can vouch for them. A `liff.line.me` URL
opened from the chat page goes through `open_redirect`: the emulated user is remembered in a
cookie and the browser lands on the LIFF app's endpoint URL with `liff.state`, as in LINE.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

from emulator.result import ApiResult, ok

ISSUER = "https://access.line.me"
LIFF_HOST = "liff.line.me"
TOKEN_LIFETIME = 3600  # seconds, as LINE's ID tokens


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def refused(description: str) -> ApiResult:
    """LINE Login's error shape: 400 `{"error", "error_description"}`."""
    return ApiResult(400, {"error": "invalid_request", "error_description": description})


class LiffPlatform:
    """Mints and verifies ID tokens; knows LIFF apps' endpoint URLs and channels."""

    def __init__(self, *, endpoint: str, channel_id: str | None = None,
                 display_name: Callable[[str], str | None] = lambda _user: None,
                 wall_clock: Callable[[], float] = time.time) -> None:
        """`endpoint`: where every LIFF app opens unless `endpoints` names another."""
        self.endpoint = endpoint
        self.endpoints: dict[str, str] = {}
        self.channel_id = channel_id
        self.display_name = display_name
        self.wall_clock = wall_clock
        self._key = secrets.token_bytes(32)

    def channel_of(self, liff_id: str) -> str:
        """The LINE Login channel a LIFF app belongs to: the number before its "-"."""
        return liff_id.split("-", 1)[0]

    def mint(self, user_id: str, aud: str | None = None, expires_in: int = TOKEN_LIFETIME) -> str:
        """An ID token for `user_id`, issued for channel `aud` (default: the emulator's)."""
        audience = aud or self.channel_id
        if not audience:
            raise ValueError("no channel: give aud, or start the emulator with liff_channel_id")
        now = int(self.wall_clock())
        claims: dict[str, Any] = {"iss": ISSUER, "sub": user_id, "aud": audience,
                                  "exp": now + expires_in, "iat": now, "amr": ["linesso"]}
        name = self.display_name(user_id)
        if name:
            claims["name"] = name
        head = _b64(json.dumps({"typ": "JWT", "alg": "HS256"}).encode())
        body = _b64(json.dumps(claims, ensure_ascii=False).encode())
        return f"{head}.{body}.{self._sign(head, body)}"

    def _sign(self, head: str, body: str) -> str:
        return _b64(hmac.new(self._key, f"{head}.{body}".encode(), hashlib.sha256).digest())

    def verify(self, id_token: str, client_id: str, user_id: str | None = None) -> ApiResult:
        """What `POST /oauth2/v2.1/verify` answers: the claims, or LINE's 400."""
        if not id_token:
            return refused("Required parameter 'id_token' is missing.")
        if not client_id:
            return refused("Required parameter 'client_id' is missing.")
        parts = id_token.split(".")
        try:
            head, body, signature = parts
            json.loads(_unb64(head))
            claims = json.loads(_unb64(body))
        except ValueError:
            return refused("Invalid IdToken.")
        if not isinstance(claims, dict):
            return refused("Invalid IdToken.")
        if not hmac.compare_digest(signature, self._sign(head, body)):
            return refused("Invalid IdToken Signature.")
        if claims.get("iss") != ISSUER:
            return refused("Invalid IdToken Issuer.")
        if not isinstance(claims.get("exp"), int) or claims["exp"] <= self.wall_clock():
            return refused("IdToken expired.")
        if claims.get("aud") != client_id:
            return refused("Invalid IdToken Audience.")
        if user_id is not None and claims.get("sub") != user_id:
            return refused("Invalid IdToken Subject Identifier.")
        return ok(claims)

    def open_redirect(self, liff_url: str) -> tuple[str, str] | None:
        """Where `https://liff.line.me/{liffId}/{path}?{query}` lands: the endpoint URL with
        `liff.state` = "/{path}?{query}", and the LIFF id; None for another URL."""
        parts = urlsplit(liff_url)
        if parts.scheme != "https" or parts.hostname != LIFF_HOST:
            return None
        liff_id, _, path = parts.path.lstrip("/").partition("/")
        if not liff_id:
            return None
        state = ("/" + path if path else "") + (f"?{parts.query}" if parts.query else "") + (
            f"#{parts.fragment}" if parts.fragment else "")
        endpoint = self.endpoints.get(liff_id, self.endpoint)
        if not state:
            return endpoint, liff_id
        joiner = "&" if "?" in endpoint else "?"
        return f"{endpoint}{joiner}liff.state={quote(state, safe='')}", liff_id
