"""Rendering the public pages: the templates, the headers of pages with personal data, the CSP."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from dialogs import i18n
from services import Services
from web.reader_language import reader_language

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
TEMPLATES.env.add_extension("jinja2.ext.i18n")
# {% trans %} and _() in the templates read the language the page is rendered in.
TEMPLATES.env.install_gettext_callables(  # type: ignore[attr-defined]
    gettext=lambda message: i18n.active().gettext(message),
    ngettext=lambda one, many, n: i18n.active().gettext(one if n == 1 else many),
    newstyle=True)
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


def page(request: Request, name: str, language: str | None, context: dict[str, Any],
         status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    """A public page in the reader's language (Japanese unless one is known), `lang` set."""
    with i18n.speaking(language) as words:
        return TEMPLATES.TemplateResponse(
            request, name, {**context, "html_lang": html_lang(words.code), "language": words.code},
            status_code=status, headers=headers)


def html_lang(code: str) -> str:
    """The page's `lang` attribute (BCP 47): ja, en, zh-Hans, pt-BR ...; やさしい日本語 is ja."""
    return "ja" if code == "ja_easy" else code.replace("_", "-")


def form_page(request: Request, services: Services, name: str, status: int = 200,
              language: str | None = None, **values: Any) -> HTMLResponse:
    """A page of the profile form: never stored, its scripts nonce'd, LIFF's SDK when in use."""
    settings = services.settings
    liff_id = settings.liff_id
    nonce = secrets.token_urlsafe(16)
    values.setdefault("errors", {})
    headers = {**NO_STORE, "Content-Security-Policy": content_policy(
        nonce, settings.liff_sdk_url if liff_id else None)}
    if language is None:  # nobody we know (a link that no longer opens): the browser's language
        language = reader_language(request)
    return page(request, name, language,
                {"office": services.office, "minutes": settings.form_token_minutes,
                 "csp_nonce": nonce, "liff_id": liff_id,
                 "liff_sdk_url": settings.liff_sdk_url, **values}, status, headers)
