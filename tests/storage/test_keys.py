"""The Redis key builder: the exact strings stored since the first release, one namespace per
prefix, and no key built by hand anywhere else."""

from __future__ import annotations

import ast
import hashlib
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from redis.asyncio import Redis

from devservices import RedisServer
from dialogs.conversation import Conversation
from storage.conversations import ConversationStore, EventDeduper, SlotHolds
from storage.keys import KeyKind, RedisKeys
from storage.office_cache import OfficeVersion
from storage.rate_limit import AttemptGate, RateLimiter
from storage.staff_sessions import ConsoleSessions
from tests.conftest import app_settings
from worker.app import make_queue

ROOT = Path(__file__).resolve().parents[2]
KEYS = RedisKeys("madoguchi")


def test_each_kind_builds_the_key_stored_today() -> None:
    assert KEYS.conversation("U123") == "madoguchi:conv:U123"
    assert KEYS.lock("U123") == "madoguchi:lock:U123"
    assert KEYS.event("01JEVENT") == "madoguchi:evt:01JEVENT"
    assert KEYS.hold("8f1c", 2, "2026-12-03T01:00:00+00:00") == \
        "madoguchi:hold:8f1c:2:2026-12-03T01:00:00+00:00"
    assert KEYS.rate_limit("link", "abc", 1234) == "madoguchi:rl:link:abc:1234"
    assert KEYS.rate_limit("login", "abc") == "madoguchi:rl:login:abc"
    assert KEYS.rate_limit_client("login-mfa", "cafe", 99) == \
        "madoguchi:rl:login-mfa-client:cafe:99"
    assert KEYS.console_session("0" * 64) == "madoguchi:staffsess:" + "0" * 64
    assert KEYS.jobs() == "madoguchi:jobs"
    assert KEYS.stream(3) == "madoguchi:events:3"
    assert KEYS.event_done("01JEVENT") == "madoguchi:evtdone:01JEVENT"
    assert KEYS.partition_lease(3) == "madoguchi:part:3"
    assert KEYS.handlers() == "madoguchi:handlers"
    assert KEYS.completed() == "madoguchi:completed"
    assert KEYS.office_version() == "madoguchi:ver:office"


def test_every_kind_has_a_builder_method_and_a_scan_pattern() -> None:
    assert {kind.value for kind in KeyKind} == {
        "conv", "lock", "evt", "hold", "rl", "staffsess", "jobs", "events", "evtdone", "part",
        "handlers", "completed", "ver"}
    assert KEYS.pattern() == "madoguchi:*"
    assert KEYS.pattern(KeyKind.CONVERSATION) == "madoguchi:conv:*"


def _all_keys(keys: RedisKeys) -> list[str]:
    return [keys.conversation("U1"), keys.lock("U1"), keys.event("E1"),
            keys.hold("o", 1, "s"), keys.rate_limit("link", "n", 1), keys.rate_limit("login", "n"),
            keys.rate_limit_client("login", "c", 1), keys.console_session("d"), keys.jobs(),
            keys.stream(1), keys.event_done("E1"), keys.partition_lease(1), keys.handlers(),
            keys.completed(), keys.office_version()]


@pytest.mark.parametrize(("first", "second"), [
    ("madoguchi", "madoguchi2"), ("t1", "t"), ("a", "b"), ("prod", "prod-staging")])
def test_two_prefixes_never_share_a_key(first: str, second: str) -> None:
    ones, others = _all_keys(RedisKeys(first)), _all_keys(RedisKeys(second))
    assert not set(ones) & set(others)
    assert all(key.startswith(f"{first}:") and not key.startswith(f"{second}:") for key in ones)
    assert all(key.startswith(f"{second}:") and not key.startswith(f"{first}:") for key in others)


def test_kinds_of_one_prefix_never_share_a_key() -> None:
    keys = _all_keys(KEYS)
    assert len(set(keys)) == len(keys)
    assert len({key.split(":")[1] for key in keys}) == len(KeyKind)


