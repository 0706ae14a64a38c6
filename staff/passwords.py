"""What a new console password must be: long, not a common one, not the login (ASVS 2.1)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from staff import messages as t

MIN_LENGTH = 12
MAX_LENGTH = 200
COMMON = Path(__file__).resolve().parent / "common_passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list, read once on first use (lower case)."""
    lines = COMMON.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def new_password_problem(login: str, password: str, *, confirm: str, current: str) -> str | None:
    """Why this new password cannot be used (Japanese), or None when it can."""
    if password != confirm:
        return t.PASSWORD_MISMATCH
    if len(password) < MIN_LENGTH:
        return t.PASSWORD_SHORT.format(min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return t.PASSWORD_LONG
    if password == current:
        return t.PASSWORD_UNCHANGED
    lowered = password.lower()
    if lowered == login.lower() or (len(login) >= 4 and login.lower() in lowered):
        return t.PASSWORD_IS_LOGIN
    if lowered in common_passwords():
        return t.PASSWORD_COMMON
    return None
