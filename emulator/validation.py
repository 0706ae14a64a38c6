"""Request validation with LINE's limits and LINE's error shape.

Each check appends a `Problem` (message + JSON property path) rather than raising, so a
request with several mistakes gets them all back at once, as the real API answers.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from linebot.v3.messaging.models import Message
from pydantic.v1 import ValidationError as SpecError

MAX_MESSAGES = 5
MAX_QUICK_REPLY_ITEMS = 13
MAX_CAROUSEL_BUBBLES = 12
MAX_TEXT = 5000
MAX_POSTBACK_DATA = 300
MAX_TEMPLATE_ALT_TEXT = 400
# Flex altText is documented at 1500 characters (templates and imagemaps stay at 400).
MAX_FLEX_ALT_TEXT = 1500
MAX_BUBBLE_BYTES = 30 * 1024
MAX_CAROUSEL_BYTES = 50 * 1024
MAX_MULTICAST_TO = 500

MESSAGE_TYPES = (
    "text", "textV2", "sticker", "image", "video", "audio", "location", "imagemap", "template",
    "flex",
)
ACTION_TYPES = (
    "postback", "message", "uri", "datetimepicker", "camera", "cameraRoll", "location",
    "richmenuswitch", "clipboard",
)
QUICK_REPLY_ACTION_TYPES = tuple(t for t in ACTION_TYPES if t != "richmenuswitch")
FLEX_COMPONENT_TYPES = (
    "box", "button", "image", "video", "icon", "text", "span", "separator", "filler", "spacer",
)
URI_SCHEMES = ("http://", "https://", "line://", "tel:")
# Real ids are a letter and 32 hex digits; tests may use shorter readable ids, so accept
# those too while still catching None, "" or a hashed id sent by mistake.
_ID_PATTERN = re.compile(r"^[UCR][0-9A-Za-z_-]{1,64}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME_RE = re.compile(r"^\d{2}:\d{2}$")
_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[tT]\d{2}:\d{2}$")
_UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
_ALIAS_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_INVISIBLE = {"\u200d", "\ufe0e", "\ufe0f"}


@dataclass(frozen=True)
class Problem:
    """One validation error: what is wrong and where (a JSON property path)."""

    message: str
    property: str

    def as_dict(self) -> dict[str, str]:
        """The `details` entry LINE returns for this problem."""
        return {"message": self.message, "property": self.property}


def error_body(problems: list[Problem]) -> dict[str, Any]:
    """The 400 body LINE returns for a request that failed validation."""
    return {
        "message": f"The request body has {len(problems)} error(s)",
        "details": [p.as_dict() for p in problems],
    }


def utf16_len(text: str) -> int:
    """Length as the Messaging API counts message text: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def grapheme_len(text: str) -> int:
    """Approximate grapheme-cluster count, as LINE counts labels and template texts."""
    return sum(
        1 for ch in text
        if ch not in _INVISIBLE and not unicodedata.combining(ch)
        and not 0x1F3FB <= ord(ch) <= 0x1F3FF
    )


def is_valid_recipient(value: Any) -> bool:
    """Whether `value` looks like a user, group or room id ("U" / "C" / "R" + letters)."""
    return isinstance(value, str) and bool(_ID_PATTERN.match(value))


def is_valid_retry_key(value: str) -> bool:
    """Whether `value` is a UUID in hexadecimal form, as X-Line-Retry-Key requires."""
    return bool(_UUID_RE.match(value))


def is_valid_alias_id(value: Any) -> bool:
    """Whether `value` is a usable rich menu alias id."""
    return isinstance(value, str) and bool(_ALIAS_RE.match(value))


