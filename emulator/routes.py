"""HTTP face of the emulator: the fake Messaging API, the driver API and the chat page.

Mount with `app.include_router(build_router(emulator), prefix="/emulator")`; the SDK then
talks to `Configuration(host=base_url + "/emulator/line")`.
"""

from __future__ import annotations

import html
import json
from collections.abc import Awaitable, Callable
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from emulator import ids
from emulator.liff_routes import liff_driver_router, liff_router, line_login_router
from emulator.platform import Emulator
from emulator.result import ApiResult, error

AUTH_REQUIRED = (
    "Authorization header required. Must follow the scheme, "
    "'Authorization: Bearer <ACCESS TOKEN>'"
)
AUTH_FAILED = (
    "Authentication failed. Confirm that the access token in the authorization header is valid."
)


class _LineError(Exception):
    """Raised inside a Messaging API endpoint to answer at once with a LINE error."""

    def __init__(self, result: ApiResult) -> None:
        super().__init__(result.body)
        self.result = result


def _respond(result: ApiResult) -> Response:
    """Turn an ApiResult into a JSON (or raw bytes) response."""
    if isinstance(result.body, bytes):
        return Response(result.body, result.status, result.headers, media_type=result.media_type)
    return JSONResponse(result.body, result.status, result.headers)


def _auth_problem(request: Request, expected: str | None) -> ApiResult | None:
    """401 unless a bearer token is given (and matches, when the emulator has one)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return error(401, AUTH_REQUIRED)
    if expected is not None and token.strip() != expected:
        return error(401, AUTH_FAILED)
    return None


def _line_route_class(emulator: Emulator) -> type[APIRoute]:
    """A route class that checks the bearer token, maps _LineError and adds x-line-request-id."""

    class LineRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
            handler = super().get_route_handler()

            async def route(request: Request) -> Response:
                request_id = ids.request_id()
                request.state.line_request_id = request_id
                problem = _auth_problem(request, emulator.access_token)
                if problem is not None:
                    response = _respond(problem)
                else:
                    try:
                        response = await handler(request)
                    except _LineError as exc:
                        response = _respond(exc.result)
                response.headers["x-line-request-id"] = request_id
                return response

            return route

    return LineRoute


async def _json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or a LINE-style 400."""
    try:
        data = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise _LineError(error(400, "The request body could not be parsed as JSON")) from None
    if not isinstance(data, dict):
        raise _LineError(error(400, "The request body must be a JSON object"))
    return data


