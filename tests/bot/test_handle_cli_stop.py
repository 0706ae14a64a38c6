"""A handler whose stop hangs says where it waits before it ends (bot/handle_cli.py)."""

from __future__ import annotations

import asyncio

from bot.handle_cli import waiting_on


async def _stuck_on_a_reply(release: asyncio.Event) -> None:
    await release.wait()


async def test_the_stop_log_names_each_waiting_task_by_code_location_only():
    release = asyncio.Event()
    task = asyncio.create_task(_stuck_on_a_reply(release), name="step-1")
    await asyncio.sleep(0)  # the task reaches its wait
    try:
        report = waiting_on()
    finally:
        release.set()
        await task
    line = next(line for line in report.splitlines() if line.startswith("step-"))
    assert "_stuck_on_a_reply@test_handle_cli_stop.py:" in line
    assert "test_the_stop_log_names_each_waiting_task" in report  # the test's own task too
