"""The worker's units of work: one transaction per sweep, then the pushes it queued go out."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from services import Services
from storage import sweeps
from storage.db import transaction

log = logging.getLogger(__name__)
Sweep = Callable[..., Awaitable[list[uuid.UUID]]]
CHUNK = 200


@dataclass(frozen=True)
class DeadlineResult:
    """What one deadline sweep did: staff alerted about some requests, others expired."""

    alerted: list[uuid.UUID]
    expired: list[uuid.UUID]


def console_url(services: Services) -> str:
    """Where staff alerts point: the staff console of this deployment."""
    return services.settings.public_base_url.rstrip("/") + "/staff/"


async def run_sweep(services: Services, sweep: Sweep, *, office_id: uuid.UUID | None = None,
                    **options: Any) -> list[uuid.UUID]:
    """Run one sweep at the injected clock's now in one transaction, then deliver its pushes."""
    now = services.clock.now()
    written: list[uuid.UUID] = []
    async with services.uow.begin(written) as work:
        ids = await sweep(session=work.session, office_id=office_id or services.office_id,
                          now=now, **options)
    if ids:
        log.info("%s: %d rows changed, %d pushes queued", sweep.__name__, len(ids), len(written))
    # Rows a failed send leaves pending are retried by the outbox job, not here.
    for start in range(0, len(written), CHUNK):
        await services.sender.deliver(written[start:start + CHUNK])
    return ids


async def send_reminders(services: Services, office_id: uuid.UUID | None = None) -> list[uuid.UUID]:
    """Day-before (at the configured hour) and 30-minute reminders that are due now."""
    return await run_sweep(services, sweeps.send_reminders, office_id=office_id,
                           day_before_hour=services.settings.reminder_day_before_hour)


async def sweep_no_shows(services: Services, office_id: uuid.UUID | None = None) -> list[uuid.UUID]:
    """Sessions 10 minutes past their start without a check-in become no-shows."""
    return await run_sweep(services, sweeps.sweep_no_shows, office_id=office_id,
                           console_url=console_url(services))


async def sweep_deadlines(services: Services, office_id: uuid.UUID | None = None) -> DeadlineResult:
    """Alert staff at the cut-off, then expire what is still unconfirmed at closing time."""
    alerted = await run_sweep(services, sweeps.alert_unconfirmed, office_id=office_id,
                              console_url=console_url(services))
    expired = await run_sweep(services, sweeps.expire_unconfirmed, office_id=office_id)
    return DeadlineResult(alerted=alerted, expired=expired)


async def purge_retention(services: Services,
                          office_id: uuid.UUID | None = None) -> list[uuid.UUID]:
    """Anonymise users whose last booking is older than the retention period (art. 6, 7), and
    delete form links that expired more than a day ago."""
    await purge_form_links(services, office_id)
    keep = timedelta(days=services.settings.retention_days)
    return await run_sweep(services, sweeps.purge_expired_personal_data, office_id=office_id,
                           keep=keep)


async def purge_form_links(services: Services, office_id: uuid.UUID | None = None) -> int:
    """Delete form links that expired more than a day ago; returns how many."""
    async with transaction(services.sessions) as session:
        gone = await sweeps.purge_expired_form_links(
            session=session, office_id=office_id or services.office_id, now=services.clock.now())
    if gone:
        log.info("purge_form_links: %d expired form links deleted", gone)
    return gone