class _Checker:
    """Collects problems while walking a request body."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, prop: str, message: str) -> None:
        """Record one problem."""
        self.problems.append(Problem(message, prop))

    def string(
        self, obj: dict[str, Any], key: str, prop: str, *, max_len: int | None = None,
        required: bool = True, utf16: bool = False,
    ) -> str | None:
        """Check a string property; return it when present and a string."""
        value = obj.get(key)
        where = f"{prop}.{key}"
        if value is None:
            if required:
                self.add(where, "must be specified")
            return None
        if not isinstance(value, str):
            self.add(where, "must be a string")
            return None
        if required and value == "":
            self.add(where, "May not be empty")
            return value
        size = utf16_len(value) if utf16 else grapheme_len(value)
        if max_len is not None and size > max_len:
            self.add(where, f"Length must be between 0 and {max_len}")
        return value

    def array(
        self, obj: dict[str, Any], key: str, prop: str, low: int, high: int,
        *, required: bool = True,
    ) -> list[Any]:
        """Check an array property's size; return its items (empty when invalid)."""
        value = obj.get(key)
        where = f"{prop}.{key}" if prop else key
        if value is None:
            if required:
                self.add(where, "must be specified")
            return []
        if not isinstance(value, list):
            self.add(where, "must be an array")
            return []
        if not low <= len(value) <= high:
            self.add(where, f"Size must be between {low} and {high}")
        return value

    def obj(self, value: Any, prop: str) -> dict[str, Any] | None:
        """Check that `value` is a JSON object."""
        if not isinstance(value, dict):
            self.add(prop, "must be specified" if value is None else "must be an object")
            return None
        return value

    def https_url(self, obj: dict[str, Any], key: str, prop: str, *, required: bool = True) -> None:
        """Check an image or video URL: HTTPS and at most 2000 characters."""
        value = self.string(obj, key, prop, max_len=2000, required=required)
        if value and not value.startswith("https://"):
            self.add(f"{prop}.{key}", "must be an HTTPS URL")

    # --- messages -------------------------------------------------------------------

    def messages(self, value: Any, prop: str = "messages") -> None:
        """Check the `messages` array of a reply, push or multicast."""
        if not isinstance(value, list):
            self.add(prop, "must be specified" if value is None else "must be an array")
            return
        if not 1 <= len(value) <= MAX_MESSAGES:
            self.add(prop, f"Size must be between 1 and {MAX_MESSAGES}")
        for i, message in enumerate(value[:MAX_MESSAGES * 4]):
            self.message(message, f"{prop}[{i}]")

    def message(self, value: Any, prop: str) -> None:
        """Check one message object."""
        message = self.obj(value, prop)
        if message is None:
            return
        kind = message.get("type")
        if kind not in MESSAGE_TYPES:
            self.add(f"{prop}.type",
                     f"Must be one of the following values: [{', '.join(MESSAGE_TYPES)}]")
            return
        getattr(self, f"_message_{kind.lower()}")(message, prop)
        if "quickReply" in message:
            self.quick_reply(message["quickReply"], f"{prop}.quickReply")
        sender = message.get("sender")
        if isinstance(sender, dict):
            self.string(sender, "name", f"{prop}.sender", max_len=20, required=False)

    def _message_text(self, message: dict[str, Any], prop: str) -> None:
        self.string(message, "text", prop, max_len=MAX_TEXT, utf16=True)

    def _message_textv2(self, message: dict[str, Any], prop: str) -> None:
        self.string(message, "text", prop, max_len=MAX_TEXT, utf16=True)

    def _message_sticker(self, message: dict[str, Any], prop: str) -> None:
        self.string(message, "packageId", prop)
        self.string(message, "stickerId", prop)

    def _message_image(self, message: dict[str, Any], prop: str) -> None:
        self.https_url(message, "originalContentUrl", prop)
        self.https_url(message, "previewImageUrl", prop)

    def _message_video(self, message: dict[str, Any], prop: str) -> None:
        self.https_url(message, "originalContentUrl", prop)
        self.https_url(message, "previewImageUrl", prop)

    def _message_audio(self, message: dict[str, Any], prop: str) -> None:
        self.https_url(message, "originalContentUrl", prop)
        if not isinstance(message.get("duration"), int):
            self.add(f"{prop}.duration", "must be specified")

    def _message_location(self, message: dict[str, Any], prop: str) -> None:
        self.string(message, "title", prop, max_len=100)
        self.string(message, "address", prop, max_len=100)
        for key in ("latitude", "longitude"):
            if not isinstance(message.get(key), int | float):
                self.add(f"{prop}.{key}", "must be specified")

    def _message_imagemap(self, message: dict[str, Any], prop: str) -> None:
        self.https_url(message, "baseUrl", prop)
        self.string(message, "altText", prop, max_len=MAX_TEMPLATE_ALT_TEXT)
        self.obj(message.get("baseSize"), f"{prop}.baseSize")
        for i, action in enumerate(self.array(message, "actions", prop, 1, 50)):
            where = f"{prop}.actions[{i}]"
            entry = self.obj(action, where)
            if entry is None:
                continue
            if entry.get("type") not in ("uri", "message", "clipboard"):
                self.add(f"{where}.type",
                         "Must be one of the following values: [uri, message, clipboard]")
            self.obj(entry.get("area"), f"{where}.area")

    def _message_template(self, message: dict[str, Any], prop: str) -> None:
        self.string(message, "altText", prop, max_len=MAX_TEMPLATE_ALT_TEXT)
        template = self.obj(message.get("template"), f"{prop}.template")
        if template is None:
            return
        where = f"{prop}.template"
        kind = template.get("type")
        if kind == "buttons":
            self._template_column(template, where, text_max=160, actions_max=4)
        elif kind == "confirm":
            self.string(template, "text", where, max_len=240)
            for i, action in enumerate(self.array(template, "actions", where, 2, 2)):
                self.action(action, f"{where}.actions[{i}]", label_max=20)
        elif kind == "carousel":
            counts = set()
            for i, column in enumerate(self.array(template, "columns", where, 1, 10)):
                entry = self.obj(column, f"{where}.columns[{i}]")
                if entry is not None:
                    counts.add(self._template_column(entry, f"{where}.columns[{i}]", 120, 3))
            if len(counts) > 1:
                self.add(f"{where}.columns",
                         "The number of actions must be the same for all columns")
        elif kind == "image_carousel":
            for i, column in enumerate(self.array(template, "columns", where, 1, 10)):
                entry = self.obj(column, f"{where}.columns[{i}]")
                if entry is not None:
                    self.https_url(entry, "imageUrl", f"{where}.columns[{i}]")
                    self.action(entry.get("action"), f"{where}.columns[{i}].action",
                                label_max=12, label_required=False)
        else:
            self.add(f"{where}.type", "Must be one of the following values: "
                     "[buttons, confirm, carousel, image_carousel]")

    def _template_column(self, column: dict[str, Any], prop: str, text_max: int,
                         actions_max: int) -> int:
        """Check a buttons template or a carousel column; return its number of actions."""
        short = bool(column.get("title") or column.get("thumbnailImageUrl"))
        self.string(column, "title", prop, max_len=40, required=False)
        self.string(column, "text", prop, max_len=60 if short else text_max)
        if column.get("thumbnailImageUrl") is not None:
            self.https_url(column, "thumbnailImageUrl", prop)
        if column.get("defaultAction") is not None:
            self.action(column["defaultAction"], f"{prop}.defaultAction", label_max=20,
                        label_required=False)
        actions = self.array(column, "actions", prop, 1, actions_max)
        for i, action in enumerate(actions):
            self.action(action, f"{prop}.actions[{i}]", label_max=20)
        return len(actions)

    def _message_flex(self, message: dict[str, Any], prop: str) -> None:
        self.string(message, "altText", prop, max_len=MAX_FLEX_ALT_TEXT)
        contents = self.obj(message.get("contents"), f"{prop}.contents")
        if contents is None:
            return
        where = f"{prop}.contents"
        if contents.get("type") == "carousel":
            if _json_size(contents) > MAX_CAROUSEL_BYTES:
                self.add(where, f"Size of JSON must be at most {MAX_CAROUSEL_BYTES} bytes")
            bubbles = self.array(contents, "contents", where, 1, MAX_CAROUSEL_BUBBLES)
            for i, bubble in enumerate(bubbles):
                self.bubble(bubble, f"{where}.contents[{i}]")
        elif contents.get("type") == "bubble":
            self.bubble(contents, where)
        else:
            self.add(f"{where}.type", "Must be one of the following values: [bubble, carousel]")

    # --- flex -----------------------------------------------------------------------

    def bubble(self, value: Any, prop: str) -> None:
        """Check a Flex bubble and its blocks."""
        bubble = self.obj(value, prop)
        if bubble is None:
            return
        if bubble.get("type") != "bubble":
            self.add(f"{prop}.type", "Must be one of the following values: [bubble]")
            return
        if _json_size(bubble) > MAX_BUBBLE_BYTES:
            self.add(prop, f"Size of JSON must be at most {MAX_BUBBLE_BYTES} bytes")
        for block in ("header", "body", "footer"):
            if block in bubble:
                self.component(bubble[block], f"{prop}.{block}", allowed=("box",))
        if "hero" in bubble:
            self.component(bubble["hero"], f"{prop}.hero", allowed=("box", "image", "video"))
        if "action" in bubble:
            self.action(bubble["action"], f"{prop}.action", label_max=40, label_required=False)

    def component(self, value: Any, prop: str,
                  allowed: tuple[str, ...] = FLEX_COMPONENT_TYPES) -> None:
        """Check a Flex component, recursing into boxes."""
        component = self.obj(value, prop)
        if component is None:
            return
        kind = component.get("type")
        if kind not in allowed:
            self.add(f"{prop}.type", f"Must be one of the following values: [{', '.join(allowed)}]")
            return
        if kind == "box":
            if component.get("layout") not in ("vertical", "horizontal", "baseline"):
                self.add(f"{prop}.layout",
                         "Must be one of the following values: [horizontal, vertical, baseline]")
            children = component.get("contents")
            if not isinstance(children, list):
                self.add(f"{prop}.contents", "must be specified")
            else:
                for i, child in enumerate(children):
                    self.component(child, f"{prop}.contents[{i}]")
        elif kind == "text":
            if not isinstance(component.get("contents"), list):
                self.string(component, "text", prop)
        elif kind == "span":
            self.string(component, "text", prop)
        elif kind == "button":
            self.action(component.get("action"), f"{prop}.action", label_max=40)
        elif kind in ("image", "icon"):
            self.https_url(component, "url", prop)
        if kind != "button" and "action" in component:
            self.action(component["action"], f"{prop}.action", label_max=40, label_required=False)

    # --- quick reply and actions ----------------------------------------------------------

    def quick_reply(self, value: Any, prop: str) -> None:
        """Check a quickReply object: 1 to 13 items, each an action with a label."""
        quick = self.obj(value, prop)
        if quick is None:
            return
        items = self.array(quick, "items", prop, 1, MAX_QUICK_REPLY_ITEMS)
        for i, item in enumerate(items):
            where = f"{prop}.items[{i}]"
            entry = self.obj(item, where)
            if entry is None:
                continue
            if entry.get("type") != "action":
                self.add(f"{where}.type", "Must be one of the following values: [action]")
            if entry.get("imageUrl") is not None:
                self.https_url(entry, "imageUrl", where)
            self.action(entry.get("action"), f"{where}.action", label_max=20,
                        allowed=QUICK_REPLY_ACTION_TYPES)

    def action(
        self, value: Any, prop: str, *, label_max: int = 20, label_required: bool = True,
        allowed: tuple[str, ...] = ACTION_TYPES,
    ) -> None:
        """Check one action object (postback, message, uri, datetimepicker, ...)."""
        action = self.obj(value, prop)
        if action is None:
            return
        kind = action.get("type")
        if kind not in allowed:
            self.add(f"{prop}.type", f"Must be one of the following values: [{', '.join(allowed)}]")
            return
        self.string(action, "label", prop, max_len=label_max, required=label_required)
        if kind == "postback":
            self.string(action, "data", prop, max_len=MAX_POSTBACK_DATA)
            self.string(action, "displayText", prop, max_len=300, required=False)
            self.string(action, "text", prop, max_len=300, required=False)
            if action.get("displayText") is not None and action.get("text") is not None:
                self.add(f"{prop}.displayText", "displayText and text cannot both be specified")
            if action.get("inputOption") not in (None, "closeRichMenu", "openRichMenu",
                                                 "openKeyboard", "openVoice"):
                self.add(f"{prop}.inputOption", "Must be one of the following values: "
                         "[closeRichMenu, openRichMenu, openKeyboard, openVoice]")
        elif kind == "message":
            self.string(action, "text", prop, max_len=300)
        elif kind == "uri":
            uri = self.string(action, "uri", prop, max_len=1000)
            if uri and not uri.startswith(URI_SCHEMES):
                self.add(f"{prop}.uri", "must be a valid URI (http, https, line or tel)")
        elif kind == "datetimepicker":
            self._datetimepicker(action, prop)
        elif kind == "richmenuswitch":
            self.string(action, "richMenuAliasId", prop, max_len=32)
            self.string(action, "data", prop, max_len=MAX_POSTBACK_DATA)
        elif kind == "clipboard":
            self.string(action, "clipboardText", prop, max_len=1000)

    def _datetimepicker(self, action: dict[str, Any], prop: str) -> None:
        self.string(action, "data", prop, max_len=MAX_POSTBACK_DATA)
        mode = action.get("mode")
        if mode not in ("date", "time", "datetime"):
            self.add(f"{prop}.mode", "Must be one of the following values: [date, time, datetime]")
            return
        values = {}
        for key in ("initial", "min", "max"):
            raw = action.get(key)
            if raw is None:
                continue
            parsed = _parse_picker_value(mode, raw)
            if parsed is None:
                self.add(f"{prop}.{key}", f"Invalid {mode} format")
            else:
                values[key] = parsed
        if "min" in values and "max" in values and values["min"] >= values["max"]:
            self.add(f"{prop}.max", "max must be later than min")
        if "initial" in values:
            if "min" in values and values["initial"] < values["min"]:
                self.add(f"{prop}.initial", "initial must be between min and max")
            elif "max" in values and values["initial"] > values["max"]:
                self.add(f"{prop}.initial", "initial must be between min and max")

    # --- rich menu ----------------------------------------------------------------------

    def rich_menu(self, value: Any) -> None:
        """Check a rich menu object: size, name, chat bar text and 1 to 20 areas."""
        menu = self.obj(value, "richMenu")
        if menu is None:
            return
        size = self.obj(menu.get("size"), "size") or {}
        width, height = size.get("width"), size.get("height")
        if size and not (isinstance(width, int) and isinstance(height, int)):
            self.add("size", "width and height must be integers")
            width = height = None
        elif size:
            if not 800 <= width <= 2500:
                self.add("size.width", "Must be between 800 and 2500")
            if height < 250:
                self.add("size.height", "Must be 250 or more")
            elif width / height < 1.45:
                self.add("size", "Aspect ratio (width / height) must be at least 1.45")
        if not isinstance(menu.get("selected"), bool):
            self.add("selected", "must be specified")
        self.string(menu, "name", "", max_len=300)
        self.string(menu, "chatBarText", "", max_len=14)
        for i, area in enumerate(self.array(menu, "areas", "", 1, 20)):
            where = f"areas[{i}]"
            entry = self.obj(area, where)
            if entry is None:
                continue
            bounds = self.obj(entry.get("bounds"), f"{where}.bounds")
            if bounds is not None:
                self._bounds(bounds, f"{where}.bounds", width, height)
            self.action(entry.get("action"), f"{where}.action", label_required=False)
        # Properties were checked with an empty prefix; drop the leading dot.
        self.problems = [Problem(p.message, p.property.lstrip(".")) for p in self.problems]

    def _bounds(self, bounds: dict[str, Any], prop: str, width: Any, height: Any) -> None:
        keys = ("x", "y", "width", "height")
        if not all(isinstance(bounds.get(k), int) and bounds[k] >= 0 for k in keys):
            self.add(prop, "x, y, width and height must be non-negative integers")
            return
        if isinstance(width, int) and bounds["x"] + bounds["width"] > width:
            self.add(prop, "The area is out of the rich menu")
        elif isinstance(height, int) and bounds["y"] + bounds["height"] > height:
            self.add(prop, "The area is out of the rich menu")


