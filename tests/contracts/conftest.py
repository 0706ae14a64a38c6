"""One contract suite, every backend (aiogram's tests/test_fsm/storage/test_storages.py style):
the in-memory ports of tests/fakes, and storage on PostgreSQL and on SQLite (Redis for holds and
conversations). Each database is migrated once per run; each test gets an office of its own.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from redis.asyncio import Redis

from devservices import PostgresServer
from devservices.lasting_threads import run_in_lasting_thread
from storage.db import make_engine
from storage.migrate import upgrade
from tests.conftest import new_db_name
from tests.contracts.backends import Backend, MemoryBackend, StorageBackend
from tests.fakes import MemoryStateStore

BACKENDS = ["memory", "postgresql", "sqlite"]


def _migrate(url: str) -> None:
    async def run() -> None:
        engine = make_engine(url)
        await upgrade(engine)
        await engine.dispose()
    # In a thread of its own: the backend fixture asks for this one from inside its event loop.
    run_in_lasting_thread(lambda: asyncio.run(run())).result()


@pytest.fixture(scope="session")
def contract_pg_url(pg_server: PostgresServer) -> Iterator[str]:
    name = new_db_name("contract")
    pg_server.create_database_sync(name)
    url = pg_server.dsn_for(name)
    _migrate(url)
    yield url


@pytest.fixture(scope="session")
def contract_sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('contract') / 'madoguchi.sqlite3'}"
    _migrate(url)
    yield url


@pytest.fixture(params=BACKENDS)
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    """The ports under test, on each backend in turn."""
    if request.param == "memory":
        yield MemoryBackend()
        return
    url = request.getfixturevalue(
        f"contract_{'pg' if request.param == 'postgresql' else 'sqlite'}_url"
    )
    redis = Redis.from_url(request.getfixturevalue("redis_server").url)
    engine = make_engine(url)
    try:
        yield await StorageBackend.open(request.param, engine, redis)
    finally:
        await engine.dispose()
        await redis.aclose()


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[object]:
    """The conversation store under test, in memory and on Redis."""
    if request.param == "memory":
        yield MemoryStateStore(timeout=0.5)
        return
    from storage.conversations import ConversationStore

    redis = Redis.from_url(request.getfixturevalue("redis_server").url)
    yield _RedisStore(ConversationStore(redis, prefix=f"c{uuid.uuid4().hex[:8]}",
                                        ttl_seconds=600))
    await redis.aclose()


class _RedisStore:
    """ConversationStore with the short lock wait the contract uses (its default is 10 s)."""

    def __init__(self, inner: object) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    async def acquire(self, user: str) -> str:
        return await self.inner.acquire(user, timeout=0.5)  # type: ignore[attr-defined]

    async def acquire_load(self, user: str) -> object:
        return await self.inner.acquire_load(user, timeout=0.5)  # type: ignore[attr-defined]


@pytest.fixture
def line_id() -> str:
    return "U" + uuid.uuid4().hex


@pytest.fixture
def other_id() -> str:
    return "U" + uuid.uuid4().hex

