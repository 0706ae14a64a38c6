"""`python main.py handle` processes for the benchmarks that run the web process without an
in-process handler (as production does)."""

from __future__ import annotations

import os
import subprocess
import sys
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

    def start(self) -> HandlerProcess:
        with open(self.log_path, "ab") as log_file:
            self.proc = subprocess.Popen([sys.executable, "main.py", self.command], cwd=ROOT,
                                         env=self.env, stdin=subprocess.DEVNULL,
                                         stdout=log_file, stderr=subprocess.STDOUT)
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
