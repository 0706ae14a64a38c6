"""The public pages' routes; each finds the app's collaborators at request time (web/deps.py)."""

from __future__ import annotations

from fastapi import APIRouter

from web.ics import build_ics_router
from web.profile_form import build_profile_router
from web.terms_page import build_terms_router


def build_web_router() -> APIRouter:
    """The terms page, the profile form and the .ics download."""
    router = APIRouter()
    for part in (build_terms_router(), build_profile_router(), build_ics_router()):
        router.include_router(part)
    return router
