"""A batch's progress: documents read, groups, stories, briefs written. Bars on a terminal, log lines otherwise."""

from __future__ import annotations

import logging
import time
from typing import Any

log = logging.getLogger("service.batch")
LOG_EVERY = 10.0  # seconds between two log lines of one count, besides its start and its end


class Progress:
    """Counts that grow towards known totals, shown as `tqdm` bars or logged."""

    def __init__(self, bars: bool) -> None:
        self.bars = bars
        self.counts: dict[str, list[Any]] = {}  # name -> [done, total, bar or time of the last line]

    def start(self, name: str, total: int, done: int = 0) -> None:
        if self.bars:
            from tqdm import tqdm

            bar = tqdm(total=total, initial=done, desc=name, unit="", position=len(self.counts), leave=True)
            self.counts[name] = [done, total, bar]
        else:
            self.counts[name] = [done, total, time.monotonic()]
            log.info("%s: %d of %d", name, done, total)

    def advance(self, name: str, count: int) -> None:
        entry = self.counts[name]
        entry[0] += count
        if self.bars:
            entry[2].update(count)
        elif entry[0] >= entry[1] or time.monotonic() - entry[2] >= LOG_EVERY:
            entry[2] = time.monotonic()
            log.info("%s: %d of %d", name, entry[0], entry[1])

    def close(self) -> None:
        if self.bars:
            for _, _, bar in self.counts.values():
                bar.close()