def _line_router(emulator: Emulator) -> APIRouter:
    """The fake Messaging API (paths as on api.line.me / api-data.line.me)."""
    router = APIRouter(route_class=_line_route_class(emulator))
    menus = emulator.richmenus

    async def faulty(kind: str) -> None:
        failure = await emulator.apply_fault(kind)
        if failure is not None:
            raise _LineError(failure)

    @router.post("/v2/bot/message/reply")
    async def reply(request: Request) -> Response:
        body = await _json_object(request)
        await faulty("reply")
        return _respond(emulator.reply(body, request.state.line_request_id))

    @router.post("/v2/bot/message/push")
    async def push(request: Request) -> Response:
        body = await _json_object(request)
        await faulty("push")
        key = request.headers.get("x-line-retry-key")
        return _respond(emulator.push(body, key, request.state.line_request_id))

    @router.post("/v2/bot/message/multicast")
    async def multicast(request: Request) -> Response:
        body = await _json_object(request)
        await faulty("multicast")
        key = request.headers.get("x-line-retry-key")
        return _respond(emulator.multicast(body, key, request.state.line_request_id))

    @router.post("/v2/bot/message/validate/{kind}")
    async def validate(kind: str, request: Request) -> Response:
        if kind not in ("reply", "push", "multicast", "narrowcast", "broadcast"):
            return _respond(error(404, "Not found"))
        return _respond(emulator.validate(await _json_object(request)))

    @router.get("/v2/bot/message/quota")
    async def quota() -> Response:
        return _respond(emulator.quota())

    @router.get("/v2/bot/message/quota/consumption")
    async def quota_consumption() -> Response:
        return _respond(emulator.quota_consumption())

    @router.get("/v2/bot/message/{message_id}/content")
    async def message_content(message_id: str) -> Response:
        return _respond(emulator.message_content(message_id))

    @router.get("/v2/bot/profile/{user_id}")
    async def profile(user_id: str) -> Response:
        return _respond(emulator.profile(user_id))

    @router.post("/v2/bot/chat/loading/start")
    async def loading(request: Request) -> Response:
        return _respond(emulator.start_loading(await _json_object(request)))

    @router.get("/v2/bot/info")
    async def bot_info() -> Response:
        return _respond(emulator.bot_info())

    # Literal paths first: /richmenu/list must not be taken for /richmenu/{id}.
    @router.post("/v2/bot/richmenu")
    async def create_menu(request: Request) -> Response:
        return _respond(menus.create(await _json_object(request)))

    @router.post("/v2/bot/richmenu/validate")
    async def validate_menu(request: Request) -> Response:
        return _respond(menus.validate(await _json_object(request)))

    @router.get("/v2/bot/richmenu/list")
    async def list_menus() -> Response:
        return _respond(menus.list_menus())

    @router.post("/v2/bot/richmenu/bulk/link")
    async def bulk_link(request: Request) -> Response:
        return _respond(menus.bulk_link(await _json_object(request)))

    @router.post("/v2/bot/richmenu/bulk/unlink")
    async def bulk_unlink(request: Request) -> Response:
        return _respond(menus.bulk_unlink(await _json_object(request)))

    @router.post("/v2/bot/richmenu/alias")
    async def create_alias(request: Request) -> Response:
        return _respond(menus.create_alias(await _json_object(request)))

    @router.get("/v2/bot/richmenu/alias/list")
    async def list_aliases() -> Response:
        return _respond(menus.list_aliases())

    @router.get("/v2/bot/richmenu/alias/{alias_id}")
    async def get_alias(alias_id: str) -> Response:
        return _respond(menus.get_alias(alias_id))

    @router.post("/v2/bot/richmenu/alias/{alias_id}")
    async def update_alias(alias_id: str, request: Request) -> Response:
        return _respond(menus.update_alias(alias_id, await _json_object(request)))

    @router.delete("/v2/bot/richmenu/alias/{alias_id}")
    async def delete_alias(alias_id: str) -> Response:
        return _respond(menus.delete_alias(alias_id))

    @router.get("/v2/bot/richmenu/{menu_id}")
    async def get_menu(menu_id: str) -> Response:
        return _respond(menus.get(menu_id))

    @router.delete("/v2/bot/richmenu/{menu_id}")
    async def delete_menu(menu_id: str) -> Response:
        return _respond(menus.delete(menu_id))

    @router.post("/v2/bot/richmenu/{menu_id}/content")
    async def upload_menu_image(menu_id: str, request: Request) -> Response:
        content_type = request.headers.get("content-type", "")
        return _respond(menus.upload(menu_id, await request.body(), content_type))

    @router.get("/v2/bot/richmenu/{menu_id}/content")
    async def download_menu_image(menu_id: str) -> Response:
        return _respond(menus.download(menu_id))

    # /user/all/... before /user/{userId}/...: "all" is not a user.
    @router.post("/v2/bot/user/all/richmenu/{menu_id}")
    async def set_default_menu(menu_id: str) -> Response:
        return _respond(menus.set_default(menu_id))

    @router.get("/v2/bot/user/all/richmenu")
    async def get_default_menu() -> Response:
        return _respond(menus.get_default())

    @router.delete("/v2/bot/user/all/richmenu")
    async def clear_default_menu() -> Response:
        return _respond(menus.clear_default())

    @router.post("/v2/bot/user/{user_id}/richmenu/{menu_id}")
    async def link_menu(user_id: str, menu_id: str) -> Response:
        return _respond(menus.link(user_id, menu_id))

    @router.get("/v2/bot/user/{user_id}/richmenu")
    async def get_user_menu(user_id: str) -> Response:
        return _respond(menus.get_link(user_id))

    @router.delete("/v2/bot/user/{user_id}/richmenu")
    async def unlink_menu(user_id: str) -> Response:
        return _respond(menus.unlink(user_id))

    return router


