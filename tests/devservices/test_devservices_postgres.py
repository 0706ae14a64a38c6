"""Private PostgreSQL: real databases over asyncpg and SQLAlchemy, restart, clean stop."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from devservices import PostgresServer
from devservices import postgres_server as pg_module
from devservices.ports import port_is_open


def _asyncpg_dsn(server: PostgresServer, db: str) -> str:
    return server.dsn_for(db, driver=None)


def test_dsn_format(pg: PostgresServer) -> None:
    assert pg.dsn_for("app") == f"postgresql+asyncpg://postgres@127.0.0.1:{pg.port}/app"


async def test_create_database_table_insert_select(pg: PostgresServer) -> None:
    dsn = await pg.create_database("devservices_rw")
    assert dsn == pg.dsn_for("devservices_rw")
    conn = await asyncpg.connect(_asyncpg_dsn(pg, "devservices_rw"))
    try:
        await conn.execute("CREATE TABLE booth (id serial PRIMARY KEY, name text NOT NULL)")
        await conn.executemany("INSERT INTO booth (name) VALUES ($1)", [("窓口1",), ("窓口2",)])
        rows = await conn.fetch("SELECT name FROM booth ORDER BY id")
        assert [row["name"] for row in rows] == ["窓口1", "窓口2"]
    finally:
        await conn.close()
    await pg.drop_database("devservices_rw")


async def test_dsn_works_with_sqlalchemy_asyncpg(pg: PostgresServer) -> None:
    await pg.create_database("devservices_sa")
    engine = create_async_engine(pg.dsn_for("devservices_sa"))
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT current_database()"))).scalar() == (
                "devservices_sa"
            )
            assert (await conn.execute(text("SHOW max_connections"))).scalar() == "200"
            assert (await conn.execute(text("SHOW fsync"))).scalar() == "off"
    finally:
        await engine.dispose()
    await pg.drop_database("devservices_sa")


async def test_sync_helpers_work_inside_a_running_loop(pg: PostgresServer) -> None:
    pg.create_database_sync("devservices_sync")
    conn = await asyncpg.connect(_asyncpg_dsn(pg, "devservices_sync"))
    await conn.close()
    pg.drop_database_sync("devservices_sync")
    with pytest.raises(asyncpg.InvalidCatalogNameError):
        await asyncpg.connect(_asyncpg_dsn(pg, "devservices_sync"))


def test_sync_helpers_without_a_loop(pg: PostgresServer) -> None:
    pg.create_database_sync("devservices_plain")
    pg.drop_database_sync("devservices_plain")
    pg.drop_database_sync("devservices_plain")  # IF EXISTS


@pytest.mark.parametrize("name", ["Upper", "semi;colon", 'quo"te', "", "x" * 64, "dash-ed"])
def test_database_names_are_validated(pg: PostgresServer, name: str) -> None:
    with pytest.raises(ValueError, match="invalid database name"):
        pg.create_database_sync(name)


def test_cluster_belongs_to_postgres_user_when_root(pg: PostgresServer) -> None:
    assert pg.data_dir is not None and (pg.data_dir / "PG_VERSION").exists()
    if os.geteuid() == 0:
        assert pg.data_dir.stat().st_uid == pwd.getpwnam("postgres").pw_uid


async def test_restart_keeps_data_and_stop_cleans_up() -> None:
    server = PostgresServer().start()
    try:
        port, base_dir = server.port, server.base_dir
        await server.create_database("devservices_fault")
        dsn = _asyncpg_dsn(server, "devservices_fault")
        conn = await asyncpg.connect(dsn)
        await conn.execute("CREATE TABLE t (v int); INSERT INTO t VALUES (1)")
        await conn.close()

        server.restart()  # fast shutdown: every commit survives
        assert (server.port, server.base_dir) == (port, base_dir)

        conn = await asyncpg.connect(dsn)
        async with conn.transaction():  # durable commit, then a crash
            await conn.execute("SET LOCAL synchronous_commit = on; INSERT INTO t VALUES (2)")
        await conn.close()

        server.restart(immediate=True)
        assert server.port == port

        conn = await asyncpg.connect(dsn)
        try:
            assert await conn.fetchval("SELECT array_agg(v ORDER BY v) FROM t") == [1, 2]
        finally:
            await conn.close()
    finally:
        server.stop()
    assert not port_is_open(port)
    assert base_dir is not None and not base_dir.exists()
    assert not server.running
    server.stop()  # idempotent


def test_missing_binaries_say_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(pg_module, "PG_VERSIONED_BINS", tmp_path)
    with pytest.raises(RuntimeError, match=r"\./dev test"):
        PostgresServer().start()
