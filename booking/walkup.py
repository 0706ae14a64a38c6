"""Walk-up 今すぐ相談 at a booth (art. 5-2, DESIGN §13): the message a site's QR code sends.

The poster's QR opens the office's LINE chat with a fixed message already typed in, naming the
site and carrying its short code: 「今すぐ相談：〇〇町役場 2階 相談室（K7P3QX）」. The bot finds the
site by the code alone, so a poster printed before the site was renamed keeps working.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from urllib.parse import quote

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud or typed by hand
CODE_LENGTH = 6
PREFIX = "今すぐ相談："
OA_MESSAGE = "https://line.me/R/oaMessage/{account}/?{text}"
# After NFKC (the engine normalises typed text): "今すぐ相談:<name>(<code>)".
MESSAGE_PATTERN = r"今すぐ相談\s*:\s*(?P<name>.*?)\s*\(\s*(?P<code>[0-9A-Za-z]{4,12})\s*\)"
_MESSAGE = re.compile(MESSAGE_PATTERN)


def new_site_code() -> str:
    """A fresh random site code (unique per office by the database's constraint)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def walkup_message(site_name: str, code: str) -> str:
    """The text the site's QR code has the user send."""
    return f"{PREFIX}{site_name}（{code}）"


def walkup_code(text: str) -> str | None:
    """The site code in a walk-up message (full-width or not, any case), else None."""
    found = _MESSAGE.fullmatch(unicodedata.normalize("NFKC", text).strip())
    return found.group("code").upper() if found else None


def oa_message_url(account_id: str, text: str) -> str:
    """LINE's URL scheme that opens the chat with `account_id` (its basic ID, "@" included)
    with `text` typed in, ready to send; both parts percent-encoded as LINE asks."""
    return OA_MESSAGE.format(account=quote(account_id, safe=""), text=quote(text, safe=""))