# A segment naming a key kind inside an f-string (":conv:", ":jobs"), or an f-string that
# starts from a prefix variable followed by ":", is a key built by hand.
_KINDS = "|".join(re.escape(kind.value) for kind in KeyKind)
_KIND = re.compile(rf":(?:{_KINDS})(?::|-|$)")


def _hand_built_keys(source: str) -> list[int]:
    """Line numbers of f-strings in `source` that build a Redis key."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.JoinedStr):
            continue
        pieces = node.values
        for index, piece in enumerate(pieces):
            after = pieces[index + 1] if index + 1 < len(pieces) else None
            from_prefix = (isinstance(piece, ast.FormattedValue)
                           and "prefix" in ast.unparse(piece.value).lower()
                           and isinstance(after, ast.Constant) and str(after.value).startswith(":"))
            names_kind = isinstance(piece, ast.Constant) and _KIND.search(str(piece.value))
            if from_prefix or names_kind:
                lines.append(node.lineno)
                break
    return lines


def _app_sources() -> list[Path]:
    skip = {".venv", "tests", ".git", "node_modules"}
    return [path for path in ROOT.rglob("*.py")
            if not skip & set(path.relative_to(ROOT).parts)
            and path != ROOT / "storage" / "keys.py"]


def test_the_scan_spots_a_key_built_by_hand() -> None:
    assert _hand_built_keys('k = f"{self._prefix}:conv:{user}"') == [1]
    assert _hand_built_keys('k = f"{settings.redis_prefix}:jobs"') == [1]
    assert _hand_built_keys('k = f"{p}:staffsess:{d}"') == [1]
    assert _hand_built_keys('k = f"{p}:rl:{scope}-client"') == [1]
    assert _hand_built_keys('k = f"{name}: {value}"') == []
    assert _hand_built_keys('k = f"{left}:{right}"') == []


def test_no_redis_key_is_built_outside_the_key_builder() -> None:
    found = {str(path.relative_to(ROOT)): lines for path in _app_sources()
             if (lines := _hand_built_keys(path.read_text(encoding="utf-8")))}
    assert found == {}, "build Redis keys with storage.keys.RedisKeys"


async def test_the_stores_write_under_the_keys_the_builder_names(redis_server: RedisServer) -> None:
    prefix = f"k{uuid.uuid4().hex[:8]}"
    keys, redis = RedisKeys(prefix), Redis.from_url(redis_server.url)
    now = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
    try:
        store = ConversationStore(redis, prefix=prefix, ttl_seconds=60)
        await store.acquire("U1")
        await store.save("U1", Conversation(state="booking:pick_day"))
        await EventDeduper(redis, prefix=prefix, ttl_seconds=60).first_time("E1")
        await SlotHolds(redis, prefix=prefix).hold("o1", 2, "s1", "U1", 60_000)
        await RateLimiter(redis, prefix=prefix, scope="link", limit=3,
                          window_seconds=60).hit("n1", now)
        await AttemptGate(redis, prefix=prefix, scope="login", free=3, cap_seconds=60,
                          client_limit=20, window_seconds=60).attempt("n1", "c1", now)
        await OfficeVersion(redis, prefix=prefix).bump()
        session = await ConsoleSessions(redis, prefix=prefix).create(uuid.uuid4(), now=now)
        digest = hashlib.sha256(session.id.encode()).hexdigest()
        window = int(now.timestamp()) // 60
        assert {key.decode() async for key in redis.scan_iter(match=keys.pattern())} == {
            keys.conversation("U1"), keys.lock("U1"), keys.event("E1"), keys.hold("o1", 2, "s1"),
            keys.rate_limit("link", "n1", window), keys.rate_limit("login", "n1"),
            keys.rate_limit_client("login", "c1", window), keys.console_session(digest),
            keys.office_version()}
    finally:
        async for key in redis.scan_iter(match=keys.pattern()):
            await redis.delete(key)
        await redis.aclose()


def test_the_job_queue_is_named_by_the_builder() -> None:
    settings = app_settings("sqlite+aiosqlite://", "redis://127.0.0.1:1", redis_prefix="q1")
    assert make_queue(settings).name == RedisKeys("q1").jobs() == "q1:jobs"
