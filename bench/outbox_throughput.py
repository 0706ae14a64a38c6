"""Outbox throughput: pushes/s one worker delivers to the emulator (DESIGN.md §10: >= 500/s).

The emulator (alone, as `emulator_app` below) runs under uvicorn in its own process; the
worker is this process: the worker's Services and the same `drain()` the `deliver_outbox` task
runs, against a private PostgreSQL and Redis. Besides the wall-clock rate it prints the CPU
each side spent per push, which says which side limits the rate on a busy machine. The last
line printed is the figure: `pushes/s: N`.

    uv run python bench/outbox_throughput.py [--rows 5000] [--database postgresql|sqlite]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi import FastAPI

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import Settings  # noqa: E402
from devservices import PostgresServer, RedisServer, free_port  # noqa: E402
from dialogs.replies import Card, Choice, Text, dump_replies  # noqa: E402
from emulator import Emulator, build_router  # noqa: E402
from services import Services  # noqa: E402
from storage.db import make_engine, transaction  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.outbox import add_push  # noqa: E402
from worker.cli import loop_factory  # noqa: E402
from worker.jobs import DELIVER_BUDGET  # noqa: E402


def settings_for(database_url: str, redis_url: str, port: int) -> Settings:
    return Settings(
        _env_file=None, environment="test", database_url=database_url,  # type: ignore[call-arg]
        redis_url=redis_url, redis_prefix=f"b{uuid.uuid4().hex[:8]}",
        public_base_url=f"http://127.0.0.1:{port}", secret_key="bench-secret-key",
        line_channel_secret="bench-channel-secret", line_channel_access_token="bench-token",
        emulator=True, auto_migrate=False)


def emulator_app() -> FastAPI:
    """The fake LINE platform on its own (no app routes in front of it)."""
    app = FastAPI(docs_url=None, redoc_url=None)
    app.include_router(build_router(Emulator("bench-channel-secret", webhook_url="")),
                       prefix="/emulator")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def serve_emulator(port: int, log: Path) -> subprocess.Popen[bytes]:
    """The emulator under uvicorn (uvloop, httptools) in a subprocess."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-m", "uvicorn", "bench.outbox_throughput:emulator_app", "--factory",
            "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
            "--log-level", "warning"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(log.read_text()[-2000:])
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the emulator did not start")


def reminder_payload(i: int) -> list[dict]:
    """A push as big as a real reminder: a card with a button, and the rules text."""
    return dump_replies([
        Card(title="明日はご予約の日です",
             lines=[f"日時：12月3日(木) 10:00〜10:30（{i}）", "内容：職業相談"],
             buttons=[Choice(label="予約を取り消す", data=f"a=booking.cancel&v={uuid.uuid4()}")],
             alt="明日のご予約のお知らせ"),
        Text(text="ご利用にあたってのお願い\n・録画・録音はできません。\n・ブースにはご本人以外の方が入らないようにしてください。"),
    ])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    warm: int
    sent: int
    seconds: float
    worker_cpu: float
    emulator_cpu: float


async def measure(settings: Settings, rows: int, emulator_pid: int) -> Run:
    services = Services(settings)
    await services.start()
    try:
        async with transaction(services.sessions) as session:
            now = services.clock.now()
            for i in range(rows):
                add_push(session=session, office_id=services.office_id, to="U" + uuid.uuid4().hex,
                         kind="bench.reminder", payload=reminder_payload(i), now=now)
        warm = await services.sender.deliver(limit=50)  # open the connections first
        started, cpu, emulator_cpu = time.perf_counter(), time.process_time(), cpu_seconds(
            emulator_pid)
        sent = 0
        while True:
            batch = await services.sender.drain(budget=DELIVER_BUDGET)
            sent += batch
            if batch == 0:
                break
        return Run(warm, sent, time.perf_counter() - started, time.process_time() - cpu,
                   cpu_seconds(emulator_pid) - emulator_cpu)
    finally:
        await services.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    args = parser.parse_args()
    port = free_port()
    with RedisServer() as redis, tempfile.TemporaryDirectory() as tmp:
        pg = PostgresServer().start() if args.database == "postgresql" else None
        try:
            if pg is not None:
                name = f"bench_{uuid.uuid4().hex[:10]}"
                pg.create_database_sync(name)
                url = pg.dsn_for(name)
            else:
                url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
            settings = settings_for(url, redis.url, port)
            engine = make_engine(url)
            asyncio.run(_migrate(engine))
            emulator = serve_emulator(port, Path(tmp) / "emulator.log")
            try:
                with asyncio.Runner(loop_factory=loop_factory()) as runner:  # as the worker runs
                    run = runner.run(measure(settings, args.rows, emulator.pid))
                logged = len(httpx.get(f"http://127.0.0.1:{port}/emulator/api/log",
                                       timeout=30).json()["entries"])
            finally:
                emulator.terminate()
                emulator.wait(timeout=30)
        finally:
            if pg is not None:
                pg.stop()
    per_push = 1000 / run.sent
    print(f"database: {args.database}, rows: {args.rows}, sent: {run.warm} + {run.sent} timed, "
          f"recorded by the emulator: {logged}, seconds: {run.seconds:.2f}, "
          f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"CPU per push: worker {run.worker_cpu * per_push:.2f} ms "
          f"(alone on a core: {run.sent / run.worker_cpu:.0f} pushes/s), "
          f"emulator {run.emulator_cpu * per_push:.2f} ms "
          f"(alone on a core: {run.sent / run.emulator_cpu:.0f} pushes/s)")
    print(f"pushes/s: {run.sent / run.seconds:.0f}")
    return 0 if run.warm + run.sent == logged == args.rows else 1


async def _migrate(engine) -> None:  # type: ignore[no-untyped-def]
    await upgrade(engine)
    await engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
