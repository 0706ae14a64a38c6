"""Shared fixtures: private Redis and PostgreSQL for the whole run, and the real app on a port."""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Iterator
from concurrent.futures import Future, wait
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
import uvicorn
from sqlalchemy.ext.asyncio import AsyncEngine

from clock import SettableClock
from config import Settings
from devservices import PostgresServer, RedisServer, free_port
from devservices.lasting_threads import run_in_lasting_thread
from devservices.postgres_server import run_coroutine_sync
from logs import JsonFormatter
from storage.db import make_engine
from storage.migrate import upgrade
from storage.staff_accounts import use_password_hashing
from tests import loopback
from tests.evidence import DATABASE_VALUES, LINE_IDS, SUBPROCESS_LOGS, saw_line_id
from tests.privacy import database_values, scan

T = TypeVar("T")
JST = ZoneInfo("Asia/Tokyo")
# A Tuesday in office hours, well before the year-end break.
DEFAULT_NOW = datetime(2026, 12, 1, 10, 0, tzinfo=JST)
LOG_DIR = Path(os.environ.get("MADOGUCHI_TEST_LOG_DIR", "test-artifacts"))


# One file per run (runs side by side on one machine must not truncate each other's log).
RUN_LOG = LOG_DIR / f"test-run-{os.getpid()}.log"


@pytest.fixture(scope="session", autouse=True)
def run_log(request: pytest.FixtureRequest) -> Iterator[Path]:
    """Every log record of the whole run, app and tests alike, in one file.

    Scanned for personal data when it ends (tests/privacy.py, DESIGN.md §3: logs never carry
    names, numbers, phones or raw LINE user ids). JSON lines, so `extra` fields are scanned too.
    Kept after a run with failures, to read; removed after a clean one.
    """
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    for old in LOG_DIR.glob("test-run-*.log"):  # earlier runs' logs, a day old or more
        if old.stat().st_mtime < time.time() - 86400:
            old.unlink(missing_ok=True)
    RUN_LOG.write_text("", encoding="utf-8")
    # Append mode: a library's dictConfig closes every handler (uvicorn's default log config
    # does); a handler in "w" mode then drops records silently, one in "a" mode reopens.
    handler = logging.FileHandler(RUN_LOG, mode="a", encoding="utf-8")
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # As logs.configure_logging does in production: request lines (query strings) stay out.
    quiet = {
        name: logging.getLogger(name).level for name in ("httpx", "httpcore", "uvicorn.access")
    }
    for name in quiet:
        logging.getLogger(name).setLevel(logging.WARNING)
    yield RUN_LOG
    root.removeHandler(handler)
    handler.close()
    root.setLevel(previous)
    for name, level in quiet.items():
        logging.getLogger(name).setLevel(level)
    # Last of all fixtures (set up first): every app, worker and server has stopped and logged.
    problems = scan(RUN_LOG, SUBPROCESS_LOGS, DATABASE_VALUES | LINE_IDS)
    if problems:
        raise AssertionError(f"{len(problems)} personal data findings in the run's logs "
                             f"(kept in {LOG_DIR}):\n" + "\n".join(problems[:20]))
    if not request.session.testsfailed:
        RUN_LOG.unlink(missing_ok=True)


# argon2's test profile: the staff tests add accounts and sign in nearly every test, and the
# production profile costs 64 MiB and ~0.1 s of CPU each time (tests/test_config.py proves
# production refuses it and that hashes of either profile verify).
TEST_PASSWORD_HASHING = "cheapest"


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> None:
    """Accounts made without an app (storage tests) hash as the tests' apps do."""
    use_password_hashing(TEST_PASSWORD_HASHING)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    with PostgresServer() as server:
        yield server
        # For the privacy scan at the end of the run: what the test databases hold.
        DATABASE_VALUES.update(asyncio.run(database_values(server)))


def new_db_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def _finish_tasks(loop: asyncio.AbstractEventLoop) -> None:
    """End whatever the stop cut short (a step waiting on the database, say) in the app's own
    thread, then close the loop, so no database greenlet is left suspended."""
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:  # bounded: a task that ignores its cancel must not keep the thread alive
        loop.run_until_complete(asyncio.wait(pending, timeout=10))
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()