def _json_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def _parse_picker_value(mode: str, raw: Any) -> date | datetime | tuple[int, int] | None:
    """Parse a datetimepicker initial/min/max value in the format of its mode."""
    if not isinstance(raw, str):
        return None
    try:
        if mode == "date" and _DATE_RE.match(raw):
            return date.fromisoformat(raw)
        if mode == "time" and _TIME_RE.match(raw):
            hour, minute = int(raw[:2]), int(raw[3:])
            return (hour, minute) if hour < 24 and minute < 60 else None
        if mode == "datetime" and _DATETIME_RE.match(raw):
            return datetime.fromisoformat(raw.replace("t", "T"))
    except ValueError:
        return None
    return None


def check_messages(messages: Any) -> list[Problem]:
    """Problems in a `messages` array (empty when LINE would accept it).

    Our own rules (limits, lengths, picker ranges) first; then each message is read by the
    SDK's models, generated from LINE's OpenAPI spec, which know every enum and type (a
    bubble `size: "large"` or a text `wrap: "yes"` passes our rules but not LINE's).
    """
    checker = _Checker()
    checker.messages(messages)
    if not checker.problems and isinstance(messages, list):
        for index, message in enumerate(messages):
            checker.problems.extend(spec_problems(message, f"messages[{index}]"))
    return checker.problems


