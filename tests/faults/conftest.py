"""An app of its own for faults that would disturb the shared `live` app.

It has its own Redis (append-only file on, as in production), its own PostgreSQL database
on the shared server, and its own clock; tests may stop its Redis or kill its connections.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clock import SettableClock
from devservices import PostgresServer, RedisServer
from tests.conftest import DEFAULT_NOW, LiveApp, app_settings, new_db_name


class OwnRedis(RedisServer):
    """A RedisServer that can be taken down and brought back on the same port and data."""

    def down(self) -> None:
        self._port_kept = self.port
        self.stop()  # keeps the data: the dir was given, so it is not ours to remove

    def up(self) -> None:
        self.port = self._port_kept
        self.start()


@pytest.fixture(scope="package")
def own_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OwnRedis]:
    folder: Path = tmp_path_factory.mktemp("own-redis")
    with OwnRedis(data_dir=folder, appendonly=True) as server:
        yield server


@pytest.fixture(scope="package")
def own_db(pg_server: PostgresServer) -> str:
    name = new_db_name("faults")
    pg_server.create_database_sync(name)
    return name


@pytest.fixture(scope="package")
def own_app(own_redis: OwnRedis, own_db: str, pg_server: PostgresServer) -> Iterator[LiveApp]:
    settings = app_settings(pg_server.dsn_for(own_db), own_redis.url)
    app = LiveApp(settings, SettableClock(DEFAULT_NOW)).start()
    yield app
    app.stop()


@pytest.fixture
def redis_back_up(own_redis: OwnRedis) -> Iterator[OwnRedis]:
    """Whatever a test does to the Redis server, it is running again afterwards."""
    yield own_redis
    if not own_redis.running:
        own_redis.up()
