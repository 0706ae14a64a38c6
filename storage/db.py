"""Async engine and session factory, built in the app's lifespan and injected."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool
from sqlalchemy.util.concurrency import await_

T = TypeVar("T")
# Connections kept open per engine, and at most this many more in a burst. A burst's extra
# connections are closed on return and must connect and prepare every statement again when
# the next burst comes: with 10 kept, 100 form submissions at once spent a tenth of the web
# process's CPU on that (bench/RESULTS.md). The most per engine stays 30.
POOL_SIZE = 20
POOL_OVERFLOW = 10
# Connections older than this are replaced at checkout: a firewall or a server-side idle
# timeout may have cut them silently, and nothing else tests them (no pre-ping, below).
POOL_RECYCLE_SECONDS = 1800


def make_engine(url: str, *, pool_size: int = POOL_SIZE) -> AsyncEngine:
    """An engine for PostgreSQL (asyncpg) or SQLite (aiosqlite) with sane defaults for each.

    Statements that fail are logged without their bound values (`hide_parameters`): those
    values are names, numbers and phones (DESIGN.md §3).
    """
    if url.startswith("sqlite"):
        return _sqlite_engine(url, begin="BEGIN IMMEDIATE")
    # Writes check their connection at checkout with one statement (SELECT 1), which the pool's
    # pre-ping did with three (BEGIN, SELECT 1, ROLLBACK: bench/RESULTS.md); a unit of work
    # cannot be repeated safely once begun, so a dead connection must be found before it.
    engine = _postgres_engine(url, pool_size)

    @event.listens_for(engine.sync_engine, "checkout")
    def _alive(dbapi_conn, _record, _proxy):  # type: ignore[no-untyped-def]
        try:
            await_(dbapi_conn.driver_connection.execute("SELECT 1"))
        except Exception as exc:
            raise DisconnectionError("connection found dead at checkout") from exc

    return engine


def _sqlite_engine(url: str, *, begin: str) -> AsyncEngine:
    engine = create_async_engine(
        url, poolclass=NullPool, connect_args={"timeout": 30}, hide_parameters=True
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy emit BEGIN itself (see the "begin" listener below).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _sqlite_begin(conn):  # type: ignore[no-untyped-def]
        # Writers take the write lock at BEGIN so they queue instead of deadlocking; readers
        # (WAL) begin deferred and never wait for a writer.
        conn.exec_driver_sql(begin)

    return engine


def make_read_engine(engine: AsyncEngine, *, pool_size: int = POOL_SIZE) -> AsyncEngine:
    """The engine for reads alone, beside `engine` (same database).

    On PostgreSQL its connections run each statement on its own (AUTOCOMMIT: no BEGIN and
    ROLLBACK round trips) and are not tested at checkout: a read that finds its connection dead
    is simply run again (`read`). On SQLite they begin deferred (no write lock).
    """
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "sqlite":
        return _sqlite_engine(url, begin="BEGIN")
    return _postgres_engine(url, pool_size).execution_options(isolation_level="AUTOCOMMIT")


def _postgres_engine(url: str, pool_size: int) -> AsyncEngine:
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=POOL_OVERFLOW,
                                 pool_recycle=POOL_RECYCLE_SECONDS, hide_parameters=True)

    @event.listens_for(engine.sync_engine, "checkout")
    def _closed(dbapi_conn, _record, _proxy):  # type: ignore[no-untyped-def]
        _drop_closed(dbapi_conn)

    @event.listens_for(engine.sync_engine, "handle_error")
    def _dropped(context):  # type: ignore[no-untyped-def]
        # The server ended the session (restart, pg_terminate_backend) and asyncpg has read
        # its goodbye but not yet the closed socket: the next statement fails with a client
        # state error that SQLAlchemy does not count as a disconnect. It is one: invalidate
        # the pool (every connection of that time) rather than hand the next user a dead one.
        if _looks_dropped(context.original_exception):
            context.is_disconnect = True

    return engine


def _drop_closed(dbapi_conn: Any) -> None:
    """A connection the server closed (known to asyncpg without a round trip) is replaced."""
    if dbapi_conn.driver_connection.is_closed():
        raise DisconnectionError("connection closed by the server")  # the pool reconnects


def _looks_dropped(exc: BaseException | None) -> bool:
    cause = getattr(exc, "__cause__", None) or exc
    return (isinstance(cause, asyncpg.exceptions.AdminShutdownError
                       | asyncpg.exceptions.ConnectionDoesNotExistError
                       | asyncpg.exceptions.CannotConnectNowError | OSError)
            or (isinstance(cause, asyncpg.exceptions.InternalClientError)
                and "cannot switch to state" in str(cause)))


def single_statements(reads: async_sessionmaker[AsyncSession]) -> AsyncEngine | None:
    """The engine of `reads` if each statement there commits on its own (PostgreSQL's read
    engine, `make_read_engine`), else None. A unit of work that is one statement may run there:
    one round trip, no checkout test, no BEGIN/COMMIT."""
    engine: AsyncEngine = reads.kw["bind"]
    autocommit = engine.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
    return engine if autocommit else None


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


def make_read_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions on the read engine (`make_read_engine`). Never write through them: on
    PostgreSQL each statement commits on its own and nothing would roll a failure back."""
    return make_sessionmaker(engine)


