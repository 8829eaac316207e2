"""Bounded work off the event loop: a fixed number of running jobs and a bounded queue.

A request beyond the queue is refused at once (`Overloaded`), never piled up. A job past its
deadline is answered with `RequestTimeout` and told to stop through its `threading.Event` (a job
that stores is awaited instead, `settle`); its slot is freed only when the thread really ends, so
abandoned work can never exceed the bound.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from ..errors import Cancelled, Overloaded, RequestTimeout

T = TypeVar("T")


class Jobs:
    def __init__(self, concurrency: int, queue: int) -> None:
        self.concurrency = concurrency
        self.capacity = concurrency + queue
        self.executor = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="brief-job")
        self.waiting = 0
        self.running = 0
        self.cancels: set[threading.Event] = set()
        self.slots = asyncio.Semaphore(concurrency)

    def open(self) -> None:
        """Start serving in the current event loop (each server start, after any earlier shutdown)."""
        self.slots = asyncio.Semaphore(self.concurrency - self.running)

    async def run(self, work: Callable[[threading.Event], T], timeout: float, settle: bool = False) -> T:
        """Run `work(cancel)` in a worker thread within `timeout` seconds, queueing for a slot.

        With `settle`, work that changes stored state is told to stop at its deadline and then awaited: it answers
        `Cancelled` when it stopped before changing anything (a timeout), else with what it did, so a timeout never
        hides a change that was made."""
        if self.waiting + self.running >= self.capacity:
            raise Overloaded(f"queue full: {self.running} running and {self.waiting} waiting (limit "
                             f"{self.capacity}); retry later", limit=self.capacity)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self.waiting += 1
        try:
            await asyncio.wait_for(self.slots.acquire(), timeout)
        except TimeoutError:
            raise RequestTimeout(f"waited {timeout:g} s for a free slot; limit is the request timeout",
                                 field="options.timeout_s", limit=timeout) from None
        finally:
            self.waiting -= 1
        cancel = threading.Event()
        self.running += 1
        self.cancels.add(cancel)
        future = loop.run_in_executor(self.executor, work, cancel)
        future.add_done_callback(lambda done: self._release(done, cancel))
        try:
            return await asyncio.wait_for(asyncio.shield(future), max(deadline - loop.time(), 0.001))
        except TimeoutError:
            cancel.set()
            if settle:
                try:
                    return await asyncio.shield(future)
                except Cancelled:
                    pass
            raise RequestTimeout(f"the brief took longer than {timeout:g} s and was cancelled",
                                 field="options.timeout_s", limit=timeout) from None
        except asyncio.CancelledError:  # the client or the server went away
            cancel.set()
            raise

    def _release(self, done: asyncio.Future[T], cancel: threading.Event) -> None:
        if not done.cancelled():
            done.exception()  # a job abandoned at its deadline ends in Cancelled: nobody else will read it
        self.running -= 1
        self.cancels.discard(cancel)
        self.slots.release()

    def cancel_all(self) -> None:
        """Tell every running job to stop (at shutdown, once the grace period is over)."""
        for cancel in list(self.cancels):
            cancel.set()
