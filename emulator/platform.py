"""The emulated LINE platform's state: users, events, reply tokens, sent messages, faults.

Mutations happen under a `threading.Lock` held for a few microseconds and never across an
`await`: that keeps the check-and-record of reply tokens and retry keys atomic on the event
loop, and still safe when a test reads the state from another thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from http import HTTPStatus
from typing import Any, Literal, TypedDict
from urllib.parse import urlsplit

from emulator import ids
from emulator.liff import LiffPlatform
from emulator.result import ApiResult, error, ok
from emulator.richmenu import RichMenuStore
from emulator.validation import (
    Problem,
    check_messages,
    check_recipients,
    error_body,
    is_valid_recipient,
    is_valid_retry_key,
)
from emulator.webhook_sender import (
    WebhookSender,
    base_event,
    encode,
    envelope,
    image_message,
    postback_content,
    sticker_message,
    text_message,
)

DEFAULT_BOT_USER_ID = "Ubot" + "0" * 29
DEFAULT_ACCOUNT_NAME = "ハローワーク五所川原"
JST = timezone(timedelta(hours=9))
FAULT_KINDS = frozenset({"reply", "push", "multicast"})
# Message types a sent message can later be quoted by, so LINE returns a quoteToken.
QUOTABLE_TYPES = frozenset({"text", "textV2", "sticker", "image", "video"})
MAX_STORED_EVENTS = 20_000
# A 1x1 transparent PNG, the content of every image a user "sends".
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)

WaitFor = Callable[[str], Awaitable[None]]
logger = logging.getLogger(__name__)


class SendResult(TypedDict):
    """What the driver answers after delivering one webhook event."""

    messages: list[dict[str, Any]]
    webhook_event_id: str
    webhook_status: int
    timed_out: bool


@dataclass
class _ReplyToken:
    user_id: str
    event_id: str
    issued_at: float
    used: bool = False


@dataclass
class _Accepted:
    request_id: str
    sent_messages: list[dict[str, str]]


@dataclass
class _Fault:
    status: int | None
    delay: float
    remaining: int
    kinds: frozenset[str]
    hold: bool = False


@dataclass(eq=False)
class _Held:
    """A call waiting at the gate until `release_held()` (from any thread) opens it."""

    loop: asyncio.AbstractEventLoop
    gate: asyncio.Event


class Emulator:
    """An in-memory imitation of the LINE platform for one channel (one official account)."""

    def __init__(
        self,
        channel_secret: str,
        webhook_url: str,
        wait_for: WaitFor | None = None,
        bot_user_id: str = DEFAULT_BOT_USER_ID,
        *,
        access_token: str | None = None,
        account_name: str = DEFAULT_ACCOUNT_NAME,
        wait_timeout: float = 5.0,
        reply_token_ttl: float = 60.0,
        monthly_quota: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        liff_endpoint: str | None = None,
        liff_channel_id: str | None = None,
    ) -> None:
        """Configure the channel; `access_token=None` accepts any bearer token.

        LIFF apps open at `liff_endpoint` (default: the webhook's host + "/form/profile");
        `liff_channel_id` is the LINE Login channel test ID tokens are issued for by default.
        """
        self.channel_secret = channel_secret
        self.webhook_url = webhook_url
        self.wait_for = wait_for
        self.bot_user_id = bot_user_id
        self.access_token = access_token
        self.account_name = account_name
        self.wait_timeout = wait_timeout
        self.reply_token_ttl = reply_token_ttl
        self.monthly_quota = monthly_quota
        self.clock = clock
        self.sender = WebhookSender(channel_secret)
        self.richmenus = RichMenuStore()
        self._lock = threading.RLock()
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._transcripts: dict[str, list[dict[str, Any]]] = {}
        self._log: list[dict[str, Any]] = []
        self._reply_tokens: OrderedDict[str, _ReplyToken] = OrderedDict()
        self._retry_keys: dict[str, _Accepted] = {}
        self._faults: deque[_Fault] = deque()
        self._held: list[_Held] = []
        self._events: OrderedDict[str, tuple[str, dict[str, Any]]] = OrderedDict()
        self._loading: list[dict[str, Any]] = []
        self._profiles: dict[str, str] = {}
        self._languages: dict[str, str] = {}  # the profile's `language`; "ja" when not set
        self._blocked: set[str] = set()
        self._images: set[str] = set()
        self._usage: dict[str, int] = {}
        self._last_sent: dict[str, float] = {}
        self.liff = LiffPlatform(
            endpoint=liff_endpoint or _origin(webhook_url) + "/form/profile",
            channel_id=liff_channel_id, display_name=self._display_name)

    def _display_name(self, user_id: str) -> str | None:
        with self._lock:
            return self._profiles.get(user_id)

    # --- driver: users, state, reading what was sent ------------------------------------

    def create_user(self, display_name: str | None = None, language: str | None = None) -> str:
        """Create a user with a fresh LINE-shaped id (and the LINE app's language); return it."""
        user_id = ids.user_id()
        with self._lock:
            self._profiles[user_id] = display_name or f"利用者{user_id[-4:]}"
            if language:
                self._languages[user_id] = language
        return user_id

    def set_language(self, user_id: str, language: str) -> None:
        """Set the language the user's LINE app reports in the profile (BCP 47, e.g. "en")."""
        with self._lock:
            self._languages[user_id] = language

    def language_of(self, user_id: str) -> str:
        """The profile's `language` of `user_id`."""
        with self._lock:
            return self._languages.get(user_id, "ja")

    def messages_for(self, user_id: str, since: int = 0) -> list[dict[str, Any]]:
        """Every message object sent to `user_id` (reply, push, multicast), in order."""
        with self._lock:
            return _copy(self._messages.get(user_id, [])[since:])

    def message_count(self, user_id: str) -> int:
        """How many messages were sent to `user_id` so far."""
        with self._lock:
            return len(self._messages.get(user_id, []))

    def texts_for(self, user_id: str) -> list[str]:
        """The readable text of each message to `user_id` (text, or altText)."""
        return [_readable(m) for m in self.messages_for(user_id)]

    def transcript_for(self, user_id: str) -> list[dict[str, Any]]:
        """The conversation as the chat page shows it: user actions and bot messages."""
        with self._lock:
            return _copy(self._transcripts.get(user_id, []))

    @property
    def log(self) -> list[dict[str, Any]]:
        """Every accepted reply / push / multicast: kind, to, retry_key, timestamp, messages."""
        with self._lock:
            return _copy(self._log)

    def log_for(self, user_id: str) -> list[dict[str, Any]]:
        """The log entries that sent something to `user_id`."""
        with self._lock:
            return _copy([entry for entry in self._log if user_id in entry["to"]])

    def loading_for(self, user_id: str) -> list[dict[str, Any]]:
        """Loading animations started for `user_id`."""
        with self._lock:
            return [dict(e) for e in self._loading if e["chat_id"] == user_id]

    def richmenu_for(self, user_id: str) -> dict[str, Any] | None:
        """The rich menu `user_id` sees (own link, else default), or None."""
        menu_id = self.richmenus.effective_id(user_id)
        return copy.deepcopy(self.richmenus.menus[menu_id]) if menu_id else None

    def event(self, webhook_event_id: str) -> dict[str, Any] | None:
        """A webhook event the emulator sent, as sent the first time."""
        with self._lock:
            stored = self._events.get(webhook_event_id)
        return _copy(stored[1]) if stored else None

    def reset(self, *, richmenus: bool = False) -> None:
        """Forget users, events, tokens, retry keys, faults, sent messages; release held calls."""
        with self._lock:
            for store in (
                self._messages, self._transcripts, self._reply_tokens, self._retry_keys,
                self._events, self._profiles, self._languages, self._usage, self._last_sent,
            ):
                store.clear()
            self._log.clear()
            self._faults.clear()
            self._loading.clear()
            self._blocked.clear()
            self._images.clear()
        self.release_held()
        if richmenus:
            self.richmenus.clear()

    async def aclose(self) -> None:
        """Close the HTTP client used to deliver webhooks."""
        await self.sender.aclose()

    # --- driver: sending events as a user ---------------------------------------------------

    async def send(
        self,
        user_id: str,
        text: str | None = None,
        *,
        postback: str | None = None,
        params: dict[str, Any] | None = None,
        event: Literal["follow", "unfollow"] | None = None,
        sticker: bool = False,
        image: bool = False,
        redeliver: str | None = None,
        mode: Literal["active", "standby"] = "active",
        display_text: str | None = None,
        age_seconds: float = 0.0,
        redelivered: bool = False,
    ) -> SendResult:
        """Act as `user_id`: deliver one signed webhook event, wait for the bot, collect replies.

        Exactly one of `text`, `postback`, `event`, `sticker`, `image`, `redeliver`.
        Raises ValueError for a malformed request and KeyError for an unknown `redeliver`.
        `age_seconds` back-dates the event and `redelivered` marks it as LINE's redelivery of
        an event the bot never acknowledged, as LINE sends them minutes or hours later.
        """
        chosen = [text is not None, postback is not None, event is not None, sticker, image,
                  redeliver is not None]
        if sum(chosen) != 1:
            raise ValueError("give exactly one of text, postback, event, sticker, image, redeliver")
        if not is_valid_recipient(user_id) or not user_id.startswith("U"):
            raise ValueError("user_id must be a LINE user id: 'U' followed by letters or digits")
        if redeliver is not None:
            payload = self._redelivery(user_id, redeliver)
        else:
            payload = self._new_event(
                user_id, text=text, postback=postback, params=params, event=event,
                sticker=sticker, image=image, mode=mode, display_text=display_text,
            )
        payload["timestamp"] -= int(age_seconds * 1000)
        if redelivered:
            payload["deliveryContext"] = {"isRedelivery": True}
        event_id = payload["webhookEventId"]
        start = self.message_count(user_id)
        body = encode(envelope(self.bot_user_id, [payload]))
        status = await self.sender.deliver(self.webhook_url, body)
        timed_out = False
        if 200 <= status < 300 and self.wait_for is not None:
            try:
                await asyncio.wait_for(self.wait_for(event_id), self.wait_timeout)
            except TimeoutError:
                timed_out = True
            except Exception:
                # A broken hook must not break the driver: answer what arrived, say so.
                logger.exception("wait_for hook failed for webhook event %s", event_id)
                timed_out = True
        return SendResult(
            messages=self.messages_for(user_id, since=start), webhook_event_id=event_id,
            webhook_status=status, timed_out=timed_out,
        )

    def new_event(
        self, user_id: str, text: str | None = None, *, postback: str | None = None,
        params: dict[str, Any] | None = None, event: str | None = None, sticker: bool = False,
        image: bool = False, mode: str = "active",
    ) -> dict[str, Any]:
        """Build, record and return one event (reply token issued) without delivering it.

        For load generators that post the webhook themselves: sign
        `webhook_sender.encode(envelope(bot_user_id, [event]))` with `sign()`.
        """
        if sum([text is not None, postback is not None, event is not None, sticker, image]) != 1:
            raise ValueError("give exactly one of text, postback, event, sticker, image")
        return self._new_event(
            user_id, text=text, postback=postback, params=params, event=event,
            sticker=sticker, image=image, mode=mode, display_text=None,
        )

    def _redelivery(self, user_id: str, event_id: str) -> dict[str, Any]:
        """The stored event again, same id and reply token, marked as redelivered."""
        with self._lock:
            stored = self._events.get(event_id)
        if stored is None or stored[0] != user_id:
            raise KeyError(event_id)
        payload = _copy(stored[1])
        payload["deliveryContext"] = {"isRedelivery": True}
        return payload

    def _new_event(
        self, user_id: str, *, text: str | None, postback: str | None,
        params: dict[str, Any] | None, event: str | None, sticker: bool, image: bool,
        mode: str, display_text: str | None,
    ) -> dict[str, Any]:
        """Build one event as LINE would, issue its reply token and note it in the transcript."""
        if mode not in ("active", "standby"):
            raise ValueError("mode must be 'active' or 'standby'")
        if event is not None and event not in ("follow", "unfollow"):
            raise ValueError("event must be 'follow' or 'unfollow'")
        if params is not None and not isinstance(params, dict):
            raise ValueError("params must be an object")
        note: dict[str, Any]
        if text is not None:
            payload = base_event("message", user_id, mode=mode)
            payload["message"] = text_message(text)
            note = {"from": "user", "type": "text", "text": text}
        elif sticker or image:
            payload = base_event("message", user_id, mode=mode)
            payload["message"] = sticker_message() if sticker else image_message()
            note = {"from": "user", "type": payload["message"]["type"]}
        elif postback is not None:
            payload = base_event("postback", user_id, mode=mode)
            if params and "newRichMenuAliasId" in params:
                alias = str(params["newRichMenuAliasId"])
                params = {"newRichMenuAliasId": alias,
                          "status": self.richmenus.switch(user_id, alias)}
            payload["postback"] = postback_content(postback, params)
            note = {"from": "user", "type": "postback", "data": postback, "params": params,
                    "displayText": display_text}
        elif event == "follow":
            payload = base_event("follow", user_id, mode=mode)
            with self._lock:
                payload["follow"] = {"isUnblocked": user_id in self._blocked}
                self._blocked.discard(user_id)
            note = {"from": "system", "type": "follow"}
        else:
            payload = base_event("unfollow", user_id, mode=mode)
            with self._lock:
                self._blocked.add(user_id)
            note = {"from": "system", "type": "unfollow"}
        # LINE gives no reply token in standby mode, nor for unfollow; the SDK requires one
        # on follow events, so follow always carries it.
        if payload["type"] == "follow" or (payload["type"] != "unfollow" and mode == "active"):
            payload["replyToken"] = self._issue_reply_token(user_id, payload["webhookEventId"])
        with self._lock:
            self._profiles.setdefault(user_id, f"利用者{user_id[-4:]}")
            if payload.get("message", {}).get("type") == "image":
                self._images.add(payload["message"]["id"])
            self._events[payload["webhookEventId"]] = (user_id, _copy(payload))
            while len(self._events) > MAX_STORED_EVENTS:
                self._events.popitem(last=False)
            self._transcripts.setdefault(user_id, []).append(note)
        return payload

    def _issue_reply_token(self, user_id: str, event_id: str) -> str:
        """A fresh reply token bound to the user and event; expired ones are dropped."""
        token = ids.reply_token()
        now = self.clock()
        with self._lock:
            while self._reply_tokens:
                oldest = next(iter(self._reply_tokens.values()))
                if now - oldest.issued_at <= self.reply_token_ttl:
                    break
                self._reply_tokens.popitem(last=False)
            self._reply_tokens[token] = _ReplyToken(user_id, event_id, now)
        return token

    # --- faults ---------------------------------------------------------------------------

    def inject_fault(
        self, status: int, count: int = 1, *, delay: float = 0.0, hold: bool = False,
        kinds: Iterable[str] = FAULT_KINDS,
    ) -> None:
        """Answer the next `count` reply/push/multicast calls with `status` (nothing recorded).

        With `delay`, each of those calls first sleeps that many seconds, then fails; with
        `hold`, each first waits until `release_held()`, then fails.
        """
        if not 400 <= status <= 599:
            raise ValueError("status must be an HTTP error status (400-599)")
        if delay < 0:
            raise ValueError("delay must not be negative")
        self._add_fault(_Fault(status, float(delay), count, _kinds(kinds), hold))

    def inject_delay(self, seconds: float, count: int = 1, *,
                     kinds: Iterable[str] = FAULT_KINDS) -> None:
        """Sleep `seconds` before handling the next `count` calls (then handle them normally)."""
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        self._add_fault(_Fault(None, float(seconds), count, _kinds(kinds)))

    def inject_hold(self, count: int = 1, *, delay: float = 0.0,
                    kinds: Iterable[str] = FAULT_KINDS) -> None:
        """Hold the next `count` calls, unanswered, until `release_held()` (then sleep `delay`),
        then handle them normally: a client that gave up meanwhile finds its call accepted
        when it retries. No timing is involved: a held call never answers before the release.
        """
        if delay < 0:
            raise ValueError("delay must not be negative")
        self._add_fault(_Fault(None, float(delay), count, _kinds(kinds), hold=True))

    def held_count(self) -> int:
        """How many calls are waiting at the gate now."""
        with self._lock:
            return len(self._held)

    def release_held(self) -> int:
        """Let every call waiting at the gate go on; returns how many there were.

        Hold faults not used up yet keep holding the calls that arrive later.
        Safe from any thread.
        """
        with self._lock:
            held, self._held = self._held, []
        for waiter in held:
            with contextlib.suppress(RuntimeError):  # its loop is gone: nothing waits any more
                waiter.loop.call_soon_threadsafe(waiter.gate.set)
        return len(held)

    def clear_faults(self) -> None:
        """Drop every pending fault and release the calls being held."""
        with self._lock:
            self._faults.clear()
        self.release_held()

    def pending_faults(self) -> list[dict[str, Any]]:
        """Faults not yet used up, in the order they will apply."""
        with self._lock:
            return [
                {"status": f.status, "delay": f.delay, "hold": f.hold, "count": f.remaining,
                 "kinds": sorted(f.kinds)}
                for f in self._faults
            ]

    def _add_fault(self, fault: _Fault) -> None:
        if fault.remaining < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._faults.append(fault)

    def _take_fault(self, kind: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if kind in fault.kinds:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    async def _wait_for_release(self) -> None:
        waiter = _Held(asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._held.append(waiter)
        try:
            await waiter.gate.wait()
        finally:  # e.g. the server shutting down: this call no longer waits
            with self._lock:
                if waiter in self._held:
                    self._held.remove(waiter)

    async def apply_fault(self, kind: str) -> ApiResult | None:
        """Consume the next fault for `kind` (waiting for the release if it holds, sleeping if
        it is a delay); the error to answer."""
        fault = self._take_fault(kind)
        if fault is None:
            return None
        if fault.hold:
            await self._wait_for_release()
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.status is None:
            return None
        return error(fault.status, _fault_message(fault.status))

    # --- Messaging API ----------------------------------------------------------------------

    def reply(self, body: dict[str, Any], request_id: str) -> ApiResult:
        """`POST /v2/bot/message/reply`: single-use, short-lived reply tokens."""
        problems = check_messages(body.get("messages"))
        token = body.get("replyToken")
        if not isinstance(token, str) or not token:
            problems.insert(0, Problem("must be specified", "replyToken"))
        if problems:
            return ApiResult(400, error_body(problems))
        with self._lock:
            issued = self._reply_tokens.get(token)
            if (
                issued is None or issued.used
                or self.clock() - issued.issued_at > self.reply_token_ttl
            ):
                return error(400, "Invalid reply token")
            issued.used = True
            sent = self._record("reply", [issued.user_id], body["messages"], None, request_id,
                                token)
        return ok({"sentMessages": sent})

    def push(self, body: dict[str, Any], retry_key: str | None, request_id: str) -> ApiResult:
        """`POST /v2/bot/message/push`, honouring `X-Line-Retry-Key`."""
        return self._send_many("push", body, retry_key, request_id)

    def multicast(self, body: dict[str, Any], retry_key: str | None, request_id: str) -> ApiResult:
        """`POST /v2/bot/message/multicast`, honouring `X-Line-Retry-Key`."""
        return self._send_many("multicast", body, retry_key, request_id)

    def _send_many(
        self, kind: str, body: dict[str, Any], retry_key: str | None, request_id: str,
    ) -> ApiResult:
        if retry_key is not None and not is_valid_retry_key(retry_key):
            return error(400, "The value for the 'X-Line-Retry-Key' header is invalid")
        with self._lock:
            if retry_key is not None and retry_key in self._retry_keys:
                accepted = self._retry_keys[retry_key]
                extra = {"sentMessages": accepted.sent_messages} if kind == "push" else {}
                result = error(409, "The retry key is already accepted", **extra)
                result.headers["x-line-accepted-request-id"] = accepted.request_id
                return result
            problems = check_recipients(body.get("to"), many=kind == "multicast")
            problems += check_messages(body.get("messages"))
            if problems:
                return ApiResult(400, error_body(problems))
            to = body["to"] if kind == "multicast" else [body["to"]]
            month = datetime.now(JST).strftime("%Y-%m")
            used = self._usage.get(month, 0)
            if self.monthly_quota is not None and used + len(to) > self.monthly_quota:
                return error(429, "You have reached your monthly limit.")
            self._usage[month] = used + len(to)
            sent = self._record(kind, to, body["messages"], retry_key, request_id, None)
            if retry_key is not None:
                self._retry_keys[retry_key] = _Accepted(request_id, sent)
        return ok({"sentMessages": sent} if kind == "push" else {})

    def _record(
        self, kind: str, to: list[str], messages: list[dict[str, Any]], retry_key: str | None,
        request_id: str, reply_token: str | None,
    ) -> list[dict[str, str]]:
        """Store accepted messages for each recipient and in the log (lock held by caller).

        One copy of the messages is taken here and shared by every store: nothing changes a
        stored message, and every reader hands out copies of its own.
        """
        stored = _copy(messages)
        sent = []
        for message in messages:
            entry = {"id": ids.message_id()}
            if message.get("type") in QUOTABLE_TYPES:
                entry["quoteToken"] = ids.quote_token()
            sent.append(entry)
        now = time.time()
        for user in to:
            self._last_sent[user] = now
            self._messages.setdefault(user, []).extend(stored)
            self._transcripts.setdefault(user, []).extend(
                {"from": "bot", "message": m} for m in stored
            )
        self._log.append({
            "kind": kind,
            "to": list(to),
            "retry_key": retry_key,
            "reply_token": reply_token,
            "request_id": request_id,
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "messages": list(stored),
            "sent_messages": sent,
        })
        return sent

    def validate(self, body: dict[str, Any]) -> ApiResult:
        """`POST /v2/bot/message/validate/{kind}`: check messages without sending."""
        problems = check_messages(body.get("messages"))
        return ApiResult(400, error_body(problems)) if problems else ok()

    def profile(self, user_id: str) -> ApiResult:
        """`GET /v2/bot/profile/{userId}`; 404 for blocked or malformed ids, as LINE."""
        with self._lock:
            blocked = user_id in self._blocked
            name = self._profiles.get(user_id, f"利用者{user_id[-4:]}")
            language = self._languages.get(user_id, "ja")
        if blocked or not is_valid_recipient(user_id) or not user_id.startswith("U"):
            return error(404, "Not found")
        return ok({"displayName": name, "userId": user_id, "language": language})

    def start_loading(self, body: dict[str, Any]) -> ApiResult:
        """`POST /v2/bot/chat/loading/start` {chatId, loadingSeconds}: 202, recorded."""
        chat_id = body.get("chatId")
        seconds = body.get("loadingSeconds", 20)
        problems = []
        if not is_valid_recipient(chat_id):
            problems.append(Problem("must be specified", "chatId"))
        if not isinstance(seconds, int) or not 5 <= seconds <= 60 or seconds % 5:
            problems.append(Problem("Must be a multiple of 5 between 5 and 60", "loadingSeconds"))
        if problems:
            return ApiResult(400, error_body(problems))
        with self._lock:
            self._loading.append({
                "chat_id": chat_id, "seconds": seconds, "started": time.time(),
                "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
            })
        return ok(status=202)

    def loading_until(self, user_id: str) -> float | None:
        """Epoch seconds until which the user's loading animation shows, if one is running.

        As in the LINE app, a message arriving after the start ends the animation.
        """
        with self._lock:
            for entry in reversed(self._loading):
                if entry["chat_id"] == user_id:
                    if self._last_sent.get(user_id, 0.0) >= entry["started"]:
                        return None
                    until = entry["started"] + entry["seconds"]
                    return until if until > time.time() else None
        return None

    def quota(self) -> ApiResult:
        """`GET /v2/bot/message/quota`."""
        if self.monthly_quota is None:
            return ok({"type": "none"})
        return ok({"type": "limited", "value": self.monthly_quota})

    def quota_consumption(self) -> ApiResult:
        """`GET /v2/bot/message/quota/consumption`: push and multicast recipients this month."""
        month = datetime.now(JST).strftime("%Y-%m")
        with self._lock:
            return ok({"totalUsage": self._usage.get(month, 0)})

    def bot_info(self) -> ApiResult:
        """`GET /v2/bot/info`."""
        return ok({
            "userId": self.bot_user_id, "basicId": "@000madog",
            "displayName": self.account_name, "chatMode": "bot", "markAsReadMode": "auto",
        })

    def message_content(self, message_id: str) -> ApiResult:
        """`GET /v2/bot/message/{id}/content`: the bytes of an image a user sent."""
        with self._lock:
            known = message_id in self._images
        if not known:
            return error(404, "Not found")
        return ApiResult(200, TINY_PNG, media_type="image/png")


def _origin(url: str) -> str:
    """scheme://host[:port] of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _kinds(kinds: Iterable[str]) -> frozenset[str]:
    chosen = frozenset(kinds)
    if not chosen or not chosen <= FAULT_KINDS:
        raise ValueError(f"kinds must be a non-empty subset of {sorted(FAULT_KINDS)}")
    return chosen


def _fault_message(status: int) -> str:
    if status == 429:
        return "Too Many Requests"
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _copy(value: Any) -> Any:
    """A deep copy of JSON-shaped data (dicts, lists, scalars), several times cheaper than
    `copy.deepcopy`, which memoizes every object; anything else is deep-copied as before."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    if value is None or isinstance(value, str | int | float):  # bool is an int
        return value
    return copy.deepcopy(value)


def _readable(message: dict[str, Any]) -> str:
    """Text of a text message, altText of a flex/template/imagemap, else `[type]`."""
    if message.get("type") in ("text", "textV2"):
        return str(message.get("text", ""))
    if "altText" in message:
        return str(message["altText"])
    return f"[{message.get('type')}]"
