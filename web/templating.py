"""Rendering the public pages: the templates, the headers of pages with personal data, the CSP."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from services import Services

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
            "X-Robots-Tag": "noindex", "X-Content-Type-Options": "nosniff"}
# Where LINE's own SDK talks to when it runs the page as a LIFF app.
LINE_ORIGINS = ("https://api.line.me", "https://access.line.me", "https://liffsdk.line-scdn.net")


def content_policy(nonce: str, sdk_url: str | None) -> str:
    """CSP of the form pages: our own nonce'd scripts, plus LINE's LIFF SDK when in use."""
    scripts, connect = [f"'nonce-{nonce}'"], ["'self'"]
    if sdk_url:
        parts = urlsplit(sdk_url)
        sdk = f"{parts.scheme}://{parts.netloc}"
        scripts.append(sdk)
        connect += [sdk, *LINE_ORIGINS]
    return ("default-src 'self'; script-src " + " ".join(scripts) + "; style-src 'unsafe-inline'; "
            "img-src 'self' data:; connect-src " + " ".join(connect) + "; object-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'self'")


def form_page(request: Request, services: Services, name: str, status: int = 200,
              **values: Any) -> HTMLResponse:
    """A page of the profile form: never stored, its scripts nonce'd, LIFF's SDK when in use."""
    settings = services.settings
    liff_id = settings.liff_id
    nonce = secrets.token_urlsafe(16)
    values.setdefault("errors", {})
    headers = {**NO_STORE, "Content-Security-Policy": content_policy(
        nonce, settings.liff_sdk_url if liff_id else None)}
    return TEMPLATES.TemplateResponse(
        request, name, {"office": services.office, "minutes": settings.form_token_minutes,
                        "csp_nonce": nonce, "liff_id": liff_id,
                        "liff_sdk_url": settings.liff_sdk_url, **values},
        status_code=status, headers=headers)
