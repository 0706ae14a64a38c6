"""`python main.py worker`: runs the SAQ worker with its cron jobs until SIGINT / SIGTERM."""

from __future__ import annotations

import asyncio
import logging

from config import Settings
from worker.app import run_worker


def run(settings: Settings) -> int:
    """Run the worker until interrupted; returns the exit status."""
    # SAQ logs every enqueue and run at INFO: with a two-second outbox tick that is noise.
    logging.getLogger("saq").setLevel(logging.WARNING)
    logging.getLogger(__name__).info("worker starting")
    asyncio.run(run_worker(settings, handle_signals=True))
    return 0
