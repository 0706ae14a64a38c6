"""DESIGN.md §10: 1,000 concurrent requests for one slot give exactly one booking.

Runs the booking commit the chat uses (`RequestsService.request_booking`: checks, Redis hold,
insert under the partial unique index, staff alert, in one transaction) for 1,000 consented
users with a profile, all at once, on PostgreSQL. Exactly one must win; every other one must
come back "taken" with the nearest free slots (which must not include the lost one).

Round 1 runs them as the app does: all 1,000 in flight at once, handled through the
handler's concurrency limit (`bot.consumer.MAX_CONCURRENT`), Redis holds on. Round 2
switches the holds off and lets all 1,000 transactions race at once, so only the unique
index stands between them (some may wait longer than the pool's 30 s for a connection:
those are reported as errors, not bookings).

    uv run python -m bench.same_slot [--users 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from collections import Counter
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bench.common import backing_services, machine, percentile
from bot.consumer import MAX_CONCURRENT
from config import Settings
from devservices import free_port
from dialogs.flows.labels import CONSULTATION, JOBSEEKER
from dialogs.ports import Draft
from logs import hash_line_user
from services import Services
from storage.db import transaction
from storage.models import ACTIVE_STATUSES, Booking, LineUser
from storage.seed import ensure_office

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=JST)  # a Tuesday morning
SLOTS = [datetime(2026, 12, 3, 10, 0, tzinfo=JST), datetime(2026, 12, 3, 14, 0, tzinfo=JST)]
TERMS = "2024-10-01"


async def add_users(services: Services, n: int) -> list[str]:
    """Consented users with a (fictitious) profile, ready to book."""
    ids = ["U" + uuid.uuid4().hex for _ in range(n)]
    async with transaction(services.sessions) as session:
        session.add_all(LineUser(
            office_id=services.office_id, line_user_id=line_id,
            line_user_hash=hash_line_user(line_id), role=JOBSEEKER, name=f"ベンチ{i}",
            phone="+81173000000", consent_version=TERMS, consented_at=NOW)
            for i, line_id in enumerate(ids))
    return ids


async def active_rows(services: Services, slot: datetime) -> int:
    async with services.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Booking).where(
            Booking.starts_at == slot, Booking.status.in_([str(s) for s in ACTIVE_STATUSES]))))


async def attempt(services: Services, user: str, slot: datetime,
                  gate: asyncio.Semaphore | None) -> tuple[Any, float]:
    start = time.perf_counter()
    draft = Draft(purpose=CONSULTATION, starts_at=slot)
    if gate is None:
        outcome = await services.requests.request_booking(user, draft, NOW)
    else:
        async with gate:
            outcome = await services.requests.request_booking(user, draft, NOW)
    return outcome, time.perf_counter() - start


async def round_(services: Services, n: int, slot: datetime,
                 gate: asyncio.Semaphore | None) -> dict[str, Any]:
    """n users at once for `slot`: outcomes, alternatives offered, rows in the database."""
    users = await add_users(services, n)
    start = time.perf_counter()
    results = await asyncio.gather(*(attempt(services, u, slot, gate) for u in users),
                                   return_exceptions=True)
    elapsed = time.perf_counter() - start
    errors = [r for r in results if isinstance(r, BaseException)]
    done = [r for r in results if not isinstance(r, BaseException)]
    outcomes = [o for o, _ in done]
    reasons = Counter("ok" if o.ok else o.reason for o in outcomes)
    losers = [o for o in outcomes if not o.ok]
    offered = sum(1 for o in losers if o.alternatives and slot not in o.alternatives)
    return {"elapsed": elapsed, "reasons": reasons, "errors": len(errors),
            "error_kinds": Counter(type(e).__name__ for e in errors),
            "offered": offered, "losers": len(losers), "rows": await active_rows(services, slot),
            "p50": percentile([t for _, t in done], 50),
            "p99": percentile([t for _, t in done], 99)}


async def run(database_url: str, redis_url: str, n: int) -> list[dict[str, Any]]:
    settings = Settings(_env_file=None, environment="test",  # type: ignore[call-arg]
                        database_url=database_url, redis_url=redis_url,
                        redis_prefix=f"b{uuid.uuid4().hex[:8]}",
                        public_base_url=f"http://127.0.0.1:{free_port()}",
                        secret_key="bench-secret-key", line_channel_secret="bench",
                        line_channel_access_token="bench", emulator=False, auto_migrate=True)
    services = Services(settings)
    await services.start()
    try:
        await ensure_office(services.sessions, settings)
        as_the_app = await round_(services, n, SLOTS[0], asyncio.Semaphore(MAX_CONCURRENT))
        services.availability.holds = services.requests.holds = None  # the unique index alone
        index_only = await round_(services, n, SLOTS[1], None)
    finally:
        await services.stop()
    return [as_the_app, index_only]


def show(name: str, r: dict[str, Any], n: int) -> bool:
    ok = (r["reasons"]["ok"] == 1 and r["rows"] == 1 and r["errors"] == 0
          and r["reasons"]["taken"] == n - 1 and r["offered"] == n - 1)
    print(f"{name}: {n} attempts in {r['elapsed']:.1f} s (each p50 {r['p50'] * 1000:.0f} ms, "
          f"p99 {r['p99'] * 1000:.0f} ms)  outcomes {dict(r['reasons'])}  errors {r['errors']} "
          f"{dict(r['error_kinds'])}  active rows for the slot {r['rows']}  "
          f"losers offered nearest free slots {r['offered']}/{r['losers']}  "
          f"{'OK' if ok else 'FAILED'}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    args = parser.parse_args()
    print(machine())
    with backing_services() as backing:
        results = asyncio.run(run(backing.database_url, backing.redis.url, args.users))
    verdicts = [show(name, r, args.users) for name, r in
                zip(("as the app runs them", "all at once, index only"), results, strict=True)]
    print(f"exactly one booking out of {args.users} concurrent requests, every other one "
          f"offered the nearest free slots: {'met' if all(verdicts) else 'MISSED'}")


if __name__ == "__main__":
    main()
