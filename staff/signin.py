"""Signing in and proving it again: every attempt is counted before the secret is checked,
with a delay that doubles after a few failures (no lockout a stranger could cause)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from fastapi import Request

from logs import hash_line_user
from staff import messages as t
from staff.auth import Auth, Staff
from staff.errors import StaffError
from staff.passwords import new_password_problem
from storage.db import transaction
from storage.rate_limit import AttemptGate
from storage.staff_accounts import active_account, authenticate, find_in_office, set_password
from storage.staff_mfa import use_second_factor
from storage.staff_ops import audit
from storage.staff_sessions import ConsoleSession

if TYPE_CHECKING:
    from services import Services

FREE_TRIES = 5  # failures per login checked at once; then 1 s, 2 s, 4 s … between attempts
DELAY_CAP = 15 * 60
CLIENT_TRIES = 20  # attempts per client address and window (an office shares one address)
CLIENT_WINDOW = 15 * 60


class SignIn:
    """The password step, the second-factor step and the password change, under one gate."""

    def __init__(self, services: Services, auth: Auth) -> None:
        self._services = services
        self._auth = auth

    def _gate(self, scope: str) -> AttemptGate:
        return AttemptGate(self._services.redis, prefix=self._services.settings.redis_prefix,
                           scope=scope, free=FREE_TRIES, cap_seconds=DELAY_CAP,
                           client_limit=CLIENT_TRIES, window_seconds=CLIENT_WINDOW)

    @staticmethod
    def _client(request: Request) -> str:
        # The real address: proxy.TrustedProxies has already read X-Forwarded-For.
        return hash_line_user(request.client.host if request.client else "?")

    async def _admit(self, scope: str, name: str, client: str) -> AttemptGate:
        """Count this attempt, or refuse it with 429 and how long to wait."""
        gate = self._gate(scope)
        verdict = await gate.attempt(name, client, self._auth.now())
        if not verdict.allowed:
            raise StaffError(429, t.LOGIN_LIMITED.format(wait=t.wait_text(verdict.retry_after)),
                             headers={"Retry-After": str(verdict.retry_after)})
        return gate

    async def password(self, request: Request, login: str, password: str) -> ConsoleSession:
        """Check the password; a signed-in session, or one still owing its second factor.
        Either is brand-new (no fixation)."""
        now, client, name = self._auth.now(), self._client(request), hash_line_user(login)
        gate = await self._admit("login", name, client)
        office_id = self._services.office_id
        async with transaction(self._services.sessions) as db:
            account = await authenticate(session=db, office_id=office_id, login=login,
                                         password=password)
            known = account or await find_in_office(db, office_id, login)
            if account is None or account.totp_enabled_at is None:
                audit(db, office_id=office_id, actor=known.login if known else t.UNKNOWN_LOGIN,
                      action="staff.login" if account else "staff.login_failed", now=now)
        if account is None:
            raise StaffError(401, t.LOGIN_FAILED)
        await gate.succeeded(name, client, now)
        await self._end_current(request)
        if account.totp_enabled_at is not None:
            return await self._auth.sessions.create(now=now, pending=account.id)
        return await self._auth.sessions.create(account.id, now=now)

    async def second_factor(self, request: Request, pending: ConsoleSession,
                            code: str) -> ConsoleSession:
        """Check the TOTP or recovery code owed after the password; a signed-in session."""
        assert pending.pending is not None
        now, client, name = self._auth.now(), self._client(request), f"mfa-{pending.pending}"
        gate = await self._admit("login-mfa", name, client)
        office_id = self._services.office_id
        async with transaction(self._services.sessions) as db:
            account = await active_account(db, office_id, pending.pending)
            if account is None:
                raise StaffError(401, t.MFA_EXPIRED)
            ok = await use_second_factor(session=db, account=account, code=code, now=now)
            audit(db, office_id=office_id, actor=account.login,
                  action="staff.login" if ok else "staff.mfa_failed", now=now)
        if not ok:
            raise StaffError(401, t.MFA_WRONG)
        await gate.succeeded(name, client, now)
        await self._auth.sessions.delete(pending.id)
        return await self._auth.sessions.create(account.id, now=now)

    async def change_password(self, request: Request, staff: Staff, *, current: str, new: str,
                              confirm: str) -> ConsoleSession:
        """Replace the password (the current one is checked under the login's gate); the
        account's other sessions end, this browser gets a new one."""
        login, now, client = staff.actor.login, self._auth.now(), self._client(request)
        gate = await self._admit("login", hash_line_user(login), client)
        office_id = self._services.office_id
        async with transaction(self._services.sessions) as db:
            account = await authenticate(session=db, office_id=office_id, login=login,
                                         password=current)
            if account is None:
                audit(db, office_id=office_id, actor=login, action="staff.login_failed", now=now)
        if account is None:
            raise StaffError(422, t.PASSWORD_WRONG)
        await gate.succeeded(hash_line_user(login), client, now)
        problem = new_password_problem(login, new, confirm=confirm, current=current)
        if problem:
            raise StaffError(422, problem)
        async with transaction(self._services.sessions) as db:
            account = await active_account(db, office_id, staff.actor.id)
            if account is None:
                raise StaffError(401, t.NOT_LOGGED_IN)
            await set_password(account=account, password=new, now=now)
            audit(db, office_id=office_id, actor=login, action="staff.password", now=now)
        await self._auth.sessions.delete(staff.session.id)
        return await self._auth.sessions.create(staff.actor.id, now=now)

    async def _end_current(self, request: Request) -> None:
        old = await self._auth.session_of(request)
        if old is not None:
            await self._auth.sessions.delete(old.id)

    @staticmethod
    def pending_account(session: ConsoleSession | None) -> uuid.UUID | None:
        """The account a session is waiting to confirm with its second factor."""
        return session.pending if session is not None and session.staff_id is None else None
