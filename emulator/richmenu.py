"""Rich menus, their images, aliases, the default menu and per-user links."""

from __future__ import annotations

import threading
from typing import Any

from emulator import ids
from emulator.result import ApiResult, error, ok
from emulator.validation import check_rich_menu, error_body, is_valid_alias_id

RICH_MENU_FIELDS = ("size", "selected", "name", "chatBarText", "areas")


class RichMenuStore:
    """The channel's rich menus, kept in memory like LINE keeps them."""

    def __init__(self) -> None:
        """Start with no menu, no alias and no link."""
        self._lock = threading.Lock()
        self.menus: dict[str, dict[str, Any]] = {}
        self.images: dict[str, tuple[bytes, str]] = {}
        self.aliases: dict[str, str] = {}
        self.default_id: str | None = None
        self.links: dict[str, str] = {}

    def clear(self) -> None:
        """Forget every menu, image, alias and link."""
        with self._lock:
            self.menus.clear()
            self.images.clear()
            self.aliases.clear()
            self.default_id = None
            self.links.clear()

    # --- menus ----------------------------------------------------------------------

    def validate(self, body: Any) -> ApiResult:
        """`POST /v2/bot/richmenu/validate`."""
        problems = check_rich_menu(body)
        return ApiResult(400, error_body(problems)) if problems else ok()

    def create(self, body: Any) -> ApiResult:
        """`POST /v2/bot/richmenu`: validate and store; answer the new richMenuId."""
        problems = check_rich_menu(body)
        if problems:
            return ApiResult(400, error_body(problems))
        menu_id = ids.rich_menu_id()
        with self._lock:
            self.menus[menu_id] = {"richMenuId": menu_id, **{k: body[k] for k in RICH_MENU_FIELDS}}
        return ok({"richMenuId": menu_id})

    def get(self, menu_id: str) -> ApiResult:
        """`GET /v2/bot/richmenu/{id}`."""
        menu = self.menus.get(menu_id)
        return ok(menu) if menu else error(404, "Not found")

    def list_menus(self) -> ApiResult:
        """`GET /v2/bot/richmenu/list`."""
        return ok({"richmenus": list(self.menus.values())})

    def delete(self, menu_id: str) -> ApiResult:
        """`DELETE /v2/bot/richmenu/{id}`: also unlinks it from users and the default."""
        with self._lock:
            if self.menus.pop(menu_id, None) is None:
                return error(404, "Not found")
            self.images.pop(menu_id, None)
            if self.default_id == menu_id:
                self.default_id = None
            for user, linked in list(self.links.items()):
                if linked == menu_id:
                    del self.links[user]
        return ok()

    def upload(self, menu_id: str, content: bytes, content_type: str) -> ApiResult:
        """`POST /v2/bot/richmenu/{id}/content`: the image can be uploaded once only."""
        with self._lock:
            if menu_id not in self.menus:
                return error(404, "Not found")
            if menu_id in self.images:
                return error(400, "An image has already been uploaded to the richmenu")
            if not content:
                return error(400, "The request body is empty")
            self.images[menu_id] = (content, content_type or "application/octet-stream")
        return ok()

    def download(self, menu_id: str) -> ApiResult:
        """`GET /v2/bot/richmenu/{id}/content`: the uploaded image bytes."""
        image = self.images.get(menu_id)
        if image is None:
            return error(404, "Not found")
        return ApiResult(200, image[0], media_type=image[1])

    # --- default menu and per-user links ------------------------------------------------

    def _linkable(self, menu_id: str) -> ApiResult | None:
        if menu_id not in self.menus:
            return error(404, "Not found")
        if menu_id not in self.images:
            return error(400, "must upload richmenu image before applying it to user")
        return None

    def set_default(self, menu_id: str) -> ApiResult:
        """`POST /v2/bot/user/all/richmenu/{id}`."""
        problem = self._linkable(menu_id)
        if problem:
            return problem
        self.default_id = menu_id
        return ok()

    def get_default(self) -> ApiResult:
        """`GET /v2/bot/user/all/richmenu`."""
        if self.default_id is None:
            return error(404, "no default richmenu")
        return ok({"richMenuId": self.default_id})

    def clear_default(self) -> ApiResult:
        """`DELETE /v2/bot/user/all/richmenu`."""
        self.default_id = None
        return ok()

    def link(self, user_id: str, menu_id: str) -> ApiResult:
        """`POST /v2/bot/user/{userId}/richmenu/{id}`."""
        problem = self._linkable(menu_id)
        if problem:
            return problem
        with self._lock:
            self.links[user_id] = menu_id
        return ok()

    def unlink(self, user_id: str) -> ApiResult:
        """`DELETE /v2/bot/user/{userId}/richmenu`."""
        with self._lock:
            self.links.pop(user_id, None)
        return ok()

    def get_link(self, user_id: str) -> ApiResult:
        """`GET /v2/bot/user/{userId}/richmenu`: the per-user link only, not the default."""
        menu_id = self.links.get(user_id)
        if menu_id is None:
            return error(404, "the user has no richmenu")
        return ok({"richMenuId": menu_id})

    def bulk_link(self, body: Any) -> ApiResult:
        """`POST /v2/bot/richmenu/bulk/link` {richMenuId, userIds}: 202 like LINE."""
        if not isinstance(body, dict) or not isinstance(body.get("userIds"), list):
            return error(400, "The request body has 1 error(s)")
        problem = self._linkable(str(body.get("richMenuId")))
        if problem:
            return problem
        with self._lock:
            for user in body["userIds"]:
                self.links[str(user)] = body["richMenuId"]
        return ok(status=202)

    def bulk_unlink(self, body: Any) -> ApiResult:
        """`POST /v2/bot/richmenu/bulk/unlink` {userIds}: 202 like LINE."""
        if not isinstance(body, dict) or not isinstance(body.get("userIds"), list):
            return error(400, "The request body has 1 error(s)")
        with self._lock:
            for user in body["userIds"]:
                self.links.pop(str(user), None)
        return ok(status=202)

    # --- aliases ------------------------------------------------------------------------

    def create_alias(self, body: Any) -> ApiResult:
        """`POST /v2/bot/richmenu/alias` {richMenuAliasId, richMenuId}."""
        if not isinstance(body, dict) or not is_valid_alias_id(body.get("richMenuAliasId")):
            return error(400, "richMenuAliasId is invalid")
        if body.get("richMenuId") not in self.menus:
            return error(400, "richmenu not found")
        with self._lock:
            if body["richMenuAliasId"] in self.aliases:
                return error(400, "conflict richmenu alias id")
            self.aliases[body["richMenuAliasId"]] = body["richMenuId"]
        return ok()

    def update_alias(self, alias_id: str, body: Any) -> ApiResult:
        """`POST /v2/bot/richmenu/alias/{aliasId}` {richMenuId}."""
        if alias_id not in self.aliases:
            return error(404, "richmenu alias not found")
        if not isinstance(body, dict) or body.get("richMenuId") not in self.menus:
            return error(400, "richmenu not found")
        self.aliases[alias_id] = body["richMenuId"]
        return ok()

    def get_alias(self, alias_id: str) -> ApiResult:
        """`GET /v2/bot/richmenu/alias/{aliasId}`."""
        if alias_id not in self.aliases:
            return error(404, "richmenu alias not found")
        return ok({"richMenuAliasId": alias_id, "richMenuId": self.aliases[alias_id]})

    def list_aliases(self) -> ApiResult:
        """`GET /v2/bot/richmenu/alias/list`."""
        return ok({"aliases": [
            {"richMenuAliasId": a, "richMenuId": m} for a, m in self.aliases.items()
        ]})

    def delete_alias(self, alias_id: str) -> ApiResult:
        """`DELETE /v2/bot/richmenu/alias/{aliasId}`."""
        with self._lock:
            if self.aliases.pop(alias_id, None) is None:
                return error(404, "richmenu alias not found")
        return ok()

    # --- what a user sees ------------------------------------------------------------------

    def effective_id(self, user_id: str) -> str | None:
        """The menu a user sees: their own link, else the default, else none."""
        menu_id = self.links.get(user_id) or self.default_id
        return menu_id if menu_id in self.menus else None

    def switch(self, user_id: str, alias_id: str) -> str:
        """Apply a richmenuswitch tap; answer the status LINE puts in the postback params."""
        menu_id = self.aliases.get(alias_id)
        if menu_id is None:
            return "RICHMENU_ALIAS_ID_NOTFOUND"
        if menu_id not in self.menus:
            return "RICHMENU_NOTFOUND"
        with self._lock:
            self.links[user_id] = menu_id
        return "SUCCESS"
