"""DESIGN.md §10: how fast the webhook answers 200 at 100, 300 and 1,000 events/s (open loop).

The full app (PostgreSQL, Redis, replies to the emulator process) gets signed follow/text
events fired on a fixed schedule, whatever the previous answers did, as LINE delivers them.
Latency is counted from each request's scheduled moment (so a late generator or a stalled
server cannot hide queueing) and also from the moment it was sent. After each rate the
backlog of handling is drained and every event must have been answered.

    uv run python -m bench.ack_latency [--seconds 10] [--rates 100,300,1000]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import uvloop

from bench.common import (
    SECRET,
    Served,
    app_env,
    backing_services,
    emulator_process,
    machine,
    percentile,
)
from bench.loadgen import (
    follow_then_text,
    open_loop,
    prepare,
    replies,
    user_ids,
    wait_for_replies,
    warm_up,
)

TARGET_P99_MS = 50.0


async def at_rate(app: Served, emulator_url: str, rate: int, seconds: float,
                  replying: bool = True) -> dict[str, Any]:
    """Fire rate × seconds events open loop; latencies, then wait until all were answered."""
    url = app.url + "/line/webhook"
    count = int(rate * seconds)
    requests = await prepare(emulator_url, follow_then_text(user_ids(count // 2)))
    base = await replies(emulator_url)
    start = time.perf_counter()
    run = await open_loop(url, requests, rate)
    drained, done = 0.0, base
    if replying:
        drained, done = await wait_for_replies(emulator_url, base + len(requests), since=start,
                                               timeout=600)
    ms = [x * 1000 for x in run.from_schedule]
    sent_ms = [x * 1000 for x in run.latencies]
    return {
        "rate": rate, "sent": len(requests), "ok": run.statuses.get(200, 0),
        "achieved": (len(requests) - 1) / max(run.fired, 1e-9), "completed": done - base, "drained_s": drained,
        "p50": percentile(ms, 50), "p95": percentile(ms, 95), "p99": percentile(ms, 99),
        "max": max(ms, default=0.0), "sent_p99": percentile(sent_ms, 99),
    }


async def measure(app: Served, emulator_url: str, rates: list[int], seconds: float,
                  replying: bool = True) -> list[dict[str, Any]]:
    url = app.url + "/line/webhook"
    before = await replies(emulator_url)
    await warm_up(url, emulator_url)
    if replying:
        await wait_for_replies(emulator_url, before + 400, since=time.perf_counter())
    return [await at_rate(app, emulator_url, rate, seconds, replying) for rate in rates]


def show(name: str, r: dict[str, Any]) -> None:
    answered = (f"  answered {r['completed']}/{r['sent']} after {r['drained_s']:.1f} s"
                if r["drained_s"] else "")
    print(f"{name} {r['rate']:>5}/s: achieved {r['achieved']:5.0f}/s  200: {r['ok']}/{r['sent']}  "
          f"ack p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms  p99 {r['p99']:6.1f} ms  "
          f"max {r['max']:6.1f} ms (p99 from send {r['sent_p99']:.1f} ms){answered}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rates", default="100,300,1000")
    args = parser.parse_args()
    rates = [int(r) for r in args.rates.split(",")]
    print(machine())
    with backing_services() as backing, emulator_process() as emulator:
        bare_env = {"BENCH_CHANNEL_SECRET": SECRET}
        with Served("bench.echo_bot:create_ack_only_app", env=bare_env) as bare:
            for r in uvloop.run(measure(bare, emulator.url, rates, args.seconds, replying=False)):
                show("bare", r)
        port = Served("main:create_app").port
        env = app_env(port=port, backing=backing, line_host=emulator.url + "/emulator/line")
        with Served("main:create_app", env=env, port=port) as app:
            results = uvloop.run(measure(app, emulator.url, rates, args.seconds))
    for r in results:
        show("full", r)
    last = results[-1]
    verdict = "met" if last["p99"] < TARGET_P99_MS and last["ok"] == last["sent"] else "MISSED"
    print(f"ack p99 at {last['rate']} events/s: {last['p99']:.1f} ms "
          f"(target < {TARGET_P99_MS:.0f} ms: {verdict})")


if __name__ == "__main__":
    main()
