"""A private PostgreSQL cluster (initdb + pg_ctl) on 127.0.0.1 and a free port."""

from __future__ import annotations

import asyncio
import os
import pwd
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TypeVar

from devservices._common import (
    INSTALL_HINT,
    ExitGuard,
    ServerContext,
    find_executable,
    log,
    log_tail,
)
from devservices.lasting_threads import run_in_lasting_thread
from devservices.ports import LOCALHOST, free_port

T = TypeVar("T")

PG_VERSIONED_BINS = Path("/usr/lib/postgresql")
SYSTEM_USER = "postgres"
SUPERUSER = "postgres"
PORT_ATTEMPTS = 3
DB_NAME = re.compile(r"[a-z0-9_]{1,63}")
SERVER_SETTINGS = (
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "max_connections=200",
)


def find_postgres_bin_dir() -> Path:
    """Return the folder holding initdb and pg_ctl (PATH first, else the newest versioned one)."""
    candidates: list[Path] = []
    for name in ("initdb", "pg_ctl"):
        found = find_executable(name)
        if found is not None:
            candidates.append(found.resolve().parent)

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", path.parent.name)) or (0,)

    candidates += sorted(PG_VERSIONED_BINS.glob("*/bin"), key=version, reverse=True)
    for folder in candidates:
        if all(os.access(folder / name, os.X_OK) for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    raise RuntimeError(
        f"PostgreSQL binaries (initdb, pg_ctl) not found on PATH nor in {PG_VERSIONED_BINS}/*/bin; "
        f"{INSTALL_HINT}"
    )


def check_db_name(name: str) -> str:
    """Validate a database name as [a-z0-9_]+ (at most 63 chars) and return it."""
    if not DB_NAME.fullmatch(name):
        raise ValueError(f"invalid database name {name!r}: use [a-z0-9_]+, at most 63 chars")
    return name


def run_coroutine_sync(factory: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion from sync code, even inside a running event loop."""

    async def main() -> T:
        return await factory()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(main())
    # Not a short-lived pool thread: see devservices/lasting_threads.py.
    return run_in_lasting_thread(lambda: asyncio.run(main())).result()


class PostgresServer(ServerContext):
    """A throw-away PostgreSQL cluster: `with PostgresServer() as pg: pg.dsn_for("x")`."""

    def __init__(self, start_timeout: float = 30.0) -> None:
        """Configure the server; nothing runs until start() or `with`."""
        self.start_timeout = start_timeout
        self.host = LOCALHOST
        self.user = SUPERUSER
        self.port = 0
        self.base_dir: Path | None = None
        self._bin: Path | None = None
        self._running = False
        self._guard = ExitGuard(self.stop)

    @property
    def data_dir(self) -> Path | None:
        """The cluster's data directory."""
        return self.base_dir / "data" if self.base_dir else None

    @property
    def log_path(self) -> Path | None:
        """The server log written by pg_ctl."""
        return self.base_dir / "postgres.log" if self.base_dir else None

    @property
    def running(self) -> bool:
        """Whether the server was started and not stopped since."""
        return self._running

    def dsn_for(self, dbname: str, driver: str | None = "asyncpg") -> str:
        """SQLAlchemy URL for a database, e.g. postgresql+asyncpg://postgres@127.0.0.1:PORT/db."""
        if not self.port:
            raise RuntimeError("PostgresServer is not started")
        scheme = f"postgresql+{driver}" if driver else "postgresql"
        return f"{scheme}://{self.user}@{self.host}:{self.port}/{dbname}"

    def start(self) -> PostgresServer:
        """Create the cluster if needed and start it (on its previous port after restart)."""
        if self._running:
            return self
        self._bin = find_postgres_bin_dir()
        self._guard.arm()
        try:
            if self.base_dir is None:
                self._init_cluster()
            fixed_port = self.port
            for attempt in range(1 if fixed_port else PORT_ATTEMPTS):
                port = fixed_port or free_port()
                if self._pg_ctl_start(port):
                    self.port, self._running = port, True
                    break
                tail = log_tail(self.log_path)
                retry = not fixed_port and attempt < PORT_ATTEMPTS - 1
                if not (retry and "could not bind" in tail):
                    raise RuntimeError(f"PostgreSQL failed to start on port {port}:\n{tail}")
        except BaseException:
            self.stop()
            raise
        log.info("PostgreSQL ready on port %s (dir %s)", self.port, self.base_dir)
        return self

    def stop(self) -> None:
        """Stop the server immediately and remove its directory (idempotent)."""
        try:
            self._halt()
        finally:
            self._guard.disarm()
            if self.base_dir is not None:
                shutil.rmtree(self.base_dir, ignore_errors=True)
            self.base_dir = None
            self.port = 0

    def restart(self, immediate: bool = False) -> PostgresServer:
        """Stop (fast, or immediate to mimic a crash) and start again on the same port and data."""
        # After an immediate stop, commits of the last ~200 ms may be lost (synchronous_commit
        # is off), as after a real crash, unless written with SET LOCAL synchronous_commit = on.
        self._halt(mode="immediate" if immediate else "fast")
        return self.start()

    async def create_database(self, name: str, template: str | None = None) -> str:
        """Create a database (a copy of `template` when given: nobody may be connected to
        it) and return its dsn_for()."""
        sql = f'CREATE DATABASE "{check_db_name(name)}"'
        if template is not None:
            sql += f' TEMPLATE "{check_db_name(template)}"'
        await self._admin(sql)
        return self.dsn_for(name)

    async def drop_database(self, name: str) -> None:
        """Drop a database if it exists, disconnecting its sessions."""
        await self._admin(f'DROP DATABASE IF EXISTS "{check_db_name(name)}" WITH (FORCE)')

    def create_database_sync(self, name: str, template: str | None = None) -> str:
        """Blocking create_database()."""
        return run_coroutine_sync(lambda: self.create_database(name, template))

    def drop_database_sync(self, name: str) -> None:
        """Blocking drop_database()."""
        run_coroutine_sync(lambda: self.drop_database(name))

    async def _admin(self, sql: str) -> None:
        """Run one statement on the postgres maintenance database."""
        import asyncpg

        if not self._running:
            raise RuntimeError("PostgresServer is not started")
        conn = await asyncpg.connect(
            host=self.host, port=self.port, user=self.user, database="postgres", timeout=10
        )
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    def _as_root(self) -> bool:
        """Whether we must switch to the postgres system user."""
        return os.geteuid() == 0

    def _run(self, args: Sequence[str], timeout: float) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL tool, as the postgres system user when we are root."""
        assert self._bin is not None and self.base_dir is not None
        cmd = [str(self._bin / args[0]), *args[1:]]
        if self._as_root():
            runuser = find_executable("runuser", Path("/usr/sbin/runuser"), Path("/sbin/runuser"))
            if runuser is None:
                raise RuntimeError(
                    "running as root needs `runuser` (util-linux) to start PostgreSQL"
                )
            cmd = [str(runuser), "-u", SYSTEM_USER, "--", *cmd]
        log.debug("running %s", shlex.join(cmd))
        return subprocess.run(
            cmd,
            cwd=self.base_dir,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "LC_ALL": "C"},
            check=False,
        )

    def _init_cluster(self) -> None:
        """Create a private dir (owned by postgres when root) and run initdb in it."""
        if self._as_root():
            try:
                account = pwd.getpwnam(SYSTEM_USER)
            except KeyError:
                raise RuntimeError(
                    f"running as root needs the {SYSTEM_USER!r} system user; {INSTALL_HINT}"
                ) from None
            self.base_dir = Path(tempfile.mkdtemp(prefix="madoguchi-pg-", dir="/tmp"))
            os.chown(self.base_dir, account.pw_uid, account.pw_gid)
            os.chmod(self.base_dir, 0o755)
        else:
            self.base_dir = Path(tempfile.mkdtemp(prefix="madoguchi-pg-"))
        assert self.data_dir is not None
        done = self._run(
            [
                "initdb", "-D", str(self.data_dir), "-A", "trust", "-U", SUPERUSER,
                "--no-sync", "-E", "UTF8", "--locale=C",
            ],
            timeout=120,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed ({done.returncode}):\n{done.stdout}{done.stderr}")

    def _pg_ctl_start(self, port: int) -> bool:
        """Start the postmaster with pg_ctl -w; True when it accepts connections."""
        assert self.data_dir is not None and self.base_dir is not None
        options = " ".join(
            [f"-h {LOCALHOST}", f"-p {port}", f"-k {shlex.quote(str(self.base_dir))}"]
            + [f"-c {setting}" for setting in SERVER_SETTINGS]
        )
        done = self._run(
            [
                "pg_ctl", "-D", str(self.data_dir), "-o", options, "-w",
                "-t", str(int(self.start_timeout)), "-l", str(self.log_path), "start",
            ],
            timeout=self.start_timeout + 30,
        )  # fmt: skip
        if done.returncode != 0:
            log.debug("pg_ctl start failed: %s%s", done.stdout, done.stderr)
            self._kill_postmaster()
        return done.returncode == 0

    def _halt(self, mode: str = "immediate") -> None:
        """Stop the postmaster (pg_ctl stop -m MODE), keeping the data."""
        if self.data_dir is None or not (self.data_dir / "postmaster.pid").exists():
            self._running = False
            return
        try:
            done = self._run(
                ["pg_ctl", "-D", str(self.data_dir), "stop", "-m", mode, "-w", "-t", "30"],
                timeout=60,
            )
            if done.returncode != 0:
                log.warning("pg_ctl stop failed: %s%s", done.stdout, done.stderr)
        except (OSError, subprocess.SubprocessError, RuntimeError):
            log.exception("pg_ctl stop failed")
        finally:
            self._kill_postmaster()
            self._running = False

    def _kill_postmaster(self) -> None:
        """Last resort: SIGQUIT then SIGKILL the postmaster named in postmaster.pid."""
        pid_file = self.data_dir / "postmaster.pid" if self.data_dir else None
        try:
            pid = int(pid_file.read_text().split()[0]) if pid_file else 0
        except (OSError, ValueError, IndexError):
            return
        try:  # never signal a recycled pid: it must be our postmaster
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            return
        if str(self.data_dir).encode() not in cmdline:
            return
        for sig, wait in ((signal.SIGQUIT, 5.0), (signal.SIGKILL, 5.0)):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                return
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    return
                time.sleep(0.05)
