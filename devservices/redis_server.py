"""A private redis-server subprocess on 127.0.0.1 and a free port."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import IO

from devservices._common import (
    INSTALL_HINT,
    ExitGuard,
    ServerContext,
    find_executable,
    log,
    log_tail,
)
from devservices.ports import LOCALHOST, free_port

PORT_ATTEMPTS = 3
REDIS_FALLBACK = Path("/usr/bin/redis-server")


class _PortTaken(RuntimeError):
    """The chosen port was grabbed by someone else before redis-server bound it."""


def find_redis_server() -> Path:
    """Locate redis-server or raise a RuntimeError saying how to install it."""
    found = find_executable("redis-server", REDIS_FALLBACK)
    if found is None:
        raise RuntimeError(
            f"redis-server not found on PATH nor at {REDIS_FALLBACK}; {INSTALL_HINT}"
        )
    return found


def _redis_call(port: int, command: bytes, timeout: float = 0.5) -> bytes:
    """Send one inline command and return the raw reply (simple or bulk string)."""
    with socket.create_connection((LOCALHOST, port), timeout=timeout) as sock:
        sock.sendall(command + b"\r\n")
        data = b""
        while b"\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        if not data.startswith(b"$"):
            return data
        header, _, body = data.partition(b"\r\n")
        size = int(header[1:])
        while len(body) < size:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        return body[:size]


class RedisServer(ServerContext):
    """A throw-away redis-server: `with RedisServer() as r: use(r.url)`."""

    def __init__(
        self, data_dir: Path | None = None, appendonly: bool = False, start_timeout: float = 10.0
    ) -> None:
        """Configure the server; nothing runs until start() or `with`."""
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self.appendonly = appendonly
        self.start_timeout = start_timeout
        self.port = 0
        self.dir: Path | None = None
        self._owns_dir = False
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None
        self._guard = ExitGuard(self.stop)

    @property
    def url(self) -> str:
        """Connection URL for redis-py, e.g. redis://127.0.0.1:PORT/0."""
        if not self.port:
            raise RuntimeError("RedisServer is not started")
        return f"redis://{LOCALHOST}:{self.port}/0"

    @property
    def log_path(self) -> Path | None:
        """The server's log file (inside its dir)."""
        return self.dir / "redis-server.log" if self.dir else None

    @property
    def running(self) -> bool:
        """Whether the server process is alive."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        """Process id of the running server."""
        return self._proc.pid if self.running and self._proc else None

    def start(self) -> RedisServer:
        """Start the server (on its previous port after restart) and wait for PING."""
        if self.running:
            return self
        binary = find_redis_server()
        self._guard.arm()
        try:
            self._prepare_dir()
            fixed_port = self.port
            for attempt in range(1 if fixed_port else PORT_ATTEMPTS):
                port = fixed_port or free_port()
                try:
                    self._spawn(binary, port)
                    self._wait_ready(port)
                except _PortTaken:
                    self._halt(kill=True)
                    if fixed_port or attempt == PORT_ATTEMPTS - 1:
                        raise RuntimeError(
                            f"redis-server could not bind port {port}:\n{log_tail(self.log_path)}"
                        ) from None
                    continue
                self.port = port
                break
        except BaseException:
            self.stop()
            raise
        log.info("redis-server pid %s ready on port %s (dir %s)", self.pid, self.port, self.dir)
        return self

    def stop(self) -> None:
        """Stop the server and remove its temporary dir (idempotent)."""
        try:
            self._halt()
        finally:
            self._guard.disarm()
            if self._owns_dir and self.dir is not None:
                shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
            self._owns_dir = False
            self.port = 0

    def restart(self, kill: bool = False) -> RedisServer:
        """Stop (SIGTERM, or SIGKILL to mimic a crash) and start again on the same port and dir."""
        self._halt(kill=kill)
        return self.start()

    def _prepare_dir(self) -> None:
        """Create (or reuse) the working dir."""
        if self.dir is not None:
            return
        if self.data_dir is not None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self.dir, self._owns_dir = self.data_dir, False
        else:
            self.dir = Path(tempfile.mkdtemp(prefix="madoguchi-redis-"))
            self._owns_dir = True

    def _spawn(self, binary: Path, port: int) -> None:
        """Launch redis-server in the foreground with its log in the dir."""
        assert self.dir is not None and self.log_path is not None
        args = [
            str(binary),
            "--bind", LOCALHOST,
            "--port", str(port),
            "--save", "",
            "--appendonly", "yes" if self.appendonly else "no",
            "--dir", str(self.dir),
            "--daemonize", "no",
            "--protected-mode", "yes",
            "--logfile", "",
        ]  # fmt: skip
        setpriv = shutil.which("setpriv")
        if setpriv and threading.current_thread() is threading.main_thread():
            # Die with us even if we are SIGKILLed (only safe from the main thread).
            args = [setpriv, "--pdeathsig", "TERM", "--", *args]
        self._log_file = open(self.log_path, "ab")  # closed in _halt()
        # A session of its own: Ctrl-C in the terminal signals the whole foreground process
        # group, and Redis must outlive the app and worker that are still shutting down on
        # it; only stop() (or pdeathsig, if we die) ends it.
        self._proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def _wait_ready(self, port: int) -> None:
        """Poll PING until this very process answers, or fail with the log."""
        assert self._proc is not None
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                tail = log_tail(self.log_path)
                if "Address already in use" in tail:
                    raise _PortTaken(tail)
                raise RuntimeError(
                    f"redis-server exited with code {self._proc.returncode}:\n{tail}"
                )
            try:
                if _redis_call(port, b"PING").startswith(b"+PONG"):
                    info = _redis_call(port, b"INFO server").decode(errors="replace")
                    if f"process_id:{self._proc.pid}\r" in info:
                        return
                    raise _PortTaken(f"another server answers on port {port}")
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError(
            f"redis-server did not answer PING on port {port} within {self.start_timeout} s:\n"
            f"{log_tail(self.log_path)}"
        )

    def _halt(self, kill: bool = False) -> None:
        """Terminate the process (keeping the dir) and wait for it."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            if kill:
                proc.kill()
            else:
                proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
