"""Staff accounts: Argon2 password hashes, roles, LINE link codes, the demo admin."""

from __future__ import annotations

import asyncio
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking.kinds import StaffRole
from storage.db import transaction
from storage.models import StaffAccount, utcnow

ROLES = tuple(StaffRole)
LINK_CODE_TTL = timedelta(minutes=10)
DEMO_ADMIN = ("admin", "madoguchi-demo-admin")  # printed by `./dev demo`; demo databases only
MIN_PASSWORD = 10
LOGIN_SHAPE = re.compile(r"[A-Za-z0-9._-]{1,60}")
# Settings.password_hashing: production's RFC 9106 low-memory profile (argon2's default), or
# argon2's cheapest one so the demo and tests do not spend 64 MiB and ~0.1 s per sign-in.
HASHING_PROFILES = {"rfc9106": profiles.RFC_9106_LOW_MEMORY, "cheapest": profiles.CHEAPEST}


class _Hashing:
    """The hasher new hashes use, and a dummy hash of the same cost: verified against when
    the login is unknown, so a miss costs as much time as a wrong password. The dummy is made
    on first use, not at import: every process imports this module, few sign anyone in."""

    def __init__(self, profile: str) -> None:
        self.profile = profile
        self.hasher = PasswordHasher.from_parameters(HASHING_PROFILES[profile])

    @cached_property
    def dummy(self) -> str:
        return self.hasher.hash(secrets.token_urlsafe(16))


_hashing = _Hashing("rfc9106")


def use_password_hashing(profile: str) -> None:
    """Hash new passwords with this Settings.password_hashing profile (set at start, like the
    log pepper). Existing hashes carry their own parameters and still verify; a sign-in
    rehashes them to this profile."""
    global _hashing
    if _hashing.profile != profile:
        _hashing = _Hashing(profile)


class AccountError(ValueError):
    """A staff account could not be created or changed; the message says why (Japanese)."""


@dataclass(frozen=True)
class Actor:
    """The staff member doing something: what the audit log and the ops need to know."""

    id: uuid.UUID
    login: str
    name: str
    role: str
    mfa: bool = False  # signs in with a TOTP code as well

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @classmethod
    def of(cls, account: StaffAccount) -> Actor:
        return cls(id=account.id, login=account.login, name=account.display_name,
                   role=account.role, mfa=account.totp_enabled_at is not None)


def hash_password(password: str) -> str:
    """An Argon2id hash with the configured profile's parameters."""
    return _hashing.hasher.hash(password)


def check_new_account(login: str, name: str, role: str, password: str) -> None:
    """Refuse accounts that would be unusable or weak."""
    if not LOGIN_SHAPE.fullmatch(login):
        raise AccountError("ログインIDは英数字と - _ . で60文字以内にしてください。")
    if not name.strip() or len(name) > 60:
        raise AccountError("表示名を60文字以内で入力してください。")
    if role not in ROLES:
        raise AccountError("役割は staff か admin です。")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"パスワードは{MIN_PASSWORD}文字以上にしてください。")


async def find_by_login(session: AsyncSession, login: str) -> StaffAccount | None:
    """The account with this login, active or not, of any office (logins are unique)."""
    return (await session.scalars(select(StaffAccount).where(StaffAccount.login == login))).first()


async def find_in_office(session: AsyncSession, office_id: uuid.UUID,
                         login: str) -> StaffAccount | None:
    """The account with this login if it belongs to this office, active or not."""
    return (await session.scalars(select(StaffAccount).where(
        StaffAccount.login == login, StaffAccount.office_id == office_id))).first()


async def create_account(*, session: AsyncSession, office_id: uuid.UUID, login: str, name: str,
                         role: str, password: str, now: datetime) -> StaffAccount:
    """A new active account; the password is stored only as an Argon2 hash."""
    check_new_account(login, name, role, password)
    if await find_by_login(session, login) is not None:
        raise AccountError("そのログインIDはすでに使われています。")
    account = StaffAccount(office_id=office_id, login=login, display_name=name.strip(), role=role,
                           password_hash=hash_password(password), created_at=now)
    session.add(account)
    await session.flush()
    return account


