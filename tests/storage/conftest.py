"""Storage tests run on both engines: PostgreSQL and the embedded SQLite default."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from devservices import PostgresServer
from storage.db import make_engine
from storage.migrate import upgrade
from tests.conftest import new_db_name


@pytest.fixture(params=["postgresql", "sqlite"])
async def db(request: pytest.FixtureRequest, pg_server: PostgresServer,
             tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A freshly migrated database on each engine."""
    if request.param == "postgresql":
        name = new_db_name("st")
        await pg_server.create_database(name)
        url = pg_server.dsn_for(name)
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'madoguchi.sqlite3'}"
    engine = make_engine(url)
    await upgrade(engine)
    yield engine
    await engine.dispose()
