"""The production path as a whole (DESIGN.md §12): `migrate`, `serve`, `handle` and `worker` as
processes with production settings, the LINE platform (the emulator) as a process of its own.
The web process only acknowledges webhooks (events go to the Redis stream); the `handle`
process runs the steps.

A signed follow → consent → the profile form → a booking reaches 申込中 and the linked staff
member is pushed the alert; the app serves no emulator and no OpenAPI schema; every unsafe
configuration refuses to start with its own one-line message.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import select, update

from devservices import PostgresServer, RedisServer, free_port
from storage.db import make_engine
from storage.models import Booking, StaffAccount
from tests import loopback
from tests.evidence import saw_line_id, subprocess_log
from tests.flows.journeys import NAME, NUMBER, PHONE, first_time_button
from tests.helpers import button, eventually, tap, texts
from tests.privacy import findings

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = "https://madoguchi.example.jp"
WAIT = 120.0  # generous: a loaded 2-core machine starts five Python processes here
# The module's set-up (migrate, a staff account, five processes) is counted in each test's
# time: on a loaded machine it alone took longer than the suite's default 120 s.
pytestmark = pytest.mark.timeout(600)



@dataclass
class Stack:
    """The processes of one production-mode deployment and how to reach them."""

    app_url: str
    emulator_url: str
    env: dict[str, str]
    database_url: str
    logs: Path

    def send(self, user: str, **event: Any) -> list[dict[str, Any]]:
        """Act as a LINE user through the emulator's driver API (signed webhook to the app)."""
        response = loopback.post(self.emulator_url + "/emulator/api/send",
                              json={"user_id": user, **event}, timeout=WAIT)
        response.raise_for_status()
        return response.json()["messages"]

    def messages(self, user: str) -> list[dict[str, Any]]:
        response = loopback.get(self.emulator_url + "/emulator/api/messages",
                             params={"user_id": user}, timeout=WAIT)
        response.raise_for_status()
        return response.json()["messages"]


def production_env(database_url: str, redis_url: str, app_port: int,
                   emulator_port: int) -> dict[str, str]:
    """Real-shaped secrets, https base URL, emulator off, LINE's API host = the emulator."""
    values = {
        "ENVIRONMENT": "production", "DATABASE_URL": database_url, "REDIS_URL": redis_url,
        "REDIS_PREFIX": f"p{uuid.uuid4().hex[:8]}", "PUBLIC_BASE_URL": PUBLIC,
        "SECRET_KEY": secrets.token_urlsafe(48), "LINE_CHANNEL_SECRET": secrets.token_hex(16),
        "LINE_CHANNEL_ACCESS_TOKEN": secrets.token_urlsafe(96),
        "LINE_API_HOST": f"http://127.0.0.1:{emulator_port}/emulator/line",
        "EMULATOR": "false", "LOG_JSON": "true", "TRUSTED_PROXIES": "127.0.0.1",
    }
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MADOGUCHI_")}
    return {**clean, "PYTHONPATH": str(ROOT),
            **{f"MADOGUCHI_{key}": value for key, value in values.items()}}


def run_main(env: dict[str, str], *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=180, stdin=subprocess.DEVNULL,
                          env={**env, **extra})


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with subprocess_log(log).open("wb") as out:
        return subprocess.Popen(args, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT)


def healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> bool:
    assert proc.poll() is None, log.read_text()[-3000:]
    try:
        return loopback.get(url + "/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def stop(proc: subprocess.Popen[bytes]) -> int:
    if proc.poll() is None:
        proc.terminate()
        try:
            return proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    return proc.returncode


@pytest.fixture(scope="module")
def stack(pg_server: PostgresServer, redis_server: RedisServer,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    logs = tmp_path_factory.mktemp("production")
    name = f"prod_{uuid.uuid4().hex[:10]}"
    pg_server.create_database_sync(name)
    app_port, emulator_port = free_port(), free_port()
    env = production_env(pg_server.dsn_for(name), redis_server.url, app_port, emulator_port)
    emulator_env = {**env, "EMULATOR_CHANNEL_SECRET": env["MADOGUCHI_LINE_CHANNEL_SECRET"],
                    "EMULATOR_ACCESS_TOKEN": env["MADOGUCHI_LINE_CHANNEL_ACCESS_TOKEN"],
                    "EMULATOR_WEBHOOK_URL": f"http://127.0.0.1:{app_port}/line/webhook",
                    "EMULATOR_WAIT_SECONDS": "30"}
    stack = Stack(app_url=f"http://127.0.0.1:{app_port}",
                  emulator_url=f"http://127.0.0.1:{emulator_port}", env=env,
                  database_url=pg_server.dsn_for(name), logs=logs)
    # LINE (the emulator) needs no database: it starts while the database is prepared.
    emulator = start([sys.executable, "-m", "uvicorn", "emulator.standalone:create_app",
                      "--factory", "--host", "127.0.0.1", "--port", str(emulator_port),
                      "--log-level", "warning"], emulator_env, logs / "emulator.log")
    apps: dict[str, subprocess.Popen[bytes]] = {}
    try:
        migrated = run_main(env, "migrate")
        assert migrated.returncode == 0, migrated.stderr
        # Before the processes start: it seeds the office they all read at start-up.
        added = run_main(env, "staff", "add", "alerts", "--role", "staff", "--name", "窓口 花子",
                         MADOGUCHI_STAFF_PASSWORD=secrets.token_urlsafe(18))
        assert added.returncode == 0, added.stderr
        apps["web"] = start([sys.executable, "main.py", "serve", "--port", str(app_port)], env,
                            logs / "web.log")
        for command in ("worker", "handler"):
            apps[command] = start([sys.executable, "main.py",
                                   "handle" if command == "handler" else command], env,
                                  logs / f"{command}.log")
        eventually(lambda: healthy(stack.emulator_url, emulator, logs / "emulator.log"),
                   "the emulator")
        eventually(lambda: healthy(stack.app_url, apps["web"], logs / "web.log"), "the app")
        yield stack
        for command in ("worker", "handler"):
            assert apps[command].poll() is None, (logs / f"{command}.log").read_text()[-3000:]
    finally:
        codes = {command: stop(proc) for command, proc in apps.items()}
        stop(emulator)
    # uvicorn re-raises the SIGTERM it handled once it has shut down cleanly.
    assert codes["worker"] == 0 and codes["handler"] == 0, codes
    assert codes["web"] in (0, -signal.SIGTERM), codes
    assert "Application shutdown complete" in (logs / "web.log").read_text()


def db(stack: Stack, work: Callable[[Any], Any]) -> Any:
    """Run `work(connection)` against the deployment's database (set-up and checks)."""
    async def run() -> Any:
        engine = make_engine(stack.database_url)
        try:
            async with engine.begin() as conn:
                return await work(conn)
        finally:
            await engine.dispose()
    return asyncio.run(run())


def fill_the_form(stack: Stack, link: str) -> httpx.Response:
    """Open the link as a browser on the public host would, then submit the profile."""
    assert link.startswith(PUBLIC + "/form/profile?")
    local = stack.app_url + link.removeprefix(PUBLIC)
    # The cookies are Secure (production): this plain-http loopback client carries them by hand.
    with loopback.client(follow_redirects=False, timeout=WAIT) as browser:
        opened = browser.get(local)
        cookie, fields = "", {"t": urlsplit(link).query.split("t=", 1)[1].split("&")[0]}
        if opened.status_code in (302, 303):
            set_cookie = opened.headers["set-cookie"]
            assert "Secure" in set_cookie and "HttpOnly" in set_cookie
            cookie = set_cookie.split(";", 1)[0]
            target = opened.headers["location"].removeprefix(PUBLIC)
            opened = browser.get(stack.app_url + target, headers={"Cookie": cookie})
            fields = {}
        assert opened.status_code == 200, opened.text
        assert opened.headers["strict-transport-security"].startswith("max-age=")
        data = {**fields, "role": "jobseeker", "name": NAME, "number": NUMBER, "phone": PHONE}
        return browser.post(stack.app_url + "/form/profile", data=data,
                            headers={"Cookie": cookie} if cookie else {})


def test_a_booking_goes_through_the_production_processes(stack: Stack):
    staff_line = saw_line_id("U" + uuid.uuid4().hex)
    db(stack, lambda conn: conn.execute(update(StaffAccount).where(
        StaffAccount.login == "alerts").values(line_user_id=staff_line)))
    user = saw_line_id("U" + uuid.uuid4().hex)

    terms = stack.send(user, event="follow")
    assert "同意する" in texts(terms)
    tap(stack, user, terms, "同意する")
    asked = stack.send(user, text="予約する")
    roles = tap(stack, user, asked, "求職者（仕事を探している方）")
    form = tap(stack, user, roles, "登録しています")
    saved = fill_the_form(stack, button(form, "入力フォームを開く")["uri"])
    assert saved.status_code == 200 and "保存しました" in saved.text

    purposes = eventually(lambda: [m for m in stack.messages(user)
                                   if "ご用件を選んでください" in texts([m])],
                          "the chat to go on after the form")
    attendants = tap(stack, user, purposes, "職業相談")
    days = tap(stack, user, attendants, "同席者なし")
    times = tap(stack, user, days, "この日を選ぶ")
    summary = stack.send(user, postback=first_time_button(times)["data"])
    done = tap(stack, user, summary, "確定する")
    assert "申込中" in texts(done)

    rows = db(stack, lambda conn: _all(conn, select(Booking.status)))
    assert rows == [("requested",)]
    alert = eventually(lambda: texts(stack.messages(staff_line)), "the staff alert")
    assert "五所川原 様" in alert and NAME not in alert

    for path in ("/emulator/", "/emulator/api/messages?user_id=" + user, "/openapi.json",
                 "/docs"):
        assert loopback.get(stack.app_url + path).status_code == 404, path
    for name in ("web.log", "worker.log", "handler.log"):  # JSON lines, user ids as peppered HMACs
        logged = (stack.logs / name).read_text(encoding="utf-8", errors="replace")
        assert not findings(logged) and user not in logged, (name, findings(logged)[:5])


async def _all(conn: Any, statement: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in (await conn.execute(statement)).all()]


@pytest.mark.parametrize(("setting", "value", "message"), [
    ("SECRET_KEY", "change-me", "MADOGUCHI_SECRET_KEY"),
    ("SECRET_KEY", "demo-secret-key-not-for-production".upper(), "MADOGUCHI_SECRET_KEY"),
    ("SECRET_KEY", "short", "MADOGUCHI_SECRET_KEY"),
    ("LINE_CHANNEL_SECRET", "demo-channel-secret", "MADOGUCHI_LINE_CHANNEL_SECRET"),
    ("LINE_CHANNEL_ACCESS_TOKEN", "change-me", "MADOGUCHI_LINE_CHANNEL_ACCESS_TOKEN"),
    ("PUBLIC_BASE_URL", "http://madoguchi.example.jp", "MADOGUCHI_PUBLIC_BASE_URL"),
    ("EMULATOR", "true", "MADOGUCHI_EMULATOR"),
    ("TRUSTED_PROXIES", "not-an-address", "MADOGUCHI_TRUSTED_PROXIES"),
])
def test_each_unsafe_configuration_refuses_to_start(stack: Stack, setting, value, message):
    done = run_main(stack.env, "serve", "--port", str(free_port()),
                    **{f"MADOGUCHI_{setting}": value})
    assert done.returncode == 2, done.stderr[-2000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("madoguchi: refusing to start:"), lines
    assert message in lines[0]


def test_the_worker_and_migrations_refuse_the_same_way(stack: Stack):
    for command in (["worker"], ["migrate"], ["staff", "list"]):
        done = run_main(stack.env, *command, MADOGUCHI_SECRET_KEY="change-me")
        assert done.returncode == 2, (command, done.stderr[-2000:])
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "MADOGUCHI_SECRET_KEY" in lines[0], lines
