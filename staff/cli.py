"""`python main.py staff add|list|disable ...`."""

from __future__ import annotations

from config import Settings


def run(settings: Settings, args: list[str]) -> int:
    """Manage staff accounts from the command line; returns the exit status."""
    print("staff: not available yet")  # noqa: T201
    return 2
