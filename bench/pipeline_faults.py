"""DESIGN.md §10: SIGKILL the web process, and separately a handler process, in the middle of a
burst of 3,000 events from 1,000 users, restart them: every event handled exactly once as the
user sees it.

Each user follows, taps 同意する on the terms the bot showed, and asks for ヘルプ: three events
that must run in order. Events go through the emulator's driver API (signed as LINE signs
them); one whose webhook got no 2xx (the web process was dead, or answered 503) is
redelivered with the same webhookEventId until acknowledged, as LINE's redelivery does. A
third of the way in the web process is SIGKILLed and restarted; two thirds in, one of the two
handler processes is SIGKILLed and restarted. Then every event must have had exactly one
answer (a reply with its token, or the push that stands in for a stale one), and every user
exactly one consent row.

    uv run python -m bench.pipeline_faults [--users 1000] [--at-once 100]
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from collections import Counter
from typing import Any

import aiohttp
from sqlalchemy import text

from bench.common import Served, app_env, backing_services, emulator_process, machine
from bench.handlers import HandlerProcess
from bot.dispatcher import FALLBACK_NAMESPACE
from storage.db import make_engine

LEASE = "3"  # seconds: a killed handler's partitions move on after this
REPLY_WAIT = 120.0


class Burst:
    """The users' conversations and what was sent, with the faults fired part-way."""

    def __init__(self, emulator_url: str, users: int) -> None:
        self.emulator_url = emulator_url
        self.total = users * 3
        self.sent: list[str] = []  # webhook event ids acknowledged with a 2xx
        self.no_terms: list[str] = []  # what a follow was answered with when not the terms
        self.redelivered = 0
        self.milestones: dict[int, asyncio.Event] = {}

    def at(self, count: int) -> asyncio.Event:
        return self.milestones.setdefault(count, asyncio.Event())

    async def call(self, http: aiohttp.ClientSession, method: str, path: str,
                   **kwargs: Any) -> dict[str, Any]:
        """One driver API call, tried again when the (busy) emulator drops the connection."""
        for attempt in range(20):
            try:
                async with http.request(method, self.emulator_url + path, **kwargs) as response:
                    answer: dict[str, Any] = await response.json()
                    return answer
            except (aiohttp.ClientError, TimeoutError):
                if attempt == 19:
                    raise
                await asyncio.sleep(0.5)
        raise AssertionError("unreachable")

    async def deliver(self, http: aiohttp.ClientSession, user: str,
                      spec: dict[str, Any]) -> dict[str, Any]:
        """Send one event; redeliver it (same id) until the bot acknowledges it.

        (A driver call that lost its connection is not sent again as a new event: the
        emulator may have delivered it, so it goes again only as a redelivery.)
        """
        result = await self.call(http, "POST", "/emulator/api/send",
                                 json={"user_id": user, **spec})
        while not 200 <= result["webhook_status"] < 300:
            self.redelivered += 1
            await asyncio.sleep(0.5)
            again = await self.call(http, "POST", "/emulator/api/send",
                                    json={"user_id": user,
                                          "redeliver": result["webhook_event_id"]})
            result = {**again, "messages": again["messages"] or result["messages"]}
        self.sent.append(result["webhook_event_id"])
        for count, flag in self.milestones.items():
            if len(self.sent) >= count:
                flag.set()
        return result

    async def answer(self, http: aiohttp.ClientSession, user: str, since: int,
                     result: dict[str, Any]) -> list[dict[str, Any]]:
        """The messages the event got: at once, or later (its handler died meanwhile)."""
        if result["messages"]:
            return list(result["messages"])
        deadline = time.monotonic() + REPLY_WAIT
        while time.monotonic() < deadline:
            got = (await self.call(http, "GET", "/emulator/api/messages",
                                   params={"user_id": user, "since": since}))["messages"]
            if got:
                return list(got)
            await asyncio.sleep(0.5)
        return []

    async def user(self, http: aiohttp.ClientSession, user: str) -> None:
        terms = await self.answer(http, user, 0,
                                  await self.deliver(http, user, {"event": "follow"}))
        agree = _button(terms, "同意する")
        if agree is None:
            self.no_terms.append(" / ".join(str(m.get("text", m.get("altText", "")))[:60]
                                            for m in terms) or "(nothing)")
            await self.deliver(http, user, {"text": "ヘルプ"})  # counted as sent; its answer too
            return
        await self.answer(http, user, len(terms),
                          await self.deliver(http, user, {"postback": agree}))
        await self.deliver(http, user, {"text": "ヘルプ"})


def _button(messages: list[dict[str, Any]], label: str) -> str | None:
    for message in messages:
        for item in (message.get("quickReply") or {}).get("items", []):
            action = item.get("action", {})
            if action.get("label") == label and action.get("type") == "postback":
                return str(action["data"])
    return None


