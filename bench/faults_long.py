"""The long version of tests/faults: many users agree to the terms while everything breaks.

The real app (PostgreSQL, Redis with its append-only file, the emulator) serves users who
follow, tap 同意する and check 利用規約, as real users would: on "もう一度お試しください", an
expired button or no answer at all, they try again (at most five times). Meanwhile Redis is
restarted (SIGTERM, and once SIGKILL), PostgreSQL ends all the app's connections, and the
LINE API answers some replies with 500 or 429. At the end every user must have exactly one
consent row, and no webhook may have been answered with a 5xx.

    uv run python -m bench.faults_long [--users 1500] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from collections import Counter
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

import asyncpg
import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from bench.common import Backing, Served, app_env, machine
from devservices import PostgresServer, RedisServer
from logs import hash_line_user
from storage.models import Consent, LineUser

AGREED, ALREADY, RETRY, EXPIRED = (
    "同意を記録しました", "同意いただいています", "もう一度お試しください", "有効期限"
)


def shown(messages: list[dict[str, Any]]) -> str:
    return " ".join(str(m.get("text") or m.get("altText") or "") for m in messages)


def agree_button(messages: list[dict[str, Any]]) -> str | None:
    """The data of the freshest 同意する postback button."""
    found = None

    def walk(node: Any) -> None:
        nonlocal found
        if isinstance(node, dict):
            action = node.get("action")
            if isinstance(action, dict) and action.get("label") == "同意する" \
                    and action.get("type") == "postback":
                found = action["data"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
    walk(messages)
    return found


async def journey(http: httpx.AsyncClient, user: str, seen: Counter[str]) -> None:
    """Follow, agree (trying again like a person would), then look at the terms."""
    async def send(**event: Any) -> list[dict[str, Any]]:
        answer = await http.post("/emulator/api/send", json={"user_id": user, **event})
        seen[f"webhook {answer.json().get('webhook_status', answer.status_code)}"] += 1
        return answer.json().get("messages", [])

    messages = await send(event="follow")
    button = agree_button(messages)
    for _ in range(6):
        messages = await send(postback=button) if button else await send(text="利用規約")
        text = shown(messages)
        for kind in (AGREED, ALREADY, RETRY, EXPIRED):
            seen[kind] += kind in text
        if AGREED in text or ALREADY in text:
            break
        if not text:
            seen["no answer (reply failed)"] += 1
        fresh = agree_button(messages)  # an expired button comes with the current step's
        button = fresh or (None if EXPIRED in text else button)
        if RETRY in text or not text:
            await asyncio.sleep(0.2)  # a person waits a moment, then taps again
    for _ in range(3):  # at the end the terms show as agreed (after a retry, if a fault hit)
        if ALREADY in shown(await send(text="利用規約")):
            break
        await asyncio.sleep(0.2)
    else:
        seen["terms not shown as agreed at the end"] += 1


async def chaos(app: Served, redis: RedisServer, pg: PostgresServer, db: str,
                until: float, done: asyncio.Event, faults: Counter[str]) -> None:
    """Break something every second or so until the users are done."""
    rng = random.Random(7)
    async with httpx.AsyncClient(base_url=app.url, timeout=10) as http:
        while not done.is_set() and time.monotonic() < until:
            await asyncio.sleep(rng.uniform(0.5, 1.5))
            kind = rng.choice(["redis", "postgres", "reply 500", "reply 429"])
            if kind == "redis":
                kill = faults["redis"] >= 2 and not faults["redis SIGKILL"]
                await asyncio.to_thread(redis.restart, kill)
                faults["redis SIGKILL" if kill else "redis"] += 1
            elif kind == "postgres":
                conn = await asyncpg.connect(host=pg.host, port=pg.port, user=pg.user,
                                             database="postgres")
                await conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                   f"WHERE datname = '{db}' AND pid <> pg_backend_pid()")
                await conn.close()
                faults["postgres"] += 1
            else:
                status = int(kind.split()[1])
                await http.post("/emulator/api/faults",
                                json={"status": status, "count": 3, "kinds": ["reply"]})
                faults[kind] += 3


async def consent_counts(dsn: str, users: list[str]) -> Counter[int]:
    """How many consent rows each user has, as a histogram."""
    engine = create_async_engine(dsn)
    async with engine.connect() as conn:
        rows = dict((await conn.execute(
            select(LineUser.line_user_hash, func.count(Consent.id))
            .join(Consent, Consent.user_id == LineUser.id, isouter=True)
            .group_by(LineUser.line_user_hash))).all())
    await engine.dispose()
    return Counter(rows.get(hash_line_user(u), 0) for u in users)


async def run(app: Served, redis: RedisServer, pg: PostgresServer, db: str, dsn: str,
              n: int, seconds: float) -> tuple[Counter[str], Counter[str], Counter[int], float]:
    seen: Counter[str] = Counter()
    faults: Counter[str] = Counter()
    users = ["U" + random.Random(i).randbytes(16).hex() for i in range(n)]
    gate = asyncio.Semaphore(16)
    done = asyncio.Event()
    start = time.monotonic()

    async def one(http: httpx.AsyncClient, user: str) -> None:
        async with gate:
            await journey(http, user, seen)

    breaker = asyncio.create_task(chaos(app, redis, pg, db, start + seconds, done, faults))
    async with httpx.AsyncClient(base_url=app.url, timeout=30) as http:
        await asyncio.gather(*(one(http, u) for u in users))
    done.set()
    await breaker
    return seen, faults, await consent_counts(dsn, users), time.monotonic() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1500)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    print(machine())
    folder = Path(mkdtemp(prefix="madoguchi-faults-"))
    with RedisServer(data_dir=folder / "redis", appendonly=True) as redis, \
            PostgresServer() as pg:
        db = "faults_long"
        pg.create_database_sync(db)
        port = Served("main:create_app").port
        env = app_env(port=port, backing=Backing(redis, pg, pg.dsn_for(db)), line_host="",
                      EMULATOR="true")
        with Served("main:create_app", env=env, port=port) as app:
            seen, faults, counts, took = asyncio.run(
                run(app, redis, pg, db, pg.dsn_for(db), args.users, args.seconds))
    print(f"{args.users} users in {took:.0f} s; faults injected: {dict(faults)}")
    print(f"what users saw: {dict(seen)}")
    print(f"consent rows per user: {dict(sorted(counts.items()))}")
    fives = sum(v for k, v in seen.items() if k.startswith("webhook 5"))
    ok = counts == Counter({1: args.users}) and fives == 0 \
        and not seen["terms not shown as agreed at the end"]
    print(f"every user agreed exactly once, no webhook 5xx, through every fault: "
          f"{'met' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
