"""`python main.py worker`: runs the SAQ worker with its cron jobs."""

from __future__ import annotations

from config import Settings


def run(settings: Settings) -> int:
    """Run the worker until interrupted; returns the exit status."""
    print("worker: not available yet")  # noqa: T201
    return 2