class SendRequest(BaseModel):
    """Body of `POST /emulator/api/send`: one thing the user does."""

    user_id: str = Field(min_length=2, max_length=100)
    text: str | None = None
    postback: str | None = None
    params: dict[str, Any] | None = None
    event: Literal["follow", "unfollow"] | None = None
    sticker: bool = False
    image: bool = False
    redeliver: str | None = None
    mode: Literal["active", "standby"] = "active"
    display_text: str | None = None
    age_seconds: float = Field(default=0.0, ge=0, le=30 * 86400)
    redelivered: bool = False


class FaultRequest(BaseModel):
    """Body of `POST /emulator/api/faults`: an error status, a delay or a hold (until
    `POST /emulator/api/faults/release`) for the next calls."""

    status: int | None = Field(default=None, ge=400, le=599)
    delay: float | None = Field(default=None, ge=0, le=120)
    hold: bool = False
    count: int = Field(default=1, ge=1, le=100_000)
    kinds: list[Literal["reply", "push", "multicast"]] = ["reply", "push", "multicast"]


LANGUAGE_TAG = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"  # BCP 47, as LINE reports it


class UserRequest(BaseModel):
    """Optional body of `POST /emulator/api/users`."""

    display_name: str | None = Field(default=None, max_length=20)
    language: str | None = Field(default=None, pattern=LANGUAGE_TAG)


class LanguageRequest(BaseModel):
    """Body of `POST /emulator/api/language`: the language the user's LINE app is set to."""

    user_id: str = Field(min_length=1, max_length=64)
    language: str = Field(pattern=LANGUAGE_TAG)


class ResetRequest(BaseModel):
    """Optional body of `POST /emulator/api/reset`."""

    richmenus: bool = False


def _driver_router(emulator: Emulator) -> APIRouter:
    """The driver API that tests, benchmarks and the chat page use to act as users."""
    router = APIRouter()

    @router.post("/send")
    async def send(request: SendRequest) -> Response:
        try:
            result = await emulator.send(
                request.user_id, request.text, postback=request.postback,
                params=request.params, event=request.event, sticker=request.sticker,
                image=request.image, redeliver=request.redeliver, mode=request.mode,
                display_text=request.display_text, age_seconds=request.age_seconds,
                redelivered=request.redelivered,
            )
        except ValueError as exc:
            return JSONResponse({"detail": str(exc)}, 400)
        except KeyError:
            return JSONResponse({"detail": "no such webhook event for this user"}, 404)
        return JSONResponse(dict(result))

    @router.get("/messages")
    async def messages(user_id: str, since: int = Query(default=0, ge=0)) -> dict[str, Any]:
        return {
            "messages": emulator.messages_for(user_id, since=since),
            "total": emulator.message_count(user_id),
            "loading_until": emulator.loading_until(user_id),
        }

    @router.get("/transcript")
    async def transcript(user_id: str) -> dict[str, Any]:
        return {"entries": emulator.transcript_for(user_id)}

    @router.get("/log")
    async def log(user_id: str | None = None) -> dict[str, Any]:
        return {"entries": emulator.log_for(user_id) if user_id else emulator.log}

    @router.get("/loading")
    async def loading(user_id: str) -> dict[str, Any]:
        return {"entries": emulator.loading_for(user_id)}

    @router.post("/users")
    async def create_user(request: UserRequest | None = None) -> dict[str, str]:
        name = request.display_name if request else None
        language = request.language if request else None
        return {"user_id": emulator.create_user(name, language)}

    @router.post("/language")
    async def set_language(request: LanguageRequest) -> dict[str, str]:
        emulator.set_language(request.user_id, request.language)
        return {"user_id": request.user_id, "language": request.language}

    @router.get("/language")
    async def get_language(user_id: str) -> dict[str, str]:
        return {"user_id": user_id, "language": emulator.language_of(user_id)}

    @router.post("/reset")
    async def reset(request: ResetRequest | None = None) -> dict[str, bool]:
        emulator.reset(richmenus=bool(request and request.richmenus))
        return {"ok": True}

    @router.get("/faults")
    async def list_faults() -> dict[str, Any]:
        return {"faults": emulator.pending_faults(), "held": emulator.held_count()}

    @router.post("/faults")
    async def add_fault(request: FaultRequest) -> Response:
        if request.status is None and request.delay is None and not request.hold:
            return JSONResponse({"detail": "give a status, a delay or a hold"}, 400)
        if request.status is not None:
            emulator.inject_fault(request.status, request.count, delay=request.delay or 0.0,
                                  hold=request.hold, kinds=request.kinds)
        elif request.hold:
            emulator.inject_hold(request.count, delay=request.delay or 0.0, kinds=request.kinds)
        else:
            emulator.inject_delay(request.delay or 0.0, request.count, kinds=request.kinds)
        return JSONResponse({"faults": emulator.pending_faults()})

    @router.post("/faults/release")
    async def release_held() -> dict[str, int]:
        return {"released": emulator.release_held()}

    @router.delete("/faults")
    async def clear_faults() -> dict[str, Any]:
        emulator.clear_faults()
        return {"faults": [], "held": 0}

    @router.get("/richmenu")
    async def richmenu(request: Request, user_id: str) -> dict[str, Any]:
        base = str(request.url.path).rsplit("/", 1)[0]
        menu = emulator.richmenu_for(user_id)
        aliases = {}
        for alias_id, menu_id in emulator.richmenus.aliases.items():
            target = emulator.richmenus.menus.get(menu_id)
            if target is not None:
                aliases[alias_id] = _with_image(target, base, emulator)
        return {
            "richMenu": _with_image(menu, base, emulator) if menu else None,
            "aliases": aliases,
        }

    @router.get("/richmenu/{menu_id}/image")
    async def richmenu_image(menu_id: str) -> Response:
        return _respond(emulator.richmenus.download(menu_id))

    return router


