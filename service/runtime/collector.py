"""Python's cyclic garbage collector, paused while a large batch is grouped.

Grouping 100,000 articles makes tens of millions of small objects (sentences, fingerprints, pairs) that live
until the batch is grouped and form no reference cycles, so the collector finds nothing to free; yet each of
its full passes walks the whole heap again as it grows: 9.5 s of passes for the scale corpus's 100,000
documents. Paused, they were grouped in 122.0 s against 128.7 s (two alternated pairs of runs), with a lower
peak (docs/performance.md). Reference counting still frees everything else at once. Batches that overlap share one pause: collection resumes when the last one ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

PAUSE_FROM_DOCUMENTS = 2000  # a request of a few articles makes too few objects for a pass to matter


class _Pause:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.holders = 0
        self.resume = False  # whether the collector ran when the first holder paused it

    @contextmanager
    def held(self) -> Iterator[None]:
        with self.lock:
            if self.holders == 0:
                self.resume = gc.isenabled()
                gc.disable()
            self.holders += 1
        try:
            yield
        finally:
            with self.lock:
                self.holders -= 1
                if self.holders == 0 and self.resume:
                    gc.enable()


_PAUSE = _Pause()


@contextmanager
def paused_for(documents: int) -> Iterator[None]:
    """Pause the collector for a batch of `documents` from `PAUSE_FROM_DOCUMENTS` on; a smaller one runs as is."""
    if documents < PAUSE_FROM_DOCUMENTS:
        yield
        return
    with _PAUSE.held():
        yield
