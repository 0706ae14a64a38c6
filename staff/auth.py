"""Console sign-in: signed session cookie, server-side sessions, rotation at login, rate limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeSerializer

from logs import hash_line_user
from staff import messages as t
from staff.errors import StaffError
from storage.db import transaction
from storage.rate_limit import RateLimiter
from storage.staff_accounts import Actor, active_account, authenticate
from storage.staff_ops import audit
from storage.staff_sessions import IDLE_SECONDS, ConsoleSession, ConsoleSessions

COOKIE = "madoguchi_staff"
LOGIN_TRIES = 5  # failures per login name in one window
CLIENT_TRIES = 20  # failures per client address (an office shares one address)
LOGIN_WINDOW = 15 * 60


@dataclass(frozen=True)
class Staff:
    """The signed-in staff member and their session (for the CSRF token)."""

    actor: Actor
    session: ConsoleSession


class Auth:
    """Sessions and sign-in; reads the app's collaborators at call time (built before start-up)."""

    def __init__(self, services: Any) -> None:
        self._services = services
        settings = services.settings
        self._signer = URLSafeSerializer(settings.secret_key, salt="madoguchi-staff-session")
        self.secure = settings.public_base_url.startswith("https://")

    @property
    def sessions(self) -> ConsoleSessions:
        return ConsoleSessions(self._services.redis, prefix=self._services.settings.redis_prefix)

    def _limiter(self, scope: str, limit: int) -> RateLimiter:
        return RateLimiter(self._services.redis, prefix=self._services.settings.redis_prefix,
                           scope=scope, limit=limit, window_seconds=LOGIN_WINDOW)

    async def session_of(self, request: Request) -> ConsoleSession | None:
        """The session named by a validly signed cookie, if it still exists."""
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            session_id = self._signer.loads(raw)
        except BadSignature:
            return None
        return await self.sessions.load(session_id) if isinstance(session_id, str) else None

    async def ensure_session(self, request: Request) -> tuple[ConsoleSession, bool]:
        """The current session, or a new anonymous one (for the login form's CSRF token)."""
        session = await self.session_of(request)
        if session is not None:
            return session, False
        return await self.sessions.create(), True

    def set_cookie(self, response: Response, session: ConsoleSession) -> None:
        response.set_cookie(COOKIE, self._signer.dumps(session.id), max_age=IDLE_SECONDS,
                            path="/staff", httponly=True, samesite="lax", secure=self.secure)

    def clear_cookie(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path="/staff", httponly=True, samesite="lax",
                               secure=self.secure)

    async def staff(self, request: Request) -> Staff:
        """The signed-in staff member, or 401."""
        session = await self.session_of(request)
        if session is None or session.staff_id is None:
            raise StaffError(401, t.NOT_LOGGED_IN)
        async with self._services.sessions() as db:
            account = await active_account(db, session.staff_id)
        if account is None:
            await self.sessions.delete(session.id)
            raise StaffError(401, t.NOT_LOGGED_IN)
        return Staff(actor=Actor.of(account), session=session)

    async def log_in(self, request: Request, login: str, password: str) -> ConsoleSession:
        """Check the password under rate limits; on success a brand-new session (no fixation)."""
        now = self._services.clock.now()
        client = hash_line_user(request.client.host if request.client else "?")
        by_login = self._limiter("login", LOGIN_TRIES)
        by_client = self._limiter("login-client", CLIENT_TRIES)
        if await by_login.blocked(login, now) or await by_client.blocked(client, now):
            raise StaffError(429, t.LOGIN_LIMITED)
        async with transaction(self._services.sessions) as db:
            account = await authenticate(session=db, login=login, password=password)
            audit(db, office_id=self._services.office_id, actor=login[:60] or "-",
                  action="staff.login" if account else "staff.login_failed", now=now)
        if account is None:
            await by_login.hit(login, now)
            await by_client.hit(client, now)
            raise StaffError(401, t.LOGIN_FAILED)
        await by_login.reset(login, now)
        old = await self.session_of(request)
        if old is not None:
            await self.sessions.delete(old.id)
        return await self.sessions.create(account.id)

    async def log_out(self, staff: Staff) -> None:
        async with transaction(self._services.sessions) as db:
            audit(db, office_id=self._services.office_id, actor=staff.actor.login,
                  action="staff.logout", now=self._services.clock.now())
        await self.sessions.delete(staff.session.id)
