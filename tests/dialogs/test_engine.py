"""The engine against a real Redis: lock before load, TTL, expired buttons, errors keep state."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis

from dialogs.conversation import IDLE, Conversation
from dialogs.engine import Engine, compact
from dialogs.flow import Ctx, Input, Invalid, State, Step
from dialogs.ports import OfficeInfo, Ports, UserInfo
from dialogs.postback import Postback
from dialogs.registry import Registry
from dialogs.replies import Reply, Text
from storage.conversations import ConversationStore
from tests.fakes import MemoryStateStore

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


class Port:
    """A minimal office port: these tests are about the engine, not the office."""

    office = OfficeInfo(name="テスト", phone="0173-00-0000", hours="", address="", base_url="")

    async def user(self, line_user_id: str) -> UserInfo:
        return UserInfo(known=False)

    async def mark_unfollowed(self, line_user_id: str) -> None:
        return None

    async def language(self, line_user_id: str) -> str | None:
        return None


def counting_registry(order: list[str]) -> Registry:
    """A flow that asks for numbers and adds them up, slowly enough to expose interleaving."""
    registry = Registry()

    async def ask(ctx: Ctx) -> list[Reply]:
        return [
            Text(text=f"合計 {ctx.data.get('sum', 0)}", choices=[ctx.button("1を足す", "add", "1")])
        ]

    async def add(ctx: Ctx, inp: Input) -> Step:
        value = inp.postback.value if inp.postback else inp.text
        if not value.isdigit():
            raise Invalid("数字を入力してください。")
        if value == "13":
            raise RuntimeError("unlucky")
        before = ctx.data.get("sum", 0)
        order.append(f"start {value}")
        await asyncio.sleep(0)  # yield: without the lock another event would read `before` too
        order.append(f"end {value}")
        ctx.data["sum"] = before + int(value)
        return Step("count:ask")

    async def start(ctx: Ctx, inp: Input) -> Step:
        return Step("count:ask")

    registry.state(State("count:ask", ask, on_text=add, actions={"add": add}))
    registry.entry("home", start, "かぞえる")
    registry.entry("follow", start)
    return registry


@pytest.fixture
async def redis(redis_server) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_server.url)
    yield client
    await client.aclose()


def make_engine(
    redis: Redis, order: list[str], ttl: int = 1800
) -> tuple[Engine, ConversationStore]:
    store = ConversationStore(redis, prefix="engine-test", ttl_seconds=ttl)
    engine = Engine(store=store, registry=counting_registry(order),
                    ports=lambda outbox: Ports(office=Port.office, accounts=Port(),  # type: ignore[arg-type]
                                               availability=None, requests=None),
                    clock=lambda: NOW)
    return engine, store


async def test_two_events_of_one_user_never_interleave(redis: Redis):
    order: list[str] = []
    engine, store = make_engine(redis, order)
    await engine.handle("Ua", Input(kind="text", text="かぞえる"))
    await asyncio.gather(
        *(engine.handle("Ua", Input(kind="text", text=str(n))) for n in range(1, 11))
    )
    assert (await store.load("Ua")).data["sum"] == 55
    pairs = list(zip(order[::2], order[1::2], strict=True))
    assert all(a.split()[1] == b.split()[1] for a, b in pairs)


async def test_state_is_one_json_document_with_a_ttl(redis: Redis):
    engine, store = make_engine(redis, [], ttl=120)
    await engine.handle("Ub", Input(kind="text", text="かぞえる"))
    raw = await redis.get("engine-test:conv:Ub")
    conv = Conversation.from_json(raw)
    assert conv.state == "count:ask"
    assert 0 < await redis.ttl("engine-test:conv:Ub") <= 120


async def test_ending_a_flow_deletes_the_key(redis: Redis):
    engine, _ = make_engine(redis, [])
    await engine.handle("Uc", Input(kind="text", text="かぞえる"))
    replies = (await engine.handle("Uc", Input(kind="text", text="やめる"))).replies
    assert "中止しました" in replies[0].text  # type: ignore[union-attr]
    assert await redis.exists("engine-test:conv:Uc") == 0


async def test_a_button_from_an_earlier_step_has_expired(redis: Redis):
    engine, store = make_engine(redis, [])
    await engine.handle("Ud", Input(kind="text", text="かぞえる"))
    old_nonce = (await store.load("Ud")).nonce
    await engine.handle("Ud", Input(kind="text", text="2"))
    stale = Input(kind="postback", postback=Postback(action="add", value="1", nonce=old_nonce))
    replies = (await engine.handle("Ud", stale)).replies
    assert "有効期限が切れました" in replies[0].text  # type: ignore[union-attr]
    assert (await store.load("Ud")).data["sum"] == 2


async def test_a_fresh_button_works(redis: Redis):
    engine, store = make_engine(redis, [])
    await engine.handle("Ue", Input(kind="text", text="かぞえる"))
    nonce = (await store.load("Ue")).nonce
    await engine.handle(
        "Ue", Input(kind="postback", postback=Postback(action="add", value="1", nonce=nonce))
    )
    assert (await store.load("Ue")).data["sum"] == 1


async def test_invalid_input_keeps_the_state_and_reasks(redis: Redis):
    engine, store = make_engine(redis, [])
    await engine.handle("Uf", Input(kind="text", text="かぞえる"))
    replies = (await engine.handle("Uf", Input(kind="text", text="たくさん"))).replies
    assert replies[0].text == "数字を入力してください。"  # type: ignore[union-attr]
    assert "合計 0" in replies[1].text  # type: ignore[union-attr]
    assert (await store.load("Uf")).state == "count:ask"


async def test_a_crashing_handler_leaves_the_saved_state_untouched(redis: Redis):
    engine, store = make_engine(redis, [])
    await engine.handle("Ug", Input(kind="text", text="かぞえる"))
    await engine.handle("Ug", Input(kind="text", text="5"))
    with pytest.raises(RuntimeError):
        await engine.handle("Ug", Input(kind="text", text="13"))
    assert (await store.load("Ug")).data["sum"] == 5
    assert await redis.exists("engine-test:lock:Ug") == 0


async def test_an_unknown_schema_version_starts_afresh(redis: Redis):
    engine, store = make_engine(redis, [])
    await redis.set("engine-test:conv:Uh", '{"v": 99, "state": "gone:away", "data": {}}')
    assert (await store.load("Uh")).state == "idle"


def test_replies_are_kept_to_five_messages():
    replies: list[Reply] = [Text(text=str(n)) for n in range(8)]
    out = compact(replies)
    assert len(out) == 5
    assert [t.text for t in out][-1] == "7"  # type: ignore[union-attr]
    assert "0" in out[0].text  # type: ignore[union-attr]


def gated_engine(gate: asyncio.Event, slow_after: float, seen: list[str]) -> Engine:
    """A one-step flow that waits for `gate`; `on_slow` records the user and opens the gate."""
    registry = Registry()

    async def wait(ctx: Ctx, inp: Input) -> Step:
        await gate.wait()
        return Step(IDLE, say=[Text(text="おまたせしました")])

    registry.entry("home", wait, "まつ")

    async def on_slow(user: str) -> None:
        seen.append(user)
        gate.set()

    return Engine(store=MemoryStateStore(), registry=registry,
                  ports=lambda outbox: Ports(office=Port.office, accounts=Port(),  # type: ignore[arg-type]
                                             availability=None, requests=None),  # type: ignore[arg-type]
                  clock=lambda: NOW, on_slow=on_slow, slow_after=slow_after)


async def test_a_step_that_outlasts_the_threshold_calls_on_slow_before_answering():
    seen: list[str] = []
    # The step can only finish once on_slow has run: it is the one that opens the gate.
    handled = await asyncio.wait_for(
        gated_engine(asyncio.Event(), 0.01, seen).handle("Uslow", Input(kind="text", text="まつ")),
        60)
    assert seen == ["Uslow"] and [r.text for r in handled.replies] == ["おまたせしました"]


async def test_a_quick_step_does_not_call_on_slow():
    seen: list[str] = []
    gate = asyncio.Event()
    gate.set()
    handled = await gated_engine(gate, 60, seen).handle("Uquick", Input(kind="text", text="まつ"))
    assert seen == [] and [r.text for r in handled.replies] == ["おまたせしました"]
