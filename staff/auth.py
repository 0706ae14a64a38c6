"""Console sessions: the signed cookie, server-side sessions, who is signed in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeSerializer

from staff import messages as t
from staff.csrf import LOGIN_COOKIE, LOGIN_TOKEN_SECONDS, LoginTokens
from staff.errors import StaffError
from storage.db import transaction
from storage.models import StaffAccount
from storage.staff_accounts import Actor, active_account
from storage.staff_ops import audit
from storage.staff_sessions import ConsoleSession, ConsoleSessions

if TYPE_CHECKING:
    from services import Services

COOKIE = "madoguchi_staff"
HSTS = "max-age=31536000; includeSubDomains"


@dataclass(frozen=True)
class Staff:
    """The signed-in staff member and their session (for the CSRF token)."""

    actor: Actor
    session: ConsoleSession


class Auth:
    """Sessions and cookies; reads the app's collaborators at call time (built before start-up)."""

    def __init__(self, services: Services) -> None:
        self._services = services
        settings = services.settings
        self._signer = URLSafeSerializer(settings.secret_key, salt="madoguchi-staff-session")
        self.login_tokens = LoginTokens(settings.secret_key)
        self.secure = settings.secure_cookies

    @property
    def sessions(self) -> ConsoleSessions:
        return ConsoleSessions(self._services.redis, prefix=self._services.settings.redis_prefix)

    def now(self) -> datetime:
        return self._services.clock.now()

    async def session_of(self, request: Request) -> ConsoleSession | None:
        """The session named by a validly signed cookie, if it still exists."""
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            session_id = self._signer.loads(raw)
        except BadSignature:
            return None
        if not isinstance(session_id, str):
            return None
        return await self.sessions.load(session_id, now=self.now())

    def set_cookie(self, response: Response, session: ConsoleSession) -> None:
        """A browser-session cookie (no Max-Age): closing the browser ends it; the server
        ends it earlier (idle and absolute limits)."""
        response.set_cookie(COOKIE, self._signer.dumps(session.id), path="/staff",
                            httponly=True, samesite="lax", secure=self.secure)

    def clear_cookie(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path="/staff", httponly=True, samesite="lax",
                               secure=self.secure)

    def login_token(self) -> str:
        """A fresh token for the login form (nothing stored: it is signed)."""
        return self.login_tokens.issue(self.now())

    def set_login_cookie(self, response: Response, token: str) -> None:
        """The login form's token as a cookie too (double submit)."""
        response.set_cookie(LOGIN_COOKIE, token, max_age=LOGIN_TOKEN_SECONDS, path="/staff",
                            httponly=True, samesite="strict", secure=self.secure)

    async def account_of(self, session: ConsoleSession | None) -> StaffAccount | None:
        """The active account of this office behind a signed-in session, else None (and a
        session begun before the account's last password change is ended)."""
        if session is None or session.staff_id is None:
            return None
        async with self._services.sessions() as db:
            account = await active_account(db, self._services.office_id, session.staff_id)
        changed = account.password_changed_at if account else None
        if account is None or (changed is not None and session.created is not None
                               and session.created < changed):
            await self.sessions.delete(session.id)
            return None
        return account

    async def staff(self, request: Request) -> Staff:
        """The signed-in staff member, or 401."""
        session = await self.session_of(request)
        account = await self.account_of(session)
        if account is None or session is None:
            raise StaffError(401, t.NOT_LOGGED_IN)
        return Staff(actor=Actor.of(account), session=session)

    async def log_out(self, staff: Staff) -> None:
        """End the session on the server (the cookie alone is worth nothing after this)."""
        async with transaction(self._services.sessions) as db:
            audit(db, office_id=self._services.office_id, actor=staff.actor.login,
                  action="staff.logout", now=self.now())
        await self.sessions.delete(staff.session.id)
