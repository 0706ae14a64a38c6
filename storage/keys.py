"""Every Redis key the app uses, built in one place: `{prefix}:{kind}:{part}:…`.

The strings are exactly those stored since the first release, so a rolling deploy and the
data already in Redis keep working; tests/storage/test_keys.py pins each one and fails the
suite when a key is built as an f-string anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class KeyKind(StrEnum):
    """What a key holds; the second segment of every key."""

    CONVERSATION = "conv"  # one JSON document per LINE user (dialogs.conversation)
    LOCK = "lock"  # the per-user lock taken before the conversation is loaded
    EVENT = "evt"  # a webhook event id already handled (dedupe)
    HOLD = "hold"  # a slot held while its user confirms
    RATE_LIMIT = "rl"  # attempt counters (sign-in, link codes)
    CONSOLE_SESSION = "staffsess"  # a staff console session, by the sha256 of its id
    JOBS = "jobs"  # the SAQ queue's name
    STREAM = "events"  # one partition's stream of webhook events waiting for a handler
    EVENT_DONE = "evtdone"  # a handled event's replies, written under the user's lock
    PARTITION = "part"  # the lease of the handler that owns one partition
    HANDLERS = "handlers"  # live handler processes and their last heartbeat
    COMPLETED = "completed"  # handled event ids, read by the emulator driver
    VERSION = "ver"  # a counter bumped when staff change what processes cache (office, terms)


@dataclass(frozen=True)
class RedisKeys:
    """The key builder of one deployment: every key starts with `prefix:`, so deployments
    (and test runs) sharing one Redis never see each other's keys."""

    prefix: str

    def build(self, kind: KeyKind, *parts: str | int) -> str:
        """`prefix:kind:part:…`, the one place where keys are joined."""
        return ":".join((self.prefix, kind.value, *(str(part) for part in parts)))

    def pattern(self, kind: KeyKind | None = None) -> str:
        """A SCAN pattern for every key of this deployment, or of one kind."""
        return f"{self.prefix}:*" if kind is None else self.build(kind, "*")

    def conversation(self, user: str) -> str:
        """The user's conversation document."""
        return self.build(KeyKind.CONVERSATION, user)

    def lock(self, user: str) -> str:
        """The user's lock."""
        return self.build(KeyKind.LOCK, user)

    def event(self, event_id: str) -> str:
        """The marker of a handled webhook event."""
        return self.build(KeyKind.EVENT, event_id)

    def hold(self, office: str, booth: int, starts: str) -> str:
        """The hold on one booth's slot."""
        return self.build(KeyKind.HOLD, office, booth, starts)

    def rate_limit(self, scope: str, name: str, window: int | None = None) -> str:
        """Attempts by `name` in `scope`, per fixed `window` number when given."""
        if window is None:
            return self.build(KeyKind.RATE_LIMIT, scope, name)
        return self.build(KeyKind.RATE_LIMIT, scope, name, window)

    def rate_limit_client(self, scope: str, client: str, window: int) -> str:
        """Attempts from one client address in `scope` during fixed `window` number."""
        return self.build(KeyKind.RATE_LIMIT, f"{scope}-client", client, window)

    def console_session(self, digest: str) -> str:
        """A console session by the sha256 hex digest of its id (never the id itself)."""
        return self.build(KeyKind.CONSOLE_SESSION, digest)

    def stream(self, partition: int) -> str:
        """One partition's stream of webhook events (a user always maps to the same one)."""
        return self.build(KeyKind.STREAM, partition)

    def event_done(self, event_id: str) -> str:
        """The record that an event's step ran, with the replies it made."""
        return self.build(KeyKind.EVENT_DONE, event_id)

    def partition_lease(self, partition: int) -> str:
        """The lease of the handler process that owns a partition."""
        return self.build(KeyKind.PARTITION, partition)

    def handlers(self) -> str:
        """A sorted set of handler processes by their last heartbeat."""
        return self.build(KeyKind.HANDLERS)

    def completed(self) -> str:
        """A capped stream of handled event ids (what "finished" means to the emulator)."""
        return self.build(KeyKind.COMPLETED)

    def jobs(self) -> str:
        """The SAQ queue's name (SAQ adds its own `saq:` keys beneath it)."""
        return self.build(KeyKind.JOBS)

    def office_version(self) -> str:
        """The counter bumped whenever the office row, its terms versions or closures change."""
        return self.build(KeyKind.VERSION, "office")
