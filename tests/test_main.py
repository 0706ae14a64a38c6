"""/readyz (main.py): 503 while PostgreSQL or Redis cannot be reached, ready again after."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from devservices import PostgresServer, RedisServer
from tests.conftest import LiveApp, running_app


@pytest.fixture(scope="module")
def own_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A Redis of this module alone: it is stopped and started again on the same port."""
    folder: Path = tmp_path_factory.mktemp("ready-redis")
    with RedisServer(data_dir=folder) as server:
        yield server


@pytest.fixture(scope="module")
def own_app(pg_server: PostgresServer, own_redis: RedisServer) -> Iterator[LiveApp]:
    """An app on its own Redis and its own database of the shared PostgreSQL server."""
    with running_app(pg_server, own_redis.url, "ready") as app:
        yield app


def ready(app: LiveApp) -> int:
    response = app.http.get("/readyz")
    assert response.json() == {"status": "ready" if response.status_code == 200
                               else "unavailable"}
    return response.status_code


async def admin(pg_server: PostgresServer, sql: str) -> None:
    conn = await asyncpg.connect(host=pg_server.host, port=pg_server.port, user=pg_server.user,
                                 database="postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def test_readyz_is_503_while_redis_is_down_and_ready_once_it_is_back(own_app, own_redis):
    assert ready(own_app) == 200
    port = own_redis.port
    own_redis.stop()  # its data dir was given, so it is kept for the restart
    try:
        assert ready(own_app) == 503
        assert own_app.http.get("/healthz").status_code == 200  # alive, just not ready
    finally:
        own_redis.port = port
        own_redis.start()
    assert ready(own_app) == 200


def test_readyz_is_503_while_postgres_refuses_the_app_and_ready_once_it_accepts(own_app,
                                                                               pg_server):
    assert ready(own_app) == 200
    db = own_app.settings.database_url.rsplit("/", 1)[1]
    asyncio.run(admin(pg_server, f'ALTER DATABASE "{db}" ALLOW_CONNECTIONS false'))
    try:
        # Pooled connections too: the server ends them, as when it goes down.
        asyncio.run(admin(pg_server, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                     f"WHERE datname = '{db}'"))
        assert ready(own_app) == 503
    finally:
        asyncio.run(admin(pg_server, f'ALTER DATABASE "{db}" ALLOW_CONNECTIONS true'))
    assert ready(own_app) == 200
