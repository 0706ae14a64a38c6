"""The public pages' routes; each finds the app's collaborators at request time (web/deps.py)."""

from __future__ import annotations

from fastapi import APIRouter

from web.accessibility_page import build_accessibility_router
from web.ics import build_ics_router
from web.profile_form import build_profile_router
from web.terms_page import build_terms_router


def build_web_router() -> APIRouter:
    """The terms page, the profile form, the .ics download and the accessibility statement."""
    router = APIRouter()
    for part in (build_terms_router(), build_profile_router(), build_ics_router(),
                 build_accessibility_router()):
        router.include_router(part)
    return router
