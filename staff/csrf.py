"""CSRF: every state-changing request carries its session's token (form field or header); the
login form, which has no session yet, carries a signed double-submit token instead."""

from __future__ import annotations

import secrets
from datetime import datetime

from fastapi import Request
from itsdangerous import BadSignature, Signer

from staff import messages as t
from staff.errors import StaffError
from storage.staff_sessions import ConsoleSession

FIELD = "csrf"
HEADER = "X-CSRF-Token"
LOGIN_COOKIE = "madoguchi_login_csrf"
LOGIN_TOKEN_SECONDS = 30 * 60  # a login form left open this long must be reloaded


async def submitted_token(request: Request) -> str:
    """The token sent with the request: the header (API) or the hidden form field (pages)."""
    if HEADER in request.headers:
        return request.headers[HEADER]
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def check_csrf(request: Request, session: ConsoleSession | None) -> None:
    """403 unless the token matches the session's (compared in constant time)."""
    sent = await submitted_token(request)
    if session is None or not sent or not secrets.compare_digest(sent, session.csrf):
        raise StaffError(403, t.BAD_CSRF)


class LoginTokens:
    """Stateless tokens for the login form: HMAC(secret key) over a random nonce and the issue
    time, sent both as a cookie and in the form; nothing is stored per anonymous visitor."""

    def __init__(self, secret_key: str) -> None:
        self._signer = Signer(secret_key, salt="madoguchi-login-csrf")

    def issue(self, now: datetime) -> str:
        """A new token for a login form shown at `now`."""
        payload = f"{secrets.token_urlsafe(16)}.{int(now.timestamp())}"
        return self._signer.sign(payload).decode()

    def valid(self, token: str, now: datetime) -> bool:
        """Signed by us and issued within the last 30 minutes."""
        try:
            payload = self._signer.unsign(token).decode()
        except (BadSignature, UnicodeDecodeError):
            return False
        issued = payload.rpartition(".")[2]
        age = int(now.timestamp()) - int(issued) if issued.isdigit() else -1
        return 0 <= age <= LOGIN_TOKEN_SECONDS

    async def check(self, request: Request, now: datetime) -> None:
        """403 unless the form's token equals the cookie's and is a live token of ours."""
        sent = await submitted_token(request)
        cookie = request.cookies.get(LOGIN_COOKIE, "")
        if not sent or not cookie or not secrets.compare_digest(sent, cookie) \
                or not self.valid(sent, now):
            raise StaffError(403, t.BAD_CSRF)
