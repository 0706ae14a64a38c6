"""CSRF: every state-changing request carries its session's token (form field or header)."""

from __future__ import annotations

import secrets

from fastapi import Request

from staff import messages as t
from staff.errors import StaffError
from storage.staff_sessions import ConsoleSession

FIELD = "csrf"
HEADER = "X-CSRF-Token"


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
