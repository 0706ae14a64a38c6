"""Small readers for LINE message objects, so tests assert what the user actually sees."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

# Generous: a loaded 2-core machine runs several Python processes side by side.
PATIENCE = 120.0


def eventually(check: Callable[[], Any], what: str, timeout: float = PATIENCE) -> Any:
    """Poll `check` until it returns something truthy (no fixed sleeps, a generous cap)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def texts(messages: list[dict[str, Any]]) -> str:
    """Every visible string in the messages (text bodies, Flex texts, button labels), joined."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("text", "altText", "label"):
                if isinstance(node.get(key), str):
                    out.append(node[key])
            for value in node.values():
                if isinstance(value, dict | list):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(messages)
    return "\n".join(out)


def actions(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every action (quick reply items and buttons) in the messages, in order."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "action" in node and isinstance(node["action"], dict):
                found.append(node["action"])
            for value in node.values():
                if isinstance(value, dict | list):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(messages)
    return found


def button(messages: list[dict[str, Any]], label: str) -> dict[str, Any]:
    """The last action with this label (the freshest button the user would tap)."""
    matching = [a for a in actions(messages) if a.get("label") == label]
    assert matching, f"no button {label!r} in {[a.get('label') for a in actions(messages)]}"
    return matching[-1]


def tap(live: Any, user: str, messages: list[dict[str, Any]], label: str,
        **params: str) -> list[dict[str, Any]]:
    """Tap a button the user was shown: postback, message or picker."""
    action = button(messages, label)
    if action["type"] in ("postback", "datetimepicker"):
        return live.send(user, postback=action["data"], params=params or {})
    if action["type"] == "message":
        return live.send(user, text=action["text"])
    raise AssertionError(f"cannot tap a {action['type']} action")


def postback_action(data: str) -> str:
    return parse_qs(data)["a"][0]
