"""A handler's stop ends even when a cancellation is lost inside a Redis call (a survivor once
ignored SIGTERM for a minute: its lease loop ran on after the cancel). Real Redis."""

from __future__ import annotations

import asyncio
import uuid

from redis.asyncio import Redis

from bot.consumer import Consumer
from storage.event_stream import EventStream


class LosesOneCancel(EventStream):
    """A heartbeat that swallows the cancellation it gets, as a client library may."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.entered = asyncio.Event()
        self.lost = 0

    async def heartbeat(self, consumer: str, lease_ms: int) -> int:
        if not self.lost:
            self.entered.set()
            try:
                await asyncio.Event().wait()  # until cancelled
            except asyncio.CancelledError:
                self.lost += 1  # and carry on as if nothing happened
        return await super().heartbeat(consumer, lease_ms)


async def test_a_stop_ends_although_the_lease_loop_lost_its_cancel(redis_server):
    redis = Redis.from_url(redis_server.url)
    stream = LosesOneCancel(redis, prefix=f"stop-{uuid.uuid4().hex[:8]}", partitions=2,
                            dedupe_seconds=60)
    consumer = Consumer(stream=stream, dispatcher=object(),  # type: ignore[arg-type]
                        lease_seconds=3)
    running = asyncio.create_task(consumer.run())
    try:
        await asyncio.wait_for(stream.entered.wait(), 30)
        consumer.stop()
        await asyncio.wait_for(running, 30)  # hung for ever before the fix
        assert stream.lost == 1  # the cancel was indeed lost, and the stop ended all the same
        assert await redis.zcard(stream._keys.handlers()) == 0  # left the live set cleanly
    finally:
        running.cancel()
        await redis.aclose()
