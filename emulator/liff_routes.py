"""HTTP face of the emulated LIFF and LINE Login (see emulator/liff.py).

- `POST /line/oauth2/v2.1/verify` (form: id_token, client_id, user_id?): LINE Login's verify
  endpoint; no bearer token, as on api.line.me.
- `GET /liff/sdk.js`: the stand-in LIFF SDK; `GET /liff/open?user_id=&url=`: how the chat page
  opens a `https://liff.line.me/…` URL; `GET /liff/session?liff_id=`: the opener's ID token.
- `POST /api/liff/id_token` `{user_id, aud?, expires_in?}` → `{id_token}`: tokens for tests
  (another user's, expired, for another channel).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, Field

from emulator.platform import Emulator

COOKIE = "emulator_liff_user"


class IdTokenRequest(BaseModel):
    """Body of `POST /emulator/api/liff/id_token`."""

    user_id: str = Field(min_length=2, max_length=100)
    aud: str | None = Field(default=None, max_length=100)
    expires_in: int = Field(default=3600, ge=-86_400, le=86_400)


@lru_cache(maxsize=1)
def _sdk_source() -> str:
    return resources.files("emulator").joinpath("static/liff-sdk.js").read_text("utf-8")


def line_login_router(emulator: Emulator) -> APIRouter:
    """LINE Login endpoints, to mount under "/line" next to the Messaging API."""
    router = APIRouter()

    @router.post("/oauth2/v2.1/verify")
    async def verify(request: Request) -> Response:
        form = await request.form()
        result = emulator.liff.verify(str(form.get("id_token") or ""),
                                      str(form.get("client_id") or ""),
                                      str(form["user_id"]) if form.get("user_id") else None)
        return JSONResponse(result.body, result.status)

    return router


def liff_router(emulator: Emulator) -> APIRouter:
    """The stand-in SDK and the way into a LIFF app, to mount under "/liff"."""
    router = APIRouter()

    @router.get("/sdk.js", include_in_schema=False)
    async def sdk() -> Response:
        return Response(_sdk_source(), media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": "no-cache"})

    @router.get("/open", include_in_schema=False)
    async def open_app(request: Request, user_id: str = Query(min_length=2, max_length=100),
                       url: str = Query(max_length=2000)) -> Response:
        target = emulator.liff.open_redirect(url)
        if target is None:
            return JSONResponse({"detail": "not a https://liff.line.me/ URL"}, 400)
        response = RedirectResponse(target[0], status_code=302)
        base = str(request.url.path).rsplit("/liff/", 1)[0]
        response.set_cookie(COOKIE, user_id, path=base or "/", httponly=True, samesite="lax")
        return response

    @router.get("/session", include_in_schema=False)
    async def session(request: Request, liff_id: str = Query(max_length=100)) -> Response:
        user_id = request.cookies.get(COOKIE)
        if not user_id:
            return JSONResponse({"message": "not logged in"}, 401)
        token = emulator.liff.mint(user_id, emulator.liff.channel_of(liff_id))
        return JSONResponse({"id_token": token}, headers={"Cache-Control": "no-store"})

    return router


def liff_driver_router(emulator: Emulator) -> APIRouter:
    """Driver calls for LIFF, to mount under "/api"."""
    router = APIRouter()

    @router.post("/liff/id_token")
    async def id_token(request: IdTokenRequest) -> Response:
        try:
            token = emulator.liff.mint(request.user_id, request.aud, request.expires_in)
        except ValueError as exc:
            return JSONResponse({"detail": str(exc)}, 400)
        return JSONResponse({"id_token": token})

    return router
