"""Daemon threads that run one job after another and live until the process ends.

Why: SQLAlchemy's asyncio API runs each query in a greenlet. When a thread that ran some
ends, greenlet destroys that thread's state later, from whichever thread next runs Python's
pending calls; in test runs that destruction spun for minutes (py-spy: greenlet's
`ThreadState_DestroyNoGIL` under `green_dealloc`) and hung a pytest-xdist worker. A thread
that never ends is never destroyed, so an event loop that touches a database from a thread
other than the main one runs on these.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")

_Job = tuple[Callable[[], Any], Future[Any]]
# The inboxes of threads waiting for work; a job goes to one of them, or to a new thread.
_idle: queue.SimpleQueue[queue.SimpleQueue[_Job]] = queue.SimpleQueue()


def run_in_lasting_thread(target: Callable[[], T]) -> Future[T]:
    """Run `target()` on an idle lasting thread (a new one if none is idle); its result or
    exception arrives in the returned future."""
    future: Future[T] = Future()
    try:
        inbox = _idle.get_nowait()
    except queue.Empty:
        inbox = queue.SimpleQueue()
        threading.Thread(target=_serve, args=(inbox,), name="lasting-thread",
                         daemon=True).start()
    inbox.put((target, future))
    return future


def _serve(inbox: queue.SimpleQueue[_Job]) -> None:
    while True:
        target, future = inbox.get()
        if future.set_running_or_notify_cancel():
            try:
                result = target()
            except BaseException as exc:  # handed to whoever waits on the future
                future.set_exception(exc)
            else:
                future.set_result(result)
        del target, future  # nothing of the job outlives it in this frame
        _idle.put(inbox)
