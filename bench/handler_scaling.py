"""Scaling: completed events/s with one handler process, then two, behind the same web process.

The web process only acknowledges (events go to the Redis stream); `python main.py handle`
processes share the stream's partitions. The same burst of signed follow + text events
(closed loop, 32 connections) runs against each set-up; "completed" is from the first event
sent to the last reply accepted by the emulator. CPU per event counts the web and handler
processes. Read the figures with the core count printed: on 2 cores, two handlers compete with
the web process, PostgreSQL, Redis, the emulator and the load generator for the same cores.

    uv run python -m bench.handler_scaling [--users 1500]
"""

from __future__ import annotations

import argparse
import asyncio
import time

import aiohttp
import uvloop

from bench.common import Served, app_env, backing_services, cpu_seconds, emulator_process, machine
from bench.handlers import HandlerProcess
from bench.loadgen import closed_loop, follow_then_text, prepare, user_ids, warm_up


async def answered(emulator_url: str) -> int:
    """Replies accepted plus pushes (an event whose token aged in the queue is pushed)."""
    async with aiohttp.ClientSession() as http, http.get(f"{emulator_url}/bench/stats") as r:
        stats = await r.json()
    return int(stats["replies_ok"]) + int(stats["pushes"])


async def wait_answered(emulator_url: str, expected: int, since: float,
                        stall: float = 60.0) -> tuple[float, int]:
    """Poll until `expected` answers (or none came for `stall` seconds)."""
    last, last_change = -1, time.perf_counter()
    while True:
        done = await answered(emulator_url)
        now = time.perf_counter()
        if done >= expected or now - last_change > stall:
            return now - since, done
        if done != last:
            last, last_change = done, now
        await asyncio.sleep(0.01)


async def burst(app: Served, emulator_url: str, users: int,
                handlers: list[HandlerProcess]) -> dict[str, float]:
    url = app.url + "/line/webhook"
    before = await answered(emulator_url)
    await warm_up(url, emulator_url)
    await wait_answered(emulator_url, before + 400, since=time.perf_counter())
    requests = await prepare(emulator_url, follow_then_text(user_ids(users)))
    base = await answered(emulator_url)
    pids = [app.pid, *(h.pid for h in handlers)]
    cpu0 = sum(cpu_seconds(pid) for pid in pids)
    start = time.perf_counter()
    await closed_loop(url, requests, concurrency=32)
    elapsed, done = await wait_answered(emulator_url, base + len(requests), since=start)
    cpu = sum(cpu_seconds(pid) for pid in pids) - cpu0
    completed = done - base
    return {"events": len(requests), "completed": completed, "seconds": elapsed,
            "rate": completed / elapsed, "cpu_ms": cpu * 1000 / max(completed, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1500)
    args = parser.parse_args()
    print(machine())
    results = {}
    with backing_services() as backing:
        emulator = emulator_process().start(timeout=300)  # a loaded machine starts slowly
        port = Served("main:create_app").port
        env = app_env(port=port, backing=backing, line_host=emulator.url + "/emulator/line",
                      HANDLERS_IN_PROCESS="false")
        app = Served("main:create_app", env=env, port=port)
        try:
            app.start(timeout=300)
            for count in (1, 2):
                handlers = [HandlerProcess(env, f"scale{count}-{i}").start()
                            for i in range(count)]
                try:
                    results[count] = uvloop.run(burst(app, emulator.url, args.users, handlers))
                finally:
                    for handler in handlers:
                        handler.stop()
        finally:
            app.stop()
            emulator.stop()
    for count, r in results.items():
        print(f"{count} handler(s): completed {r['completed']:.0f}/{r['events']:.0f} in "
              f"{r['seconds']:.1f} s: {r['rate']:.0f} events/s, web + handlers CPU "
              f"{r['cpu_ms']:.2f} ms/event")
    print(f"scaling 1 -> 2 handlers on {machine().split(' ', 1)[0]} cores: "
          f"{results[1]['rate']:.0f} -> {results[2]['rate']:.0f} events/s "
          f"(x{results[2]['rate'] / results[1]['rate']:.2f})")


if __name__ == "__main__":
    main()