def spec_problems(message: Any, where: str) -> list[Problem]:
    """What the SDK's generated models refuse in one message (enums, types, required fields).

    Answered from a bounded cache keyed by the message's shape (its canonical JSON with free
    texts replaced by placeholders of the same length): a bot sends the same prompts to
    thousands of users, each with a nonce of its own in the buttons' data, and reading a
    message with the SDK's pydantic models was the emulator's costliest work per event.
    A fresh list each call.
    """
    try:
        shape = json.dumps(_shape(message), sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):  # not JSON (a Python caller's object): read it as it is
        found = None
    else:
        found = _errors_of_shape(shape)
    if found is None:
        found, _ = _spec_errors(message)
    return [Problem(text, ".".join([where, *path])) for text, path in found]


SpecErrors = tuple[tuple[str, tuple[str, ...]], ...]
SPEC_CACHE_SIZE = 4096
# Keys whose string values the SDK's models check by type and length only (no enum, no
# pattern, no validator): their content can differ per user without changing the answer.
_FREE_TEXT_KEYS = frozenset({"text", "label", "data", "displayText", "altText", "uri"})


def _shape(value: Any) -> Any:
    """`value` with each free text replaced by "x"s of its length: valid exactly when it is."""
    if isinstance(value, dict):
        return {key: "x" * len(item) if key in _FREE_TEXT_KEYS and isinstance(item, str)
                else _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(item) for item in value]
    return value


