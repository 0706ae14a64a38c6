"""Logging set-up and the one way to name a LINE user in a log line: hashed."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime


def hash_line_user(line_user_id: str) -> str:
    """Stable, non-reversible name for a LINE user id, for logs and the users index."""
    return hashlib.sha256(f"madoguchi:{line_user_id}".encode()).hexdigest()[:32]


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
