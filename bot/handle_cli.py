"""`python main.py handle`: a handler process reading the event stream until SIGINT / SIGTERM.

Run as many as the load needs, on any machine that reaches PostgreSQL, Redis and LINE; they
share the stream's partitions among themselves (bot/consumer.py).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal

from config import Settings
from main import tune_gc
from services import Services
from worker.cli import loop_factory

log = logging.getLogger(__name__)
# A stop that has not finished by then is logged with what it waits on, and the process ends
# anyway: its unfinished events stay pending and another handler claims them (bot/consumer.py).
# Under the usual 30 s grace before an orchestrator's SIGKILL, so the log is written first.
STOP_GRACE_SECONDS = 25.0


def waiting_on() -> str:
    """Where each task of the loop stands: code locations only, never a value."""
    lines = []
    for task in asyncio.all_tasks():
        frames = task.get_stack(limit=12)
        where = " <- ".join(f"{f.f_code.co_name}@{os.path.basename(f.f_code.co_filename)}:"
                            f"{f.f_lineno}" for f in reversed(frames))
        lines.append(f"{task.get_name()}: {where or 'not started'}")
    return "\n".join(lines)


async def _watchdog(seconds: float) -> None:
    await asyncio.sleep(seconds)
    log.error("handler did not stop within %.0f s; waiting on:\n%s", seconds, waiting_on())
    logging.shutdown()
    os._exit(1)


async def handle(settings: Settings, grace: float = STOP_GRACE_SECONDS) -> None:
    """Start the services and one consumer; a signal lets the batch in hand finish first."""
    services = Services(settings)
    await services.start()
    consumer = services.start_handler()
    loop = asyncio.get_running_loop()
    watchdog: list[asyncio.Task[None]] = []

    def on_signal() -> None:
        consumer.stop()
        if not watchdog:
            log.info("handler stopping", extra={"consumer": consumer.name})
            watchdog.append(asyncio.create_task(_watchdog(grace)))

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal)
    tune_gc()
    log.info("handler started", extra={"consumer": consumer.name})
    try:
        await asyncio.gather(*(task for _, task in services.consumers))
    finally:
        await services.stop()
        for task in watchdog:
            task.cancel()
        log.info("handler stopped", extra={"consumer": consumer.name})


def run(settings: Settings) -> int:
    """Run one handler until interrupted; returns the exit status."""
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        runner.run(handle(settings))
    return 0
