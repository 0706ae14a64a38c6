"""StateStore contract: conversations and the per-user lock, in memory and on Redis."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from dialogs.conversation import IDLE, Conversation
from dialogs.ports import LockTimeout, Once


async def test_an_unknown_user_loads_a_fresh_idle_conversation(store: Any):
    conv = await store.load("Unobody")
    assert conv.state == IDLE and conv.data == {} and conv.history == []


async def test_a_saved_conversation_loads_back_equal_and_unshared(store: Any):
    conv = Conversation(state="booking:day", data={"purpose": "job_consultation"},
                        history=["booking:purpose"])
    await store.save("Ua", conv)
    conv.data["purpose"] = "changed after saving"
    loaded = await store.load("Ua")
    assert (loaded.state, loaded.data, loaded.history, loaded.nonce) == (
        "booking:day", {"purpose": "job_consultation"}, ["booking:purpose"], conv.nonce)


async def test_saving_an_empty_idle_conversation_forgets_the_user(store: Any):
    await store.save("Ub", Conversation(state="booking:day"))
    old_nonce = (await store.load("Ub")).nonce
    await store.save("Ub", Conversation())
    assert (await store.load("Ub")).nonce != old_nonce  # a fresh one, nothing kept


async def test_delete_forgets_the_conversation(store: Any):
    await store.save("Uc", Conversation(state="booking:day"))
    await store.delete("Uc")
    assert (await store.load("Uc")).state == IDLE


async def test_users_have_separate_conversations_and_locks(store: Any):
    await store.save("Ud", Conversation(state="booking:day"))
    assert (await store.load("Ue")).state == IDLE
    first = await store.acquire("Ud")
    second = await store.acquire("Ue")  # not blocked by Ud's lock
    await store.release("Ud", first)
    await store.release("Ue", second)


async def test_a_second_acquire_waits_until_the_first_is_released(store: Any):
    token = await store.acquire("Uf")
    waiting = asyncio.create_task(store.acquire("Uf"))
    await asyncio.sleep(0)  # let it start waiting
    assert not waiting.done()
    await store.release("Uf", token)
    second = await asyncio.wait_for(waiting, 30)
    assert second != token
    await store.release("Uf", second)


async def test_acquire_gives_up_while_someone_else_holds_the_lock(store: Any):
    await store.acquire("Ug")
    with pytest.raises(LockTimeout):
        await store.acquire("Ug")


async def test_releasing_with_a_stale_token_leaves_the_lock_held(store: Any):
    token = await store.acquire("Uh")
    await store.release("Uh", "not-the-token")
    with pytest.raises(LockTimeout):  # still held: a second acquire gives up
        await store.acquire("Uh")
    await store.release("Uh", token)
    await store.release("Uh", await asyncio.wait_for(store.acquire("Uh"), 30))


async def test_acquire_load_takes_the_lock_and_reads_the_conversation(store: Any):
    await store.save("Ui", Conversation(state="booking:day", data={"day": "2026-12-03"}))
    token, conv = await store.acquire_load("Ui")
    assert (conv.state, conv.data) == ("booking:day", {"day": "2026-12-03"})
    with pytest.raises(LockTimeout):  # held: a second acquire gives up
        await store.acquire("Ui")
    await store.release("Ui", token)


async def test_acquire_load_of_an_unknown_user_is_a_fresh_idle_conversation(store: Any):
    token, conv = await store.acquire_load("Unobody2")
    assert conv.state == IDLE and conv.data == {}
    await store.release("Unobody2", token)


async def test_save_release_stores_the_conversation_and_frees_the_lock(store: Any):
    token, conv = await store.acquire_load("Uj")
    conv.state, conv.data = "booking:time", {"n": 1}
    await store.save_release("Uj", conv, token)
    second, loaded = await asyncio.wait_for(store.acquire_load("Uj"), 30)  # free again
    assert (loaded.state, loaded.data, loaded.nonce) == ("booking:time", {"n": 1}, conv.nonce)
    await store.save_release("Uj", Conversation(), second)  # empty and idle: forgotten
    third, fresh = await asyncio.wait_for(store.acquire_load("Uj"), 30)
    assert fresh.state == IDLE and fresh.nonce != conv.nonce
    await store.release("Uj", third)


async def test_acquire_load_waits_for_the_holder_then_reads_what_it_saved(store: Any):
    token, conv = await store.acquire_load("Uk")
    waiting = asyncio.create_task(store.acquire_load("Uk"))
    await asyncio.sleep(0)
    assert not waiting.done()
    conv.state = "booking:day"
    await store.save_release("Uk", conv, token)
    second, seen = await asyncio.wait_for(waiting, 30)
    assert seen.state == "booking:day" and second != token
    await store.release("Uk", second)


async def test_save_release_with_a_stale_token_leaves_the_lock_held(store: Any):
    token, conv = await store.acquire_load("Ul")
    await store.save_release("Ul", conv, "not-the-token")
    with pytest.raises(LockTimeout):
        await store.acquire("Ul")
    await store.release("Ul", token)


async def test_an_input_handled_once_is_recorded_with_the_state_and_read_with_the_lock(
        store: Any):
    once = Once(key="ev-" + "Um", seconds=600)
    token, conv, earlier = await store.acquire_load_once("Um", once)
    assert earlier is None  # never ran
    conv.state = "booking:day"
    await store.save_release_once("Um", conv, token, once, [{"kind": "text", "text": "はい"}])
    second, seen, earlier = await asyncio.wait_for(store.acquire_load_once("Um", once), 30)
    assert seen.state == "booking:day"
    assert earlier == [{"kind": "text", "text": "はい"}]  # the first run's replies
    with pytest.raises(LockTimeout):  # the lock is held as with acquire_load
        await store.acquire("Um")
    await store.release("Um", second)
    other, _, nothing = await store.acquire_load_once("Um", Once(key="ev-other", seconds=600))
    assert nothing is None  # records are per input
    await store.save_release_once("Um", Conversation(), other, Once("ev-other", 600), [])
    last, fresh, empty = await asyncio.wait_for(
        store.acquire_load_once("Um", Once("ev-other", 600)), 30)
    assert fresh.state == IDLE and empty == []  # recorded, with no replies
    await store.release("Um", last)
