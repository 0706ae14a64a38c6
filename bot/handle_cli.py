"""`python main.py handle`: a handler process reading the event stream until SIGINT / SIGTERM.

Run as many as the load needs, on any machine that reaches PostgreSQL, Redis and LINE; they
share the stream's partitions among themselves (bot/consumer.py).
"""

from __future__ import annotations

import asyncio
import logging
import signal

from config import Settings
from main import tune_gc
from services import Services
from worker.cli import loop_factory

log = logging.getLogger(__name__)


async def handle(settings: Settings) -> None:
    """Start the services and one consumer; a signal lets the batch in hand finish first."""
    services = Services(settings)
    await services.start()
    consumer = services.start_handler()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, consumer.stop)
    tune_gc()
    log.info("handler started", extra={"consumer": consumer.name})
    try:
        await asyncio.gather(*(task for _, task in services.consumers))
    finally:
        await services.stop()
        log.info("handler stopped", extra={"consumer": consumer.name})


def run(settings: Settings) -> int:
    """Run one handler until interrupted; returns the exit status."""
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        runner.run(handle(settings))
    return 0