def _with_image(menu: dict[str, Any], base: str, emulator: Emulator) -> dict[str, Any]:
    """A menu object plus the URL of its image on the driver API, when it has one."""
    menu_id = menu["richMenuId"]
    has_image = menu_id in emulator.richmenus.images
    return {**menu, "imageUrl": f"{base}/richmenu/{menu_id}/image" if has_image else None}


@lru_cache(maxsize=1)
def _chat_template() -> str:
    """The chat page source, read once."""
    return resources.files("emulator").joinpath("static/chat.html").read_text("utf-8")


def _pages_router(emulator: Emulator) -> APIRouter:
    """The phone-like chat page."""
    router = APIRouter()

    def page(request: Request) -> HTMLResponse:
        base = str(request.url.path).rsplit("/", 1)[0]
        config = json.dumps({"base": base, "account": emulator.account_name}, ensure_ascii=False)
        body = (
            _chat_template()
            .replace("__ACCOUNT_NAME__", html.escape(emulator.account_name))
            .replace("__CONFIG_JSON__", config.replace("</", "<\\/"))
        )
        return HTMLResponse(body, headers={"Cache-Control": "no-store"})

    router.add_api_route("/", page, methods=["GET"], include_in_schema=False)
    router.add_api_route("/chat", page, methods=["GET"], include_in_schema=False)
    return router


def build_router(emulator: Emulator) -> APIRouter:
    """All emulator routes, without a prefix; mount at "/emulator"."""
    router = APIRouter()
    # FastAPI tries routes one by one, prefix or not, so the busiest come first: the driver
    # (15 routes, /api/send once per event), then the Messaging API (reply once per event).
    # No two of these paths overlap, so the order changes nothing but the cost of a match.
    router.include_router(_driver_router(emulator), prefix="/api")
    router.include_router(_line_router(emulator), prefix="/line")
    router.include_router(line_login_router(emulator), prefix="/line")
    router.include_router(liff_driver_router(emulator), prefix="/api")
    router.include_router(liff_router(emulator), prefix="/liff")
    router.include_router(_pages_router(emulator))
    return router
