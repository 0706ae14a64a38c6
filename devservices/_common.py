"""Shared helpers: finding binaries, log tails and leak-proof exit hooks."""

from __future__ import annotations

import atexit
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Self

log = logging.getLogger("devservices")

INSTALL_HINT = "run `./dev test` once, which installs it"


def find_executable(name: str, *fallbacks: Path) -> Path | None:
    """Find an executable on PATH, else among the given fallback paths."""
    found = shutil.which(name)
    if found:
        return Path(found)
    for candidate in fallbacks:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def log_tail(path: Path | None, lines: int = 40) -> str:
    """Return the last lines of a log file, or a note if there is none."""
    if path is None or not path.exists():
        return "(no log file)"
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"(log unreadable: {exc})"
    return "\n".join(text.splitlines()[-lines:]) or "(log is empty)"


class ExitGuard:
    """Runs a stop function at interpreter exit, only in the process that armed it."""

    def __init__(self, stop: Callable[[], None]) -> None:
        self._stop = stop
        self._pid: int | None = None

    def arm(self) -> None:
        """Register the exit hook (idempotent)."""
        if self._pid is None:
            self._pid = os.getpid()
            atexit.register(self._fire)

    def disarm(self) -> None:
        """Remove the exit hook (idempotent)."""
        if self._pid is not None:
            atexit.unregister(self._fire)
            self._pid = None

    def _fire(self) -> None:
        """Stop the service unless we are a forked child of the owner."""
        if self._pid != os.getpid():
            return
        try:
            self._stop()
        except Exception:  # never fail interpreter shutdown
            log.exception("cleanup at exit failed")


class ServerContext:
    """`with Server() as s:` starts on entry and stops on exit, KeyboardInterrupt included."""

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
