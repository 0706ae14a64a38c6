"""`python main.py worker`: runs the SAQ worker with its cron jobs until SIGINT / SIGTERM."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from config import Settings
from worker.app import run_worker


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop where it exists: it roughly halves the CPU each push costs the outbox worker."""
    try:
        import uvloop
    except ImportError:  # Windows: the standard loop
        return None
    return uvloop.new_event_loop


def run(settings: Settings) -> int:
    """Run the worker until interrupted; returns the exit status."""
    logging.getLogger(__name__).info("worker starting")
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        runner.run(run_worker(settings, handle_signals=True))
    return 0
