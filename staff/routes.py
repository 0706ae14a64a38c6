"""Staff console routes, mounted at /staff."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter


def build_staff_router(services: Any) -> APIRouter:
    """The console; `services` is the app's container (filled in at start-up)."""
    return APIRouter()
