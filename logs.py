"""Logging set-up and the one way to name a LINE user in a log line: hashed."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from datetime import UTC, datetime


def hash_line_user(line_user_id: str) -> str:
    """The users table's own index of a LINE user id (never written to logs)."""
    return hashlib.sha256(f"madoguchi:{line_user_id}".encode()).hexdigest()[:32]


class _Pepper:
    """The HMAC key that names users in logs: random until the app sets the configured one,
    so a log line never carries a hash anyone could recompute from a LINE id alone."""

    key: bytes = secrets.token_bytes(32)


def set_log_pepper(key: bytes) -> None:
    """Use the deployment's pepper (Settings.log_pepper), so all its processes agree."""
    _Pepper.key = key


def log_user(line_user_id: str) -> str:
    """How a LINE user appears in a log line: a peppered HMAC of the id."""
    return hmac.new(_Pepper.key, line_user_id.encode(), hashlib.sha256).hexdigest()[:32]


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for production log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in ("user", "event_id", "event_type", "state", "status", "outbox_id"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(*, json_lines: bool, level: int = logging.INFO) -> None:
    """Console logging; JSON lines in production."""
    handler = logging.StreamHandler()
    if json_lines:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Request lines carry query strings (user ids in the emulator's API): keep them out of logs.
    for noisy in ("httpx", "httpcore", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
