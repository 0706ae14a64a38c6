"""App factory and command line: serve | handle | worker | demo | migrate | richmenu | staff."""

from __future__ import annotations

import argparse
import asyncio
import gc
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from pydantic import ValidationError

from clock import Clock
from config import (
    DEMO_ACCESS_TOKEN,
    DEMO_CHANNEL_SECRET,
    DEMO_SECRET_KEY,
    LOOPBACK_HOSTS,
    Settings,
    get_settings,
)
from logs import configure_logging

if TYPE_CHECKING:
    from fastapi import FastAPI
    from starlette.types import ASGIApp, Receive, Scope, Send

    from services import Services


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    """The web app: webhook, pages, staff console, and (demo/test) the LINE emulator."""
    # Imported here, not at the top: the command line refuses a bad configuration at once,
    # before the whole app is loaded.
    from fastapi import FastAPI
    from fastapi.responses import JSONResponse, RedirectResponse

    from bot.webhook import WebhookFirst
    from http_guards import BodyLimit, PublicPageHeaders
    from proxy import TrustedProxies
    from services import Services
    from staff import Console, build_staff_router
    from web import build_web_router

    settings = settings or get_settings()
    services = Services(settings, clock)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await services.start()
        if settings.emulator:  # the driver's "wait until handled", from any handler process
            await services.tracker.start(services.stream)
        if settings.run_handlers_in_process:
            services.start_handler()
        tune_gc()
        yield
        await services.stop()

    app = FastAPI(title="madoguchi", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None if settings.is_production else "/openapi.json")
    app.state.services = services
    app.add_middleware(FreshOffice, services=services)
    app.add_middleware(PublicPageHeaders, settings=settings)
    app.add_middleware(BodyLimit)
    # Outermost: everything behind it sees the client the trusted proxy vouched for.
    app.add_middleware(TrustedProxies, networks=settings.proxy_networks)
    # In front of all of them: the webhook keeps only its body limit (bot/webhook.py).
    app.add_middleware(WebhookFirst, channel_secret=settings.line_channel_secret,
                       stream=lambda: services.stream, state=app.state)
    app.include_router(build_web_router())
    app.state.console = Console(services)  # staff/deps.py finds it here
    app.include_router(build_staff_router(app.state.console), prefix="/staff")
    if settings.emulator:
        from emulator import Emulator, build_router

        services.emulator = Emulator(
            channel_secret=settings.line_channel_secret,
            webhook_url=settings.public_base_url.rstrip("/") + "/line/webhook",
            wait_for=services.tracker.wait, wait_timeout=settings.emulator_wait_seconds,
            liff_channel_id=settings.liff_audience or None)
        app.include_router(build_router(services.emulator), prefix="/emulator")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        try:
            await services.redis.ping()
            async with services.db.connect() as conn:
                await conn.exec_driver_sql("SELECT 1")
        except Exception:
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ready"})

    @app.get("/")
    async def root() -> RedirectResponse:
        return RedirectResponse("/emulator/" if settings.emulator else "/staff/")

    return app


class FreshOffice:
    """ASGI middleware: before each request, the office change counter is read (at most once
    per services.OFFICE_CHECK), so a change staff saved through another process reaches pages."""

    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.services.refresh_office()
        await self.app(scope, receive, send)