async def list_accounts(*, session: AsyncSession,
                        office_id: uuid.UUID | None = None) -> list[StaffAccount]:
    """Every account (of one office when given), by login."""
    query = select(StaffAccount).order_by(StaffAccount.login)
    if office_id is not None:
        query = query.where(StaffAccount.office_id == office_id)
    return list((await session.scalars(query)).all())


async def disable_account(*, session: AsyncSession, office_id: uuid.UUID,
                          login: str) -> StaffAccount:
    """Deactivate an account of this office and unlink its LINE account (no more alerts)."""
    account = await find_in_office(session, office_id, login)
    if account is None:
        raise AccountError("そのログインIDのアカウントはありません。")
    account.active, account.line_user_id, account.link_code = False, None, None
    return account


async def authenticate(*, session: AsyncSession, office_id: uuid.UUID, login: str,
                       password: str) -> StaffAccount | None:
    """This office's active account when the password matches; rehashes when the parameters
    changed. Argon2 runs in a worker thread: it takes tens of milliseconds of CPU."""
    account = await find_in_office(session, office_id, login)
    stored = account.password_hash if account else _hashing.dummy
    if not await asyncio.to_thread(password_matches, stored, password):
        return None
    if account is None or not account.active:
        return None
    if _hashing.hasher.check_needs_rehash(account.password_hash):
        account.password_hash = await asyncio.to_thread(hash_password, password)
    return account


async def set_password(*, account: StaffAccount, password: str, now: datetime) -> None:
    """Store a new password as a fresh Argon2id hash; sessions begun before `now` end."""
    account.password_hash = await asyncio.to_thread(hash_password, password)
    account.password_changed_at = now


async def active_account(session: AsyncSession, office_id: uuid.UUID,
                         account_id: uuid.UUID) -> StaffAccount | None:
    """The account behind a console session, if it is still active and of this office."""
    account = await session.get(StaffAccount, account_id)
    if account is None or not account.active or account.office_id != office_id:
        return None
    return account


async def by_line_user(session: AsyncSession, office_id: uuid.UUID,
                       line_user_id: str) -> StaffAccount | None:
    """The active staff account linked to this LINE user, if any."""
    return (await session.scalars(select(StaffAccount).where(
        StaffAccount.office_id == office_id, StaffAccount.line_user_id == line_user_id,
        StaffAccount.active.is_(True)))).first()


async def new_link_code(*, session: AsyncSession, account: StaffAccount, now: datetime) -> str:
    """A fresh six-digit one-time code, valid for ten minutes, that links a LINE account."""
    while True:
        code = f"{secrets.randbelow(1_000_000):06d}"
        taken = (await session.scalars(select(StaffAccount.id).where(
            StaffAccount.link_code == code, StaffAccount.link_code_expires_at > now))).first()
        if taken is None:
            break
    account.link_code, account.link_code_expires_at = code, now + LINK_CODE_TTL
    return code


async def use_link_code(*, session: AsyncSession, office_id: uuid.UUID, code: str,
                        line_user_id: str, now: datetime) -> StaffAccount | None:
    """Bind the LINE user to the account whose live code this is; the code is then spent."""
    account = (await session.scalars(select(StaffAccount).where(
        StaffAccount.office_id == office_id, StaffAccount.link_code == code,
        StaffAccount.active.is_(True), StaffAccount.link_code_expires_at > now))).first()
    if account is None:
        return None
    for other in (await session.scalars(select(StaffAccount).where(
            StaffAccount.line_user_id == line_user_id, StaffAccount.id != account.id))).all():
        other.line_user_id = None  # one LINE account alerts for one staff member only
    account.line_user_id, account.link_code, account.link_code_expires_at = line_user_id, None, None
    return account


async def ensure_demo_admin(sessions: async_sessionmaker[AsyncSession],
                            office_id: uuid.UUID) -> tuple[str, str]:
    """The demo's admin login and password, creating the account on first start."""
    login, password = DEMO_ADMIN
    async with transaction(sessions) as session:
        account = await find_by_login(session, login)
        if account is None:
            await create_account(session=session, office_id=office_id, login=login,
                                 name="デモ管理者", role="admin", password=password, now=utcnow())
        elif not account.active or not password_matches(account.password_hash, password):
            account.active, account.password_hash = True, hash_password(password)
    return login, password


def password_matches(stored: str, password: str) -> bool:
    """Whether the password matches the stored hash, whichever profile made it."""
    try:
        return _hashing.hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