async def _once_more_if_dropped(attempt: Callable[[], Awaitable[T]]) -> T:
    """Run `attempt` once more if its connection had died (it had sat in the pool while the
    server restarted): for a read, or a write whose repetition is harmless."""
    try:
        return await attempt()
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
    return await attempt()


async def alone(sessions: async_sessionmaker[AsyncSession],
                work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """A unit of work that is one statement, on `sessions` whose engine commits each statement
    (`single_statements`); run again if its connection had died, so only for a statement whose
    repetition is harmless."""
    async def attempt() -> T:
        async with sessions() as session:
            return await work(session)
    return await _once_more_if_dropped(attempt)


async def one_statement(sessions: async_sessionmaker[AsyncSession],
                        reads: async_sessionmaker[AsyncSession],
                        work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """A unit of work that is one statement: `alone` on `reads` where each statement commits
    on its own (PostgreSQL), else in a transaction of `sessions` (SQLite)."""
    if single_statements(reads) is not None:
        return await alone(reads, work)
    async with transaction(sessions) as session:
        return await work(session)


async def read(reads: async_sessionmaker[AsyncSession],
               work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run the read-only `work` in a session of `reads` (again if the connection had died)."""
    return await alone(reads, work)


async def execute_alone(engine: AsyncEngine, statement: Any, params: dict[str, Any]) -> Any:
    """One statement that is a whole unit of work, on an engine that commits each statement
    (`single_statements`): its first row, if it returns rows. Run again if the connection had
    died (a server restart, a terminated backend: no checkout test finds it first there), so
    only for a read or a write whose repetition is harmless or recognised by the caller."""
    async def attempt() -> Any:
        async with engine.connect() as conn:
            result = await conn.execute(statement, params)
            return result.first() if result.returns_rows else None
    return await _once_more_if_dropped(attempt)


async def execute_committed(engine: AsyncEngine, statement: Any,
                            params: dict[str, Any]) -> Any:
    """One statement that is a whole unit of work, committed on its own on a connection of the
    write `engine` (tested at checkout: `make_engine`), so never repeated: its first row, if
    it returns rows. Two round trips (the test, the statement), not BEGIN and COMMIT too."""
    async with engine.connect() as conn:
        alone = await conn.execution_options(isolation_level="AUTOCOMMIT")
        result = await alone.execute(statement, params)
        return result.first() if result.returns_rows else None


async def read_first(engine: AsyncEngine, statement: Any, params: dict[str, Any]) -> Any:
    """The first row of a read on a plain connection (no ORM session: a read of the chat's hot
    path needs none), again if the connection had died."""
    return await execute_alone(engine, statement, params)


@asynccontextmanager
async def transaction(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit on success, roll back on any error."""
    async with sessions() as session, session.begin():
        yield session
