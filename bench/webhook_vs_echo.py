"""DESIGN.md §10: the full webhook path against a bare line-bot-sdk echo bot, side by side.

Both get the same signed follow and text events (one reply each) from the same load
generator, run under the same `uvicorn --workers 1`, and reply to the same emulator process.
Our app answers 200 before handling an event, so requests/s alone flatters it: the figure that
counts is completed events/s, i.e. replies the emulator accepted per second until the last one.

The full app runs as production does (`--handlers 1`): the web process only acknowledges, one
`python main.py handle` process handles; its CPU is the two processes' together.
`--handlers 0` runs the demo's shape instead (the web process handles events itself).

    uv run python -m bench.webhook_vs_echo [--users 3000] [--concurrency 32] [--rounds 2]
                                           [--handlers 1]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import uvloop

from bench.common import (
    SECRET,
    TOKEN,
    Served,
    app_env,
    backing_services,
    cpu_seconds,
    emulator_process,
    machine,
    percentile,
)
from bench.handlers import HandlerProcess
from bench.loadgen import (
    closed_loop,
    follow_then_text,
    prepare,
    replies,
    user_ids,
    wait_for_replies,
    warm_up,
)


async def measure(bot: Served, emulator_url: str, users: int, concurrency: int,
                  also: tuple[int, ...] = ()) -> dict[str, Any]:
    """Warm up, then send 2 × users events; requests/s, completed events/s, ack latency; the
    CPU of the bot's process and of the processes `also` (its handlers)."""
    url = bot.url + "/line/webhook"
    before = await replies(emulator_url)
    await warm_up(url, emulator_url)
    await wait_for_replies(emulator_url, before + 400, since=time.perf_counter())
    requests = await prepare(emulator_url, follow_then_text(user_ids(users)))
    base = await replies(emulator_url)
    pids = (bot.pid, *also)
    cpu_before = sum(cpu_seconds(pid) for pid in pids)
    start = time.perf_counter()
    run = await closed_loop(url, requests, concurrency)
    elapsed, done = await wait_for_replies(emulator_url, base + len(requests), since=start)
    completed = done - base
    cpu = sum(cpu_seconds(pid) for pid in pids) - cpu_before
    return {
        "sent": len(requests), "ok": run.statuses.get(200, 0), "completed": completed,
        "requests_per_s": len(requests) / run.elapsed, "events_per_s": completed / elapsed,
        "ack_p50_ms": percentile(run.latencies, 50) * 1000,
        "ack_p99_ms": percentile(run.latencies, 99) * 1000,
        "cpu_ms_per_event": cpu / max(completed, 1) * 1000,
    }


def run_echo(emulator_url: str, users: int, concurrency: int) -> dict[str, Any]:
    env = {"BENCH_CHANNEL_SECRET": SECRET, "BENCH_ACCESS_TOKEN": TOKEN,
           "BENCH_LINE_HOST": emulator_url + "/emulator/line"}
    with Served("bench.echo_bot:create_app", env=env) as echo:
        return uvloop.run(measure(echo, emulator_url, users, concurrency))


def run_full(emulator_url: str, users: int, concurrency: int, backing: Any,
             handlers: int) -> dict[str, Any]:
    port = Served("main:create_app").port
    shape = {"HANDLERS_IN_PROCESS": "false"} if handlers else {}
    env = app_env(port=port, backing=backing, line_host=emulator_url + "/emulator/line",
                  **shape)
    with Served("main:create_app", env=env, port=port) as app:
        started = [HandlerProcess(env, f"echo-vs-{i}").start() for i in range(handlers)]
        try:
            return uvloop.run(measure(app, emulator_url, users, concurrency,
                                      tuple(h.pid for h in started)))
        finally:
            for handler in started:
                handler.stop()


def show(name: str, r: dict[str, Any]) -> None:
    print(f"{name:>6}: {r['requests_per_s']:7.0f} requests/s  {r['events_per_s']:7.0f} events/s  "
          f"completed {r['completed']}/{r['sent']} (200: {r['ok']})  "
          f"bot CPU {r['cpu_ms_per_event']:.2f} ms/event  "
          f"ack p50 {r['ack_p50_ms']:.1f} ms p99 {r['ack_p99_ms']:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=3000, help="users (2 events each)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2, help="alternate rounds; best kept")
    parser.add_argument("--handlers", type=int, default=1,
                        help="`handle` processes beside the web process (0: it handles itself)")
    args = parser.parse_args()
    print(machine())
    best: dict[str, dict[str, Any]] = {}
    with backing_services() as backing, emulator_process() as emulator:
        for round_no in range(1, args.rounds + 1):
            for name, runner in (("echo", lambda: run_echo(emulator.url, args.users,
                                                           args.concurrency)),
                                 ("full", lambda: run_full(emulator.url, args.users,
                                                           args.concurrency, backing,
                                                           args.handlers))):
                result = runner()
                show(f"{name}#{round_no}", result)
                if name not in best or result["events_per_s"] > best[name]["events_per_s"]:
                    best[name] = result
    echo, full = best["echo"], best["full"]
    print(f"requests/s ratio full/echo: {full['requests_per_s'] / echo['requests_per_s']:.2f}")
    print(f"completed events/s ratio full/echo (target >= 0.50): "
          f"{full['events_per_s'] / echo['events_per_s']:.3f}")


if __name__ == "__main__":
    main()
