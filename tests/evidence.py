"""What the run leaves for the privacy scan (tests/privacy.py): every LINE id the tests used
and every log file a subprocess wrote (the run log holds only this process's records)."""

from __future__ import annotations

from pathlib import Path

LINE_IDS: set[str] = set()
SUBPROCESS_LOGS: list[Path] = []


def saw_line_id(line_id: str) -> str:
    """Note a LINE user id a test acts as; returns it, for use in expressions."""
    LINE_IDS.add(line_id)
    return line_id


def subprocess_log(path: Path) -> Path:
    """Note a subprocess's log file, to be scanned at the end of the run."""
    SUBPROCESS_LOGS.append(path)
    return path


# Names, numbers and phones the run's databases held, read just before their server stopped.
DATABASE_VALUES: set[str] = set()
