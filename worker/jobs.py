"""SAQ tasks: plain `async def job(ctx, *, ...)` taking ids, each with its timeout, retries and key.

The logic lives in `worker.sweeps` (callable from tests with an injected clock); a task only
finds the `Services` in its context and says how SAQ should run it.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from saq import Queue
from saq.job import Job

from config import Settings
from services import Services
from worker import sweeps

Context = dict[str, Any]
DELIVER_BUDGET = 40.0  # seconds of sending per run at production's 60 s job timeout


def deliver_budget(settings: Settings) -> float:
    """Seconds of sending per run: two thirds of the run's time limit, so a run that reaches
    it still settles its last batch in time; the next run carries on."""
    return settings.outbox_job_timeout_seconds * 2 / 3


def services_of(ctx: Context) -> Services:
    """The Services the worker's start-up hook put in the context."""
    return ctx["services"]


def _office(office_id: str | None) -> uuid.UUID | None:
    return uuid.UUID(office_id) if office_id else None


async def deliver_outbox(ctx: Context) -> int:
    """Send every due outbox row, batch after batch; returns how many were sent."""
    services = services_of(ctx)
    return await services.sender.drain(budget=deliver_budget(services.settings))


async def send_reminders(ctx: Context, *, office_id: str | None = None) -> int:
    """Day-before and 30-minute reminders that are due now."""
    return len(await sweeps.send_reminders(services_of(ctx), _office(office_id)))


async def sweep_no_shows(ctx: Context, *, office_id: str | None = None) -> int:
    """Start + 10 minutes without a check-in: no-show, user told, staff alerted."""
    return len(await sweeps.sweep_no_shows(services_of(ctx), _office(office_id)))


async def sweep_deadlines(ctx: Context, *, office_id: str | None = None) -> dict[str, int]:
    """Cut-off alerts to staff, and expiry of requests unconfirmed at closing time."""
    result = await sweeps.sweep_deadlines(services_of(ctx), _office(office_id))
    return {"alerted": len(result.alerted), "expired": len(result.expired)}


async def purge_retention(ctx: Context, *, office_id: str | None = None) -> int:
    """Anonymise users past the retention period; their time slots stay."""
    return len(await sweeps.purge_retention(services_of(ctx), _office(office_id)))


@dataclass(frozen=True)
class Task:
    """How SAQ runs one task: when (cron, JST), how long it may take, how often it is retried."""

    function: Callable[..., Awaitable[Any]]
    cron: str
    timeout: int
    retries: int

    @property
    def name(self) -> str:
        return self.function.__qualname__

    def key(self, **kwargs: Any) -> str:
        """One pending run per task and office: a second enqueue is ignored while it waits."""
        return ":".join([self.name, *(f"{k}={v}" for k, v in sorted(kwargs.items()))])


# Cron fields are croniter's: a sixth field counts seconds. Every sweep is idempotent, so a run
# that fails is simply redone by the next tick; only the daily purge retries at once.
TASKS = (
    Task(deliver_outbox, cron="* * * * * */2", timeout=60, retries=1),
    Task(send_reminders, cron="* * * * *", timeout=120, retries=1),
    Task(sweep_no_shows, cron="* * * * *", timeout=120, retries=1),
    Task(sweep_deadlines, cron="* * * * *", timeout=120, retries=1),
    Task(purge_retention, cron="30 3 * * *", timeout=600, retries=3),
)


def tasks(settings: Settings | None = None) -> tuple[Task, ...]:
    """TASKS with the deployment's own outbox run time limit (Settings), when given."""
    if settings is None:
        return TASKS
    return tuple(dataclasses.replace(t, timeout=settings.outbox_job_timeout_seconds)
                 if t.function is deliver_outbox else t for t in TASKS)


async def enqueue(queue: Queue, task: Task, *, scheduled: int = 0, **kwargs: Any) -> Job | None:
    """Queue a run (now, or at epoch second `scheduled`) with the task's policy.

    Returns None when an identical run is already waiting: the key makes that enqueue harmless.
    """
    return await queue.enqueue(task.name, key=task.key(**kwargs), timeout=task.timeout,
                               retries=task.retries, scheduled=scheduled, **kwargs)
