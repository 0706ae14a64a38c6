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
    """A freshly migrated database on each engine."""
    async with migrated_engine(request.param, pg_server, tmp_path) as engine:
        yield engine
