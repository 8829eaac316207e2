"""One owner per loaded model: every call to the model runs on one dedicated thread, in arrival order.

Tokenizers ("Already borrowed"), llama.cpp contexts and torch's random seed are not safe to share
between threads. Giving each model a single worker thread fed by a queue makes any number of
concurrent briefs safe by construction, and the same request gives the same brief whatever else runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from ..errors import Cancelled

T = TypeVar("T")


class Owner:
    def __init__(self, name: str) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"owner-{name}")

    def call(self, work: Callable[[], T], cancel: threading.Event | None = None) -> T:
        """`work()` on the owner thread; a call still queued when `cancel` is set never runs."""
        def guarded() -> T:
            if cancel is not None and cancel.is_set():
                raise Cancelled("stopped before running: the request was cancelled")
            return work()

        return self._executor.submit(guarded).result()
