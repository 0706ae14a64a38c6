"""`StateStore` in memory: one conversation per user, and a token-checked per-user lock."""

from __future__ import annotations

import asyncio
import json
import secrets

from dialogs.conversation import Conversation
from dialogs.ports import LockTimeout, Once


class MemoryStateStore:
    """As storage.conversations.ConversationStore, without Redis (and without a TTL)."""

    def __init__(self, *, timeout: float = 10.0) -> None:
        self.timeout = timeout
        self.docs: dict[str, str] = {}  # JSON, as Redis keeps it: nothing shared by reference
        self.locks: dict[str, str] = {}
        self.records: dict[str, str] = {}  # Once records by key (no expiry in memory)

    async def acquire(self, user: str) -> str:
        """Take the user's lock and return its token; waits up to `timeout`."""
        token = secrets.token_hex(8)
        deadline = asyncio.get_running_loop().time() + self.timeout
        while user in self.locks:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise LockTimeout(user)
            await asyncio.sleep(min(left, 0.002))
        self.locks[user] = token
        return token

    async def release(self, user: str, token: str) -> None:
        """Release the lock only if we still hold it."""
        if self.locks.get(user) == token:
            del self.locks[user]

    async def load(self, user: str) -> Conversation:
        raw = self.docs.get(user)
        return Conversation.from_json(raw) if raw else Conversation()

    async def save(self, user: str, conv: Conversation) -> None:
        """An idle conversation with no data is not kept."""
        if conv.is_empty:
            self.docs.pop(user, None)
        else:
            self.docs[user] = conv.to_json()

    async def delete(self, user: str) -> None:
        self.docs.pop(user, None)

    async def acquire_load(self, user: str) -> tuple[str, Conversation]:
        """`acquire`, then `load`."""
        token = await self.acquire(user)
        return token, await self.load(user)

    async def save_release(self, user: str, conv: Conversation, token: str) -> None:
        """`save`, then `release`."""
        await self.save(user, conv)
        await self.release(user, token)

    async def acquire_load_once(self, user: str, once: Once
                                ) -> tuple[str, Conversation, list[dict] | None]:
        """`acquire_load`, and the input's record."""
        token, conv = await self.acquire_load(user)
        raw = self.records.get(once.key)
        return token, conv, (json.loads(raw) if raw is not None else None)

    async def save_release_once(self, user: str, conv: Conversation, token: str, once: Once,
                                record: list[dict]) -> None:
        """The record, then `save_release`."""
        self.records[once.key] = json.dumps(record)
        await self.save_release(user, conv, token)
