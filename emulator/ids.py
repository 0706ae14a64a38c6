"""Identifiers shaped like the ones the LINE platform issues."""

from __future__ import annotations

import secrets
import time
import uuid

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ulid() -> str:
    """A 26-character ULID (48-bit millisecond time + 80 random bits), as webhookEventId."""
    value = (int(time.time() * 1000) << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def user_id() -> str:
    """A LINE user id: "U" followed by 32 lowercase hex digits."""
    return "U" + secrets.token_hex(16)


def message_id() -> str:
    """A numeric message id, 18 digits like LINE's."""
    return str(secrets.randbelow(9 * 10**17) + 10**17)


def reply_token() -> str:
    """An opaque reply token (32 hex digits)."""
    return secrets.token_hex(16)


def quote_token() -> str:
    """An opaque, URL-safe quote token."""
    return secrets.token_urlsafe(48)


def request_id() -> str:
    """A request id for the `x-line-request-id` header."""
    return str(uuid.uuid4())


def rich_menu_id() -> str:
    """A rich menu id: "richmenu-" followed by 32 hex digits."""
    return "richmenu-" + secrets.token_hex(16)
