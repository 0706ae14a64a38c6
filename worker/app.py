"""The SAQ worker definition: tasks, cron schedule (JST) and the hooks that own `Services`.

`saq worker.app.saq_settings` works too (SAQ calls a settings callable); `python main.py
worker` and the demo use `run_worker`, which also runs inside an event loop that is already
serving the web app.
"""

from __future__ import annotations

import logging
from typing import Any

from saq import CronJob, Queue, Worker
from saq.types import SettingsDict

from booking import JST
from clock import Clock
from config import Settings, get_settings
from services import Services
from storage.keys import RedisKeys
from worker.jobs import Context, tasks

CONCURRENCY = 8  # tasks at once; each delivery run sends many pushes concurrently itself


def make_queue(settings: Settings) -> Queue:
    """The job queue in Redis, named under the deployment's key prefix."""
    return Queue.from_url(settings.redis_url, name=RedisKeys(settings.redis_prefix).jobs())


def cron_jobs(every: str | None = None, *, settings: Settings | None = None) -> list[CronJob]:
    """Every task on its schedule; SAQ's unique cron key keeps one pending run per task.

    `every` puts all of them on that one schedule instead (tests: SAQ times cron ticks by the
    wall clock, and the daily purge would otherwise wait for 03:30). `settings` gives the
    outbox run its configured time limit.
    """
    return [CronJob(t.function, cron=every or t.cron, timeout=t.timeout, retries=t.retries)
            for t in tasks(settings)]


def saq_settings(settings: Settings | None = None, *, services: Services | None = None,
                 clock: Clock | None = None, queue: Queue | None = None) -> SettingsDict:
    """The worker as SAQ settings; given `services` (already started), it is reused as is."""
    settings = services.settings if services else (settings or get_settings())

    async def startup(ctx: Context) -> None:
        if services is not None:
            ctx["services"] = services
            return
        own = Services(settings, clock)
        await own.start()
        ctx["services"], ctx["owned"] = own, True

    async def shutdown(ctx: Context) -> None:
        if ctx.get("owned"):
            await ctx["services"].stop()

    return {
        "queue": queue or make_queue(settings),
        "functions": [t.function for t in tasks()],
        "cron_jobs": cron_jobs(settings=settings),
        "cron_tz": JST,
        "concurrency": CONCURRENCY,
        # Also SAQ's sweep lock: one sweep per period across every worker of the queue.
        "timers": {"sweep": settings.worker_sweep_seconds},
        "startup": startup,
        "shutdown": shutdown,
    }


def build_worker(settings: Settings | None = None, *, services: Services | None = None,
                 clock: Clock | None = None, queue: Queue | None = None,
                 handle_signals: bool = True, **overrides: Any) -> Worker:
    """A SAQ Worker; without signal handling when it runs inside someone else's loop."""
    worker = Worker(**{**saq_settings(settings, services=services, clock=clock, queue=queue),
                       **overrides})
    if not handle_signals:
        worker.SIGNALS = []  # the host (uvicorn in the demo) owns SIGINT / SIGTERM
    return worker


async def run_worker(target: Services | Settings, *, clock: Clock | None = None,
                     queue: Queue | None = None, handle_signals: bool = False) -> None:
    """Run the worker in the current event loop until it is cancelled (or signalled).

    Given started `Services` (the demo's), it shares them; given `Settings`, it builds its own.
    """
    # SAQ logs every enqueue and run at INFO: with a two-second outbox tick that is noise.
    logging.getLogger("saq").setLevel(logging.WARNING)
    if isinstance(target, Services):
        worker = build_worker(services=target, queue=queue, handle_signals=handle_signals)
    else:
        worker = build_worker(target, clock=clock, queue=queue, handle_signals=handle_signals)
    await worker.queue.connect()
    try:
        await worker.start()  # returns after a clean stop; cancellation ends it the same way
    finally:
        await worker.queue.disconnect()