class LiveApp:
    """The real app served by uvicorn on a loopback port, in a thread with its own loop."""

    def __init__(self, settings: Settings, clock: SettableClock) -> None:
        from main import create_app

        self.settings = settings
        self.clock = clock
        self.app = create_app(settings, clock)
        self.services: Any = self.app.state.services
        port = int(settings.public_base_url.rsplit(":", 1)[1])
        # Proxy headers are the app's business (proxy.TrustedProxies), as in `main.py serve`.
        config = uvicorn.Config(self.app, host="127.0.0.1", port=port, log_config=None,
                                lifespan="on", loop="asyncio", proxy_headers=False)
        self.server = uvicorn.Server(config)
        self.url = settings.public_base_url
        self.http = loopback.client(base_url=self.url, timeout=15)
        self._served: Future[None] | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self.loop = loop
        try:
            loop.run_until_complete(self.server.serve())
        finally:
            _finish_tasks(loop)

    def start(self) -> LiveApp:
        # A lasting thread, not one of its own: see devservices/lasting_threads.py.
        served = self._served = run_in_lasting_thread(self._run)
        ready = threading.Event()
        for _ in range(600):
            if self.server.started:
                ready.set()
                break
            if served.done():
                break
            threading.Event().wait(0.05)
        if not ready.is_set():
            raise RuntimeError("the app did not start")
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self._served is not None:
            wait([self._served], timeout=15)
        self.http.close()

    def call(self, coro: Awaitable[T]) -> T:
        """Run a coroutine on the app's loop (to read the database the app uses)."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=30)  # type: ignore[arg-type]

    def send(self, user: str, **event: Any) -> list[dict[str, Any]]:
        """Drive the emulator: send an event as `user` and return the messages the bot sent."""
        saw_line_id(user)
        response = self.http.post("/emulator/api/send", json={"user_id": user, **event})
        response.raise_for_status()
        return response.json()["messages"]

    def send_raw(self, user: str, **event: Any) -> dict[str, Any]:
        saw_line_id(user)
        response = self.http.post("/emulator/api/send", json={"user_id": user, **event})
        response.raise_for_status()
        return response.json()

    def messages(self, user: str) -> list[dict[str, Any]]:
        response = self.http.get("/emulator/api/messages", params={"user_id": user})
        response.raise_for_status()
        return response.json()["messages"]


def app_settings(database_url: str, redis_url: str, **overrides: Any) -> Settings:
    """Settings for a test app: emulator on, migrations applied at start, own key prefix."""
    port = free_port()
    values: dict[str, Any] = {
        "environment": "test", "database_url": database_url, "redis_url": redis_url,
        "redis_prefix": f"t{uuid.uuid4().hex[:8]}", "public_base_url": f"http://127.0.0.1:{port}",
        "secret_key": "test-secret-key", "line_channel_secret": "test-channel-secret",
        "line_channel_access_token": "test-access-token", "emulator": True, "auto_migrate": True,
        "password_hashing": TEST_PASSWORD_HASHING,
        # The driver answers when the bot has finished; a loaded machine may take more than
        # the demo's 5 s, and a test must not read a half-answered step.
        "emulator_wait_seconds": 60.0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class MigratedTemplates:
    """Databases migrated once per run (per xdist worker, each has its own servers), copied
    for each test that needs a fresh migrated database: a PostgreSQL `CREATE DATABASE …
    TEMPLATE` takes ~0.1 s where the migrations take ~1 s (more under load); a SQLite file is
    copied. The migrations' own tests (tests/storage/test_migration*.py) still run them."""

    def __init__(self) -> None:
        # id(pg_server) -> (the server, kept so its id is never reused; its template)
        self._postgres: dict[int, tuple[PostgresServer, str]] = {}
        self._sqlite: Path | None = None
        self._dir: Path | None = None

    async def postgres(self, pg_server: PostgresServer) -> str:
        """The name of `pg_server`'s migrated template database (made on first use)."""
        if id(pg_server) not in self._postgres:
            name = new_db_name("template")
            await pg_server.create_database(name)
            await _migrate(pg_server.dsn_for(name))  # disposed: nobody stays connected
            self._postgres[id(pg_server)] = (pg_server, name)
        return self._postgres[id(pg_server)][1]

    async def sqlite(self) -> Path:
        """A migrated SQLite file to copy (made on first use)."""
        if self._sqlite is None:
            self._dir = Path(tempfile.mkdtemp(prefix="madoguchi-template-"))
            path = self._dir / "madoguchi.sqlite3"
            await _migrate(f"sqlite+aiosqlite:///{path}")
            assert not path.with_name(path.name + "-wal").exists()  # all in the one file
            self._sqlite = path
        return self._sqlite

    def cleanup(self) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)


async def _migrate(url: str) -> None:
    engine = make_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


TEMPLATES = MigratedTemplates()
atexit.register(TEMPLATES.cleanup)


