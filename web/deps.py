"""Typed dependencies of the public pages: what the app built at start-up, read per request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services import Services


def app_services(request: Request) -> Services:
    """The app's container (main.create_app puts it on app.state; filled in at start-up)."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(app_services)]
