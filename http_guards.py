"""ASGI guards every route shares: body-size limits and the public pages' security headers.

Both sit in front of the routes (DESIGN.md §12), so a route added later is covered without
remembering to be.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from config import Settings

# Largest request body per path prefix; the first match wins. LINE's webhook bodies stay well
# under 1 MB; the emulator takes rich menu images (LINE's limit is 1 MB) in demo and tests.
BODY_LIMITS: tuple[tuple[str, int], ...] = (
    ("/line/webhook", 1_000_000),
    ("/emulator/", 2_000_000),
    ("/form/", 16_000),
    ("/staff/", 64_000),
)
DEFAULT_BODY_LIMIT = 16_000
TOO_LARGE = "リクエストが大きすぎます。"
# Pages users open from the chat (DESIGN.md §12); the console sets its own, stricter ones.
PUBLIC_PREFIXES = ("/form/", "/terms/", "/ics/", "/accessibility")


def body_limit(path: str) -> int:
    """The most bytes a request to `path` may send."""
    for prefix, limit in BODY_LIMITS:
        if path.startswith(prefix):
            return limit
    return DEFAULT_BODY_LIMIT


class BodyLimit:
    """Refuse an oversized body from Content-Length before reading it; count it otherwise."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _refuse(scope, receive, send, 413 if declared.isdigit() else 400)
            return
        seen = 0

        async def capped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:  # raised into the route: the framework answers 413
                    raise HTTPException(status_code=413, detail=TOO_LARGE)
            return message

        await self.app(scope, capped, send)


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int) -> None:
    from starlette.responses import JSONResponse

    detail = TOO_LARGE if status == 413 else "Content-Length が正しくありません。"
    await JSONResponse({"detail": detail}, status_code=status,
                       headers={"Connection": "close"})(scope, receive, send)


def public_headers(settings: Settings) -> dict[str, str]:
    """CSP and friends for the public pages; the LIFF SDK's origin may load scripts."""
    sdk = urlsplit(settings.liff_sdk_url)
    sdk_origin = f"{sdk.scheme}://{sdk.netloc}" if settings.liff_id and sdk.netloc else ""
    scripts = " ".join(filter(None, ("'self'", sdk_origin)))
    connect = "'self' https://*.line.me https://*.line-scdn.net" if settings.liff_id else "'self'"
    headers = {
        "Content-Security-Policy": (
            f"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data:; connect-src {connect}; frame-ancestors 'self'; "
            "form-action 'self'; base-uri 'none'; object-src 'none'"),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    if settings.secure_cookies:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


class PublicPageHeaders:
    """Adds the public pages' headers where the route did not set its own."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode())
                        for k, v in public_headers(settings).items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PUBLIC_PREFIXES):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)