async def migrated_database_url(kind: str, pg_server: PostgresServer, tmp_path: Path) -> str:
    """The URL of a new database of its own on `kind`, a copy of the migrated template."""
    if kind == "postgresql":
        name = new_db_name("db")
        return await pg_server.create_database(name, await TEMPLATES.postgres(pg_server))
    path = tmp_path / "madoguchi.sqlite3"
    shutil.copyfile(await TEMPLATES.sqlite(), path)
    return f"sqlite+aiosqlite:///{path}"


@asynccontextmanager
async def migrated_engine(kind: str, pg_server: PostgresServer, tmp_path: Path, *,
                          migrate: bool = False) -> AsyncIterator[AsyncEngine]:
    """A migrated database of its own on `kind` ("postgresql" or "sqlite"), disposed
    afterwards: a copy of the run's template, or (`migrate`) migrated here for real."""
    if migrate:
        if kind == "postgresql":
            url = await pg_server.create_database(new_db_name("db"))
        else:
            url = f"sqlite+aiosqlite:///{tmp_path / 'madoguchi.sqlite3'}"
    else:
        url = await migrated_database_url(kind, pg_server, tmp_path)
    engine = make_engine(url)
    if migrate:
        await upgrade(engine)
    try:
        yield engine
    finally:
        await engine.dispose()


@contextmanager
def running_app(pg_server: PostgresServer, redis_url: str, prefix: str,
                **overrides: Any) -> Iterator[LiveApp]:
    """A real app on a fresh PostgreSQL database of its own (settings `overrides`), stopped
    afterwards. The database is a copy of the migrated template; the app's start-up
    migration (auto_migrate) then finds it current, as a deployed app usually does."""
    name = new_db_name(prefix)
    template = run_coroutine_sync(lambda: TEMPLATES.postgres(pg_server))
    pg_server.create_database_sync(name, template)
    app = LiveApp(app_settings(pg_server.dsn_for(name), redis_url, **overrides),
                  SettableClock(DEFAULT_NOW)).start()
    try:
        yield app
    finally:
        app.stop()


@contextmanager
def refusing_app(pg_server: PostgresServer, redis_url: str, prefix: str, *, table: str,
                 event: str, when: str, message: str) -> Iterator[LiveApp]:
    """An app of its own whose database raises `message` on `event` of `table` rows matching
    `when` (a trigger): a real failure at a chosen point, for what must happen then."""
    with running_app(pg_server, redis_url, prefix) as app:
        async def install() -> None:
            async with app.services.db.begin() as conn:
                await conn.exec_driver_sql(
                    f"CREATE FUNCTION refuse_{prefix}() RETURNS trigger LANGUAGE plpgsql AS "
                    f"$$ BEGIN RAISE EXCEPTION '{message}'; END $$")
                await conn.exec_driver_sql(
                    f"CREATE TRIGGER refuse_{prefix} BEFORE {event} ON {table} FOR EACH ROW "
                    f"WHEN ({when}) EXECUTE FUNCTION refuse_{prefix}()")
        app.call(install())
        yield app


@pytest.fixture(scope="session")
def live(redis_server: RedisServer, pg_server: PostgresServer) -> Iterator[LiveApp]:
    """One app for the end-to-end tests: PostgreSQL, Redis, emulator; each test uses new users."""
    with running_app(pg_server, redis_server.url, "e2e") as app:
        yield app


@pytest.fixture
def clock(live: LiveApp) -> Iterator[SettableClock]:
    """The live app's clock, reset to the default moment after each test."""
    yield live.clock
    live.clock.set(DEFAULT_NOW)


@pytest.fixture
def user() -> str:
    """A fresh LINE user id, so tests never share a conversation."""
    return saw_line_id("U" + uuid.uuid4().hex)


# Files that wait longest on real processes and browsers (killed and restarted processes, whole
# deployments, Chromium): run first, so the other xdist workers take the many short files
# meanwhile instead of one worker waiting alone at the end. `./dev test` passes
# --no-loadscope-reorder, or xdist would hand out the files with most tests first instead.
SLOW_FIRST = ("tests/pipeline/test_handler_processes.py",
              "tests/worker/test_worker_killed_mid_batch.py", "tests/test_production_path.py",
              "tests/a11y/test_a11y_public.py", "tests/a11y/test_a11y_console.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow files first, then the files with most tests (xdist's own order otherwise)."""
    def path(item: pytest.Item) -> str:
        return item.nodeid.split("::", 1)[0]
    sizes = Counter(path(item) for item in items)

    def rank(item: pytest.Item) -> tuple[int, int]:
        where = path(item)
        return (SLOW_FIRST.index(where) if where in SLOW_FIRST else len(SLOW_FIRST),
                -sizes[where])
    items.sort(key=rank)  # stable: the order within each file is kept