async def run(burst: Burst, users: list[str], at_once: int) -> None:
    gate = asyncio.Semaphore(at_once)
    timeout = aiohttp.ClientTimeout(total=600)
    async with aiohttp.ClientSession(timeout=timeout,
                                     connector=aiohttp.TCPConnector(limit=at_once + 20)) as http:
        async def one(user: str) -> None:
            async with gate:
                await burst.user(http, user)
        await asyncio.gather(*(one(u) for u in users))


async def count_consents(database_url: str) -> Counter[int]:
    """How many consent rows each user has: {rows per user: users}."""
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(text(
                "SELECT count(*) FROM consents GROUP BY user_id"))).all()
    finally:
        await engine.dispose()
    return Counter(int(row[0]) for row in rows)


async def answers_by_event(burst: Burst, event_ids: list[str]) -> Counter[str]:
    """Answers per event as the user saw them: replies by token, fallback pushes by retry key."""
    async with aiohttp.ClientSession() as http:
        log = (await burst.call(http, "GET", "/emulator/api/log"))["entries"]
        tokens = (await burst.call(http, "POST", "/bench/tokens", json=event_ids))["tokens"]
        token_of = {token: e for e, token in tokens.items()}
    push_of = {str(uuid.uuid5(FALLBACK_NAMESPACE, e)): e for e in event_ids}
    answered: Counter[str] = Counter(dict.fromkeys(event_ids, 0))
    for entry in log:
        if entry["kind"] == "reply" and entry["reply_token"] in token_of:
            answered[token_of[entry["reply_token"]]] += 1
        elif entry["kind"] == "push" and entry["retry_key"] in push_of:
            answered[push_of[entry["retry_key"]]] += 1
    return answered


async def settled(burst: Burst, quiet: float = 8.0, cap: float = 300.0) -> None:
    """Wait until the emulator's log stops growing (claimed events finished, pushes sent)."""
    deadline, last, since = time.monotonic() + cap, -1, time.monotonic()
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            stats = await burst.call(http, "GET", "/bench/stats")
            count = stats["replies_ok"] + stats["replies_failed"] + stats["pushes"]
            if count != last:
                last, since = count, time.monotonic()
            elif time.monotonic() - since > quiet:
                return
            await asyncio.sleep(0.5)


async def scenario(args: argparse.Namespace) -> None:
    print(machine())
    with backing_services(appendonly=True) as backing:
        port = Served("main:create_app").port
        webhook = f"http://127.0.0.1:{port}/line/webhook"
        with emulator_process(webhook_url=webhook) as emulator:
            env = app_env(port=port, backing=backing, line_host=emulator.url + "/emulator/line",
                          HANDLERS_IN_PROCESS="false", HANDLER_LEASE_SECONDS=LEASE)
            web = Served("main:create_app", env=env, port=port).start(timeout=300)
            handlers = [HandlerProcess(env, f"h{i}").start() for i in range(2)]
            # Pushes a killed handler queued but never sent are the outbox job's.
            worker = HandlerProcess(env, "worker", command="worker").start()
            burst = Burst(emulator.url, args.users)
            users = ["U" + uuid.uuid4().hex for _ in range(args.users)]
            faults: list[str] = []

            async def inject() -> None:
                await burst.at(burst.total // 3).wait()
                web.proc.kill()  # type: ignore[union-attr]
                faults.append("web SIGKILL")
                await asyncio.to_thread(web.start, 300)
                await burst.at(2 * burst.total // 3).wait()
                handlers[0].kill()
                faults.append("handler SIGKILL")
                await asyncio.to_thread(handlers[0].start)

            started = time.monotonic()
            try:
                await asyncio.gather(run(burst, users, args.at_once), inject())
                await settled(burst)
                elapsed = time.monotonic() - started
                answered = await answers_by_event(burst, burst.sent)
                consents = await count_consents(backing.database_url)
            finally:
                for proc in (*handlers, worker):
                    proc.stop()
                web.stop()
    lost = sum(1 for n in answered.values() if n == 0)
    doubled = sum(1 for n in answered.values() if n > 1)
    print(f"{args.users} users, {len(burst.sent)} events acknowledged in {elapsed:.1f} s; "
          f"faults: {', '.join(faults)}; redeliveries after a failed webhook: "
          f"{burst.redelivered}")
    print(f"answers per event: {dict(sorted(Counter(answered.values()).items()))}; "
          f"consent rows per user: {dict(sorted(consents.items()))} "
          f"(users with a consent: {sum(consents.values())}/{args.users})")
    if burst.no_terms:  # the user is answered, but not with the terms: they must tap again
        print(f"follows answered without the terms: {len(burst.no_terms)} "
              f"({Counter(burst.no_terms).most_common(3)})")
    print(f"lost {lost}, doubled {doubled}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--at-once", type=int, default=100)
    asyncio.run(scenario(parser.parse_args()))


if __name__ == "__main__":
    main()
