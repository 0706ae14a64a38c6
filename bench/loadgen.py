"""The load generator every benchmark shares: asyncio + aiohttp on uvloop, on loopback.

Closed loop (a fixed number of connections, each sending the next request when the last one
answered, as `wrk` does) for throughput; open loop (requests fired on a fixed schedule
whatever the answers, as LINE's platform does) for latency at a given rate.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field

import aiohttp

from bench.common import SECRET
from emulator import sign


@dataclass
class Run:
    """What one run measured; latencies in seconds."""

    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)  # from the moment the request was sent
    from_schedule: list[float] = field(default_factory=list)  # from its scheduled moment
    statuses: dict[int, int] = field(default_factory=dict)
    fired: float = 0.0  # open loop: seconds from the first request fired to the last

    def count(self, status: int) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1


Request = tuple[bytes, dict[str, str]]


def user_ids(n: int) -> list[str]:
    """Fresh LINE-shaped user ids."""
    return ["U" + uuid.uuid4().hex for _ in range(n)]


def follow_then_text(users: list[str], text: str = "こんにちは") -> list[dict[str, str]]:
    """Every user follows, then every user says something: the same mix for every bot."""
    return [{"user_id": u, "event": "follow"} for u in users] + [
        {"user_id": u, "text": text} for u in users]


async def prepare(emulator_url: str, events: list[dict[str, str]]) -> list[Request]:
    """Bodies built by the emulator (its reply tokens), signed here once before timing."""
    out: list[Request] = []
    async with aiohttp.ClientSession() as http:
        for start in range(0, len(events), 2000):
            async with http.post(f"{emulator_url}/bench/prepare",
                                 json={"events": events[start:start + 2000]}) as response:
                response.raise_for_status()
                bodies = (await response.json())["bodies"]
            for body in bodies:
                raw = body.encode()
                out.append((raw, {"Content-Type": "application/json",
                                  "X-Line-Signature": sign(SECRET, raw)}))
    return out


async def replies(emulator_url: str) -> int:
    """Replies the emulator accepted so far."""
    async with aiohttp.ClientSession() as http, http.get(f"{emulator_url}/bench/stats") as r:
        return int((await r.json())["replies_ok"])


async def wait_for_replies(emulator_url: str, expected: int, *, since: float,
                           timeout: float = 120.0) -> tuple[float, int]:
    """Poll until `expected` replies were accepted; seconds since `since`, and the count."""
    deadline = time.perf_counter() + timeout
    last, last_change = -1, time.perf_counter()
    while True:
        done = await replies(emulator_url)
        now = time.perf_counter()
        if done >= expected or now > deadline or now - last_change > 15:
            return now - since, done
        if done != last:
            last, last_change = done, now
        await asyncio.sleep(0.005)


def _session(limit: int) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=limit, force_close=False)
    return aiohttp.ClientSession(connector=connector,
                                 timeout=aiohttp.ClientTimeout(total=30))


async def closed_loop(url: str, requests: list[Request], concurrency: int = 32) -> Run:
    """Send every request over `concurrency` connections, each waiting for its answer."""
    run = Run()
    queue = iter(requests)

    async def worker(http: aiohttp.ClientSession) -> None:
        for body, headers in queue:
            sent = time.perf_counter()
            try:
                async with http.post(url, data=body, headers=headers) as response:
                    await response.read()
                    run.count(response.status)
            except (aiohttp.ClientError, TimeoutError):
                run.count(0)
            run.latencies.append(time.perf_counter() - sent)

    async with _session(concurrency) as http:
        start = time.perf_counter()
        await asyncio.gather(*(worker(http) for _ in range(concurrency)))
        run.elapsed = time.perf_counter() - start
    return run


async def open_loop(url: str, requests: list[Request], rate: float) -> Run:
    """Fire request i at start + i/rate, whatever the others did (no coordinated omission)."""
    run = Run()

    async def fire(http: aiohttp.ClientSession, body: bytes, headers: dict[str, str],
                   scheduled: float) -> None:
        sent = time.perf_counter()
        try:
            async with http.post(url, data=body, headers=headers) as response:
                await response.read()
                run.count(response.status)
        except (aiohttp.ClientError, TimeoutError):
            run.count(0)
        done = time.perf_counter()
        run.latencies.append(done - sent)
        run.from_schedule.append(done - scheduled)

    async with _session(2000) as http:
        tasks = []
        start = time.perf_counter()
        for i, (body, headers) in enumerate(requests):
            scheduled = start + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(fire(http, body, headers, scheduled)))
        run.fired = time.perf_counter() - start
        await asyncio.gather(*tasks)
        run.elapsed = time.perf_counter() - start
    return run


async def warm_up(url: str, emulator_url: str, n: int = 400) -> None:
    """A short run first, so connection pools and caches are warm before timing."""
    requests = await prepare(emulator_url, follow_then_text(user_ids(n // 2)))
    await closed_loop(url, requests, concurrency=16)
