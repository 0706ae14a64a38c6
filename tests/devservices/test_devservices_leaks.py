"""No leaks: free ports, cleanup at exit, on KeyboardInterrupt and when the parent dies."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from devservices import free_port
from devservices.ports import port_is_open

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _child(code: str) -> subprocess.Popen[str]:
    """Run Python code in a child process with the project importable."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True
    )


def _wait_closed(port: int, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not port_is_open(port):
            return True
        time.sleep(0.05)
    return False


def test_free_port_is_bindable() -> None:
    port = free_port()
    assert 1024 < port < 65536
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_keyboard_interrupt_without_stop_cleans_up_at_exit() -> None:
    code = """
import json
from devservices import PostgresServer, RedisServer
r = RedisServer(appendonly=True).start()
p = PostgresServer().start()
print(json.dumps([r.port, str(r.dir), p.port, str(p.base_dir)]), flush=True)
raise KeyboardInterrupt
"""
    child = _child(code)
    out, _ = child.communicate(timeout=60)
    assert child.returncode != 0
    redis_port, redis_dir, pg_port, pg_dir = json.loads(out.splitlines()[-1])
    assert not port_is_open(redis_port)
    assert not port_is_open(pg_port)
    assert not Path(redis_dir).exists()
    assert not Path(pg_dir).exists()


def test_redis_dies_with_a_killed_parent() -> None:
    code = """
import json, time
from devservices import RedisServer
r = RedisServer().start()
print(json.dumps([r.port, str(r.dir)]), flush=True)
time.sleep(60)
"""
    child = _child(code)
    assert child.stdout is not None
    port, data_dir = json.loads(child.stdout.readline())
    try:
        assert port_is_open(port)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
        assert _wait_closed(port)
    finally:
        child.stdout.close()
        shutil.rmtree(data_dir, ignore_errors=True)  # a SIGKILLed owner cannot remove it
