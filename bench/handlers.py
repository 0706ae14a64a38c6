"""`python main.py handle` processes for the benchmarks that run the web process without an
in-process handler (as production does)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bench.common import ROOT


class HandlerProcess:
    """One `main.py handle` (or `worker`) process with the app's `MADOGUCHI_*` settings."""

    def __init__(self, env: dict[str, str], name: str, command: str = "handle") -> None:
        self.command = command
        self.env = {**os.environ, **env, "PYTHONPATH": str(ROOT),
                    "MADOGUCHI_AUTO_MIGRATE": "false"}
        self.log_path = Path(f"/tmp/madoguchi-bench-handler-{name}-{os.getpid()}.log")
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 300.0) -> HandlerProcess:
        """Start it; a handler is waited for until it reads the stream (a loaded machine takes
        tens of seconds to import and connect), so a measurement never starts without it."""
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log_file:
            self.proc = subprocess.Popen([sys.executable, "main.py", self.command], cwd=ROOT,
                                         env=self.env, stdin=subprocess.DEVNULL,
                                         stdout=log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while self.command == "handle":
            with open(self.log_path, "rb") as log_file:
                log_file.seek(offset)
                if b"handler started" in log_file.read():
                    break
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"handler did not start: {self.log_path.read_text()[-2000:]}")
            time.sleep(0.1)
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def kill(self) -> None:
        """SIGKILL: no batch finished, no lease given back."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM: the batch in hand finishes, the leases are given back."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def __enter__(self) -> HandlerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
