"""TOTP second factor for staff accounts (RFC 6238: 30 s steps, 6 digits, ±1 step) and
single-use recovery codes stored only as sha256 digests."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import StaffAccount

RECOVERY_CODES = 10
DIGITS = 6


def new_secret() -> str:
    """A fresh base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, login: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=login, issuer_name=issuer)


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step (now, or one either side) whose code this is; None when none is."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    base = totp.timecode(now)
    for step in (base - 1, base, base + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _digest(code: str) -> str:
    normal = code.strip().lower().replace("-", "").replace(" ", "")
    return hashlib.sha256(f"madoguchi-recovery:{normal}".encode()).hexdigest()


def _recovery_codes() -> list[str]:
    return [f"{raw[:5]}-{raw[5:]}" for raw in (secrets.token_hex(5) for _ in range(RECOVERY_CODES))]


async def enable_totp(*, session: AsyncSession, account: StaffAccount, secret: str, code: str,
                      now: datetime) -> list[str] | None:
    """Turn TOTP on when `code` is current for `secret`; returns the recovery codes to show
    once (only their digests are kept), or None when the code is wrong."""
    step = matching_step(secret, code, now)
    if step is None:
        return None
    codes = _recovery_codes()
    account.totp_secret, account.totp_enabled_at, account.totp_last_step = secret, now, step
    account.recovery_codes = ",".join(_digest(c) for c in codes)
    return codes


async def use_second_factor(*, session: AsyncSession, account: StaffAccount, code: str,
                            now: datetime) -> bool:
    """Whether `code` is a current TOTP code not used before, or an unused recovery code;
    either is spent by a conditional UPDATE, so two requests cannot both use one."""
    if account.totp_secret is None:
        return False
    step = matching_step(account.totp_secret, code, now)
    if step is not None:
        spent = await session.execute(update(StaffAccount).where(
            StaffAccount.id == account.id,
            or_(StaffAccount.totp_last_step.is_(None), StaffAccount.totp_last_step < step),
        ).values(totp_last_step=step).execution_options(synchronize_session=False))
        return spent.rowcount == 1  # type: ignore[attr-defined]
    stored = account.recovery_codes or ""
    digests = stored.split(",") if stored else []
    digest = _digest(code)
    if not any(hmac.compare_digest(digest, d) for d in digests):
        return False
    left = ",".join(d for d in digests if d != digest) or None
    spent = await session.execute(update(StaffAccount).where(
        StaffAccount.id == account.id, StaffAccount.recovery_codes == stored,
    ).values(recovery_codes=left).execution_options(synchronize_session=False))
    return spent.rowcount == 1  # type: ignore[attr-defined]


def recovery_codes_left(account: StaffAccount) -> int:
    """How many recovery codes the account has not used yet."""
    return len(account.recovery_codes.split(",")) if account.recovery_codes else 0


def reset_totp(account: StaffAccount) -> None:
    """Turn TOTP off (a lost device): the account enrols again at its next sign-in."""
    account.totp_secret = account.totp_enabled_at = account.totp_last_step = None
    account.recovery_codes = None
