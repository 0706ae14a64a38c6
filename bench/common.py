"""Shared benchmark parts: private servers, apps under uvicorn in subprocesses, machine facts.

Every benchmark runs everything it compares in one run on this machine, so a ratio compares
like with like: the same uvicorn flags, the same emulator process, the same load generator.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from devservices import PostgresServer, RedisServer, free_port

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-channel-secret"
TOKEN = "bench-access-token"


@dataclass
class Backing:
    """URLs of the private Redis and database one benchmark uses."""

    redis: RedisServer
    pg: PostgresServer | None
    database_url: str


@contextmanager
def backing_services(*, database: str = "postgresql", appendonly: bool = False,
                     tmp: Path | None = None) -> Iterator[Backing]:
    """A private redis-server and a fresh PostgreSQL database (or an SQLite file)."""
    with RedisServer(appendonly=appendonly) as redis:
        if database == "sqlite":
            folder = tmp or Path(f"/tmp/madoguchi-bench-{uuid.uuid4().hex[:8]}")
            folder.mkdir(parents=True, exist_ok=True)
            yield Backing(redis, None, f"sqlite+aiosqlite:///{folder / 'bench.sqlite3'}")
            return
        with PostgresServer() as pg:
            name = f"bench_{uuid.uuid4().hex[:10]}"
            pg.create_database_sync(name)
            yield Backing(redis, pg, pg.dsn_for(name))


def app_env(*, port: int, backing: Backing, line_host: str, **extra: str) -> dict[str, str]:
    """`MADOGUCHI_*` settings for our app: replies go to the bench emulator, migrations at start."""
    values = {
        "ENVIRONMENT": "test", "DATABASE_URL": backing.database_url,
        "REDIS_URL": backing.redis.url, "REDIS_PREFIX": f"b{uuid.uuid4().hex[:8]}",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "SECRET_KEY": "bench-secret-key",
        "LINE_CHANNEL_SECRET": SECRET, "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
        # The emulator runs in its own process (the same one the echo bot talks to),
        # so the app under test does not also pay for the fake LINE platform.
        "EMULATOR": "false", "LINE_API_HOST": line_host, "AUTO_MIGRATE": "true",
        **extra,
    }
    return {f"MADOGUCHI_{key}": value for key, value in values.items()}


class Served:
    """One ASGI app factory under `uvicorn --workers 1` in a subprocess on a loopback port."""

    def __init__(self, factory: str, env: dict[str, str] | None = None,
                 port: int | None = None) -> None:
        self.factory = factory
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = Path(f"/tmp/madoguchi-bench-{factory.split(':')[0]}-{self.port}.log")

    def start(self, timeout: float = 180.0) -> Served:
        """Start uvicorn (same flags for every app compared) and wait for /healthz."""
        args = [sys.executable, "-m", "uvicorn", self.factory, "--factory",
                "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1",
                "--no-access-log", "--log-level", "warning"]
        env = {**os.environ, **self.env, "PYTHONPATH": str(ROOT)}
        with open(self.log_path, "wb") as log_file:
            self.proc = subprocess.Popen(args, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                         stdout=log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.factory} exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()  # `with` never reaches __exit__ when __enter__ fails: do not leak it
        raise RuntimeError(f"{self.factory} did not answer /healthz within {timeout} s")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def stop(self) -> None:
        """SIGTERM, then wait (uvicorn drains running requests and the app's lifespan)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def __enter__(self) -> Served:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def emulator_process(webhook_url: str = "") -> Served:
    """The fake LINE platform alone, which the bots reply to (bench/emulator_server.py).

    With `webhook_url`, its driver API (`/emulator/api/send`) posts events there and waits
    for each one's reply, as the in-app emulator does for tests and the demo.
    """
    return Served("bench.emulator_server:create_app",
                  env={"BENCH_CHANNEL_SECRET": SECRET, "BENCH_ACCESS_TOKEN": TOKEN,
                       "BENCH_WEBHOOK_URL": webhook_url})


def machine() -> str:
    """One line naming the machine, for RESULTS.md."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores ({model}), Linux {platform.release()}, "
            f"Python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of values; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]
