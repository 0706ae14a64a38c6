"""Neutral replies → LINE message objects (plain dicts in the Messaging API's JSON shape)."""

from __future__ import annotations

from typing import Any

from dialogs.replies import Card, Carousel, Choice, DatePicker, Link, Reply, Text

MAX_QUICK_REPLY = 13
MAX_BUBBLES = 12
GREEN = "#06C755"


def _label(text: str, limit: int = 20) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def action(choice: Choice) -> dict[str, Any]:
    """The LINE action behind one choice."""
    if choice.url:
        return {"type": "uri", "label": _label(choice.label), "uri": choice.url}
    if choice.data:
        return {"type": "postback", "label": _label(choice.label), "data": choice.data,
                "displayText": choice.display or choice.label}
    return {"type": "message", "label": _label(choice.label), "text": choice.text or choice.label}


def quick_reply(choices: list[Choice]) -> dict[str, Any]:
    items = [{"type": "action", "action": action(c)} for c in choices[:MAX_QUICK_REPLY]]
    return {"items": items}


def _button(choice: Choice) -> dict[str, Any]:
    style = choice.style
    return {"type": "button", "action": action(choice), "style": style, "height": "sm",
            **({"color": GREEN} if style == "primary" else {})}


def bubble(card: Card) -> dict[str, Any]:
    """A Flex bubble: title, wrapped lines, stacked buttons."""
    body: list[dict[str, Any]] = [
        {"type": "text", "text": card.title, "weight": "bold", "size": "md", "wrap": True}]
    body += [{"type": "text", "text": line, "size": "sm", "wrap": True, "color": "#333333"}
             for line in card.lines if line]
    out: dict[str, Any] = {"type": "bubble", "size": "kilo",
                           "body": {"type": "box", "layout": "vertical", "spacing": "sm",
                                    "contents": body}}
    if card.buttons:
        out["footer"] = {"type": "box", "layout": "vertical", "spacing": "sm",
                         "contents": [_button(b) for b in card.buttons]}
    return out


def _with_choices(message: dict[str, Any], choices: list[Choice]) -> dict[str, Any]:
    if choices:
        message["quickReply"] = quick_reply(choices)
    return message


def _flex(alt: str, contents: dict[str, Any]) -> dict[str, Any]:
    return {"type": "flex", "altText": _label(alt, 400), "contents": contents}


def render_one(reply: Reply) -> dict[str, Any]:
    """One neutral reply as one LINE message."""
    if isinstance(reply, Text):
        return _with_choices({"type": "text", "text": reply.text[:5000]}, reply.choices)
    if isinstance(reply, Card):
        return _with_choices(_flex(reply.alt or reply.title, bubble(reply)), reply.choices)
    if isinstance(reply, Carousel):
        contents = {"type": "carousel", "contents": [bubble(c) for c in reply.cards[:MAX_BUBBLES]]}
        return _with_choices(_flex(reply.alt, contents), reply.choices)
    if isinstance(reply, Link):
        card = Card(title=reply.text, buttons=[Choice(label=reply.label, url=reply.url,
                                                       style="primary")])
        message = _flex(reply.text, bubble(card))
        message["contents"]["body"]["contents"][0].update(weight="regular", size="sm")
        return _with_choices(message, reply.choices)
    if isinstance(reply, DatePicker):
        picker = {"type": "datetimepicker", "label": _label(reply.label), "data": reply.data,
                  "mode": reply.mode}
        picker |= {k: v for k, v in (("initial", reply.initial), ("min", reply.min),
                                     ("max", reply.max)) if v}
        contents = bubble(Card(title=reply.text))
        contents["footer"] = {"type": "box", "layout": "vertical", "contents": [
            {"type": "button", "action": picker, "style": "primary", "color": GREEN,
             "height": "sm"}]}
        contents["body"]["contents"][0].update(weight="regular", size="sm")
        return _with_choices(_flex(reply.text, contents), reply.choices)
    raise TypeError(f"unknown reply {type(reply).__name__}")


def render(replies: list[Reply]) -> list[dict[str, Any]]:
    """All replies, in order (the engine already kept them to five)."""
    return [render_one(r) for r in replies]
