"""What `./dev demo` does once the app is up: seed, install the rich menu, start the worker."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

log = logging.getLogger(__name__)


async def prepare_demo(services: Any) -> list[asyncio.Task[Any]]:
    """Seed demo data, install the rich menu in the emulator, start the worker; print the URLs."""
    from bot.richmenu import install
    from storage.demo_seed import seed_demo_bookings, seed_demo_sites

    base = services.settings.public_base_url.rstrip("/")
    await seed_demo_bookings(services.sessions, services.office_id, services.clock.now())
    await seed_demo_sites(services.sessions, services.office_id, services.clock.now())
    await services.office_changed()  # the sites and closure are in every process's calendar
    login = await _demo_admin(services)
    await install(api_host=services.line_host, data_host=services.line_host,
                  token=services.settings.line_channel_access_token)
    tasks = [asyncio.create_task(_worker(services))]
    lines = [
        "",
        "  madoguchi demo is running (Ctrl-C stops everything it started)",
        f"  LINE chat (emulator):  {base}/emulator/",
        f"  Staff console:         {base}/staff/",
    ]
    if login:
        lines.append(f"  Staff login:           {login[0]} / {login[1]}")
        if not services.settings.admin_mfa_required:
            lines.append("  (two-factor sign-in for admins is off in the demo; production requires "
                         "it: /staff/mfa)")
    print("\n".join(lines) + "\n", flush=True)  # noqa: T201
    return tasks


async def _demo_admin(services: Any) -> tuple[str, str] | None:
    try:
        from storage.staff_accounts import ensure_demo_admin
    except ImportError:
        return None
    return await ensure_demo_admin(services.sessions, services.office_id)


async def _worker(services: Any) -> None:
    try:
        from worker.app import run_worker
    except ImportError:
        log.info("worker not available; outbox rows are delivered by the web process only")
        return
    await run_worker(services)
