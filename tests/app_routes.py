"""The app's routes as (methods, full path) pairs, read from `app.routes`, so route lists in
tests follow the app: a new route cannot escape them.

FastAPI 0.165 keeps an included router as one `_IncludedRouter` entry (its routes are in
`.original_router.routes`, its prefix in `.include_context.prefix`), so the table is walked
rather than read flat; Starlette mounts (`Mount`) are walked the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute


def routes_of(routes: Iterable[BaseRoute], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(full path, route) for every endpoint under `routes`, included routers walked."""
    for route in routes:
        included = getattr(route, "original_router", None)
        context = getattr(route, "include_context", None)
        if included is not None and context is not None:
            yield from routes_of(included.routes, prefix + (context.prefix or ""))
        elif isinstance(route, Mount):
            yield from routes_of(route.routes, prefix + route.path)
        elif isinstance(route, Route | WebSocketRoute):
            yield prefix + route.path, route
        else:
            raise TypeError(f"a route this walk does not know: {route!r}")


def route_table(app: Any) -> list[tuple[frozenset[str], str]]:
    """Every endpoint of `app` as (methods, full path), in the app's order."""
    table: list[tuple[frozenset[str], str]] = []
    for path, route in routes_of(app.routes):
        if isinstance(route, WebSocketRoute):
            methods = frozenset({"WEBSOCKET"})
        else:
            methods = frozenset(route.methods or ())
        table.append((methods, path))
    return table
