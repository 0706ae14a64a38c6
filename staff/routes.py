"""Staff console routes, mounted at /staff: server-rendered pages that also answer JSON."""

from __future__ import annotations

from fastapi import APIRouter

from staff import (
    pages_account,
    pages_auth,
    pages_bookings,
    pages_closures,
    pages_office,
    pages_posters,
    pages_sites,
    pages_users,
)
from staff.console import Console, route_class


def build_staff_router(console: Console) -> APIRouter:
    """The console's routes; their dependencies (staff/deps.py) find this console and the
    app's container on `app.state` (create_app puts them there)."""
    router = APIRouter(route_class=route_class(console))
    for pages in (pages_auth, pages_account, pages_bookings, pages_closures, pages_office,
                  pages_sites, pages_users, pages_posters):
        pages.add_routes(router, console)
    return router
