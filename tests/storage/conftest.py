"""Storage tests run on both engines: PostgreSQL and the embedded SQLite default."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from devservices import PostgresServer
from tests.conftest import migrated_engine


@pytest.fixture(params=["postgresql", "sqlite"])
async def db(request: pytest.FixtureRequest, pg_server: PostgresServer,
             tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A migrated database of its own on each engine: a copy of the run's template, except
    for the migrations' own tests, which migrate a new database for real."""
    real = request.node.path.name.startswith("test_migration")
    async with migrated_engine(request.param, pg_server, tmp_path, migrate=real) as engine:
        yield engine