def tune_gc() -> None:
    """Keep the collector's full passes off the webhook's hot path.

    Everything built at start-up (SQLAlchemy, pydantic, FastAPI) lives as long as the process:
    freezing it spares the collector scanning it again, and rarer passes spare the event loop
    pauses that held webhook answers up for ~200 ms under load (bench/RESULTS.md: ack p99 at
    300 events/s 197 ms before, 21 ms after, and about a quarter more events handled per second).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


def cmd_migrate(settings: Settings) -> None:
    from storage.db import make_engine
    from storage.migrate import upgrade

    async def run() -> None:
        engine = make_engine(settings.database_url)
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(run())
    print("migrated:", settings.database_url.split("@")[-1])


def cmd_richmenu(settings: Settings) -> int:
    """Create the rich menu, upload its generated image and make it the default."""
    from bot.richmenu import install

    data_host = settings.line_host.replace("://api.", "://api-data.")
    menu_id = asyncio.run(install(api_host=settings.line_host, data_host=data_host,
                                  token=settings.line_channel_access_token))
    print("rich menu installed:", menu_id)
    return 0


def cmd_serve(settings: Settings, host: str, port: int) -> int:
    import uvicorn

    if settings.emulator and host not in LOOPBACK_HOSTS:
        print(f"madoguchi: MADOGUCHI_EMULATOR is only served on loopback, not on {host}",
              file=sys.stderr)
        return 2
    uvicorn.run(create_app(settings), host=host, port=port, log_config=None, proxy_headers=False)
    return 0


def cmd_demo(port: int) -> int:
    """Everything on embedded defaults: SQLite file, private redis-server, emulator, worker."""
    from pathlib import Path

    from devservices import RedisServer
    from devservices.ports import free_port, port_is_open

    root = Path(".demo").resolve()
    root.mkdir(exist_ok=True)
    if port_is_open(port):
        port = free_port()
    with RedisServer(data_dir=root / "redis", appendonly=True) as redis:
        settings = Settings(
            _env_file=None, environment="demo",  # type: ignore[call-arg]
            database_url=f"sqlite+aiosqlite:///{root / 'madoguchi.sqlite3'}",
            redis_url=redis.url, public_base_url=f"http://127.0.0.1:{port}",
            secret_key=DEMO_SECRET_KEY, line_channel_secret=DEMO_CHANNEL_SECRET,
            line_channel_access_token=DEMO_ACCESS_TOKEN, emulator=True, auto_migrate=True,
            # On loopback with a printed password: TOTP would only stand between a visitor and
            # the console tour. Production keeps it on (the default).
            admin_mfa_required=False)
        try:
            asyncio.run(_run_demo(settings, port))
        except KeyboardInterrupt:
            pass  # Ctrl-C is how the demo stops: the app and the worker have shut down by now
        finally:
            # Another Ctrl-C (`timeout -s INT` signals twice) must not cut Redis's stop short.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    return 0


async def _run_demo(settings: Settings, port: int) -> None:
    import uvicorn

    from demo_setup import prepare_demo

    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                                           proxy_headers=False))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        if serving.done():
            await serving
            return
        await asyncio.sleep(0.05)
    # The worker shares the app's connections: Services.stop() cancels it before closing them.
    app.state.services.background.extend(await prepare_demo(app.state.services))
    await serving


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="main.py", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web app")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    sub.add_parser("migrate", help="apply database migrations")
    sub.add_parser("worker", help="run background jobs")
    sub.add_parser("handle", help="handle webhook events from the event stream")
    demo = sub.add_parser("demo", help="everything on embedded defaults")
    demo.add_argument("--port", type=int, default=8000)
    sub.add_parser("richmenu", help="create and upload the rich menu")
    staff = sub.add_parser("staff", help="manage staff accounts")
    staff.add_argument("args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command == "demo":
        configure_logging(json_lines=False)
        return cmd_demo(args.port)
    try:
        settings = get_settings()
    except ValidationError as bad:
        # One line that says which setting is wrong; no traceback, a non-zero exit.
        reasons = "; ".join(str(e.get("ctx", {}).get("error") or e["msg"]) for e in bad.errors())
        print(f"madoguchi: refusing to start: {reasons}", file=sys.stderr)
        return 2
    configure_logging(json_lines=settings.log_json)
    if args.command == "migrate":
        cmd_migrate(settings)
    elif args.command == "serve":
        return cmd_serve(settings, args.host, args.port)
    elif args.command == "richmenu":
        return cmd_richmenu(settings)
    elif args.command == "staff":
        from staff.cli import run as staff_cli

        return staff_cli(settings, args.args)
    elif args.command == "handle":
        from bot.handle_cli import run as handle_cli

        return handle_cli(settings)
    elif args.command == "worker":
        from worker.cli import run as worker_cli

        return worker_cli(settings)
    else:
        print(f"{args.command}: not available yet", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
