"""Private redis-server: real use, AOF across restarts, clean stop."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from devservices import RedisServer
from devservices import redis_server as redis_module
from devservices.ports import port_is_open


async def test_set_get_over_redis_asyncio() -> None:
    with RedisServer() as server:
        assert server.url == f"redis://127.0.0.1:{server.port}/0"
        client = aioredis.Redis.from_url(server.url)
        try:
            await client.set("greeting", "こんにちは")
            assert (await client.get("greeting")).decode() == "こんにちは"
            assert await client.config_get("save") == {"save": ""}
            assert await client.config_get("appendonly") == {"appendonly": "no"}
            assert await client.config_get("bind") == {"bind": "127.0.0.1"}
        finally:
            await client.aclose()


@pytest.mark.parametrize("kill", [False, True], ids=["sigterm", "crash"])
async def test_restart_keeps_aof_data_on_same_port(kill: bool) -> None:
    with RedisServer(appendonly=True) as server:
        port, data_dir, pid = server.port, server.dir, server.pid
        client = aioredis.Redis.from_url(server.url)
        await client.set("survivor", "1")
        await client.aclose()

        server.restart(kill=kill)

        assert (server.port, server.dir) == (port, data_dir)
        assert server.pid != pid
        client = aioredis.Redis.from_url(server.url)
        try:
            assert await client.get("survivor") == b"1"
        finally:
            await client.aclose()


async def test_without_aof_restart_starts_empty() -> None:
    with RedisServer() as server:
        client = aioredis.Redis.from_url(server.url)
        await client.set("ephemeral", "1")
        await client.aclose()
        server.restart()
        client = aioredis.Redis.from_url(server.url)
        try:
            assert await client.get("ephemeral") is None
        finally:
            await client.aclose()


def test_stop_closes_port_and_removes_temp_dir() -> None:
    server = RedisServer().start()
    port, data_dir = server.port, server.dir
    assert data_dir is not None and data_dir.is_dir()
    assert port_is_open(port)

    server.stop()

    assert not port_is_open(port)
    assert not data_dir.exists()
    assert not server.running
    server.stop()  # idempotent


def test_ctrl_c_in_the_terminal_does_not_reach_redis() -> None:
    # Ctrl-C signals the terminal's foreground process group: the demo's app and worker still
    # need Redis while they shut down, so only its owner's stop() may end it.
    with RedisServer() as server:
        assert server.pid is not None
        assert os.getpgid(server.pid) != os.getpgid(0)
        assert os.getsid(server.pid) != os.getsid(0)


async def test_given_data_dir_is_used_and_kept(tmp_path: Path) -> None:
    data_dir = tmp_path / "redis"
    with RedisServer(data_dir=data_dir, appendonly=True) as server:
        assert server.dir == data_dir
        client = aioredis.Redis.from_url(server.url)
        await client.set("kept", "yes")
        await client.aclose()
    assert data_dir.is_dir()

    with RedisServer(data_dir=data_dir, appendonly=True) as server:
        client = aioredis.Redis.from_url(server.url)
        try:
            assert await client.get("kept") == b"yes"
        finally:
            await client.aclose()


def test_taken_port_fails_with_the_server_log() -> None:
    with RedisServer() as first:
        second = RedisServer()
        second.port = first.port  # as on restart: the port is fixed, no retry
        with pytest.raises(RuntimeError, match=f"could not bind port {first.port}"):
            second.start()
        assert not second.running
        assert second.dir is None
        assert port_is_open(first.port)


def test_url_before_start_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="not started"):
        _ = RedisServer().url


def test_missing_binary_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(redis_module, "REDIS_FALLBACK", tmp_path / "redis-server")
    with pytest.raises(RuntimeError, match=r"\./dev test"):
        RedisServer().start()