@functools.lru_cache(maxsize=SPEC_CACHE_SIZE)
def _errors_of_shape(shape: str) -> SpecErrors | None:
    """The SDK's refusals of every message of this shape (immutable, so shareable); None
    when the refusal quotes the message itself, so holds for this one only."""
    found, general = _spec_errors(json.loads(shape))
    return found if general else None


def _spec_errors(message: Any) -> tuple[SpecErrors, bool]:
    """Each refusal of the SDK's models (its text, its path inside the message), and whether
    they hold for every message of the same shape (pydantic's never quote a value)."""
    try:
        Message.from_dict(message)
    except SpecError as bad:
        return tuple((str(error.get("msg", "invalid value")),
                      tuple(str(part) for part in error.get("loc", ())))
                     for error in bad.errors()), True
    except (TypeError, ValueError, KeyError, AttributeError) as bad:
        return ((f"invalid message: {bad}", ()),), False
    return (), True


def check_recipients(to: Any, *, many: bool) -> list[Problem]:
    """Problems in the `to` of a push (one id) or a multicast (1 to 500 user ids)."""
    checker = _Checker()
    if many:
        if not isinstance(to, list):
            checker.add("to", "must be specified" if to is None else "must be an array")
        elif not 1 <= len(to) <= MAX_MULTICAST_TO:
            checker.add("to", f"Size must be between 1 and {MAX_MULTICAST_TO}")
        else:
            for i, item in enumerate(to):
                if not (is_valid_recipient(item) and item.startswith("U")):
                    checker.add(f"to[{i}]", "The property, 'to', in the request body is invalid")
    elif to is None:
        checker.add("to", "must be specified")
    elif not is_valid_recipient(to):
        checker.add("to", "The property, 'to', in the request body is invalid")
    return checker.problems


def check_rich_menu(menu: Any) -> list[Problem]:
    """Problems in a rich menu object (empty when LINE would accept it)."""
    checker = _Checker()
    checker.rich_menu(menu)
    return checker.problems
