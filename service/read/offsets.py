"""Where each character of a derived text came from in its source, kept as a few breakpoints.

A derived text (the readable text of an HTML page, an article cut out of it) is made of pieces
of its source. Each piece either copies the source character for character, or stands for a
source stretch as a whole (an entity such as `&amp;` gives `&`). Storing one breakpoint per piece,
not one per character, keeps the map of a megabyte page small and fast to build.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field


@dataclass(slots=True)
class OffsetMap:
    """Breakpoints `starts[i]` in the derived text, each with its source offset and, for a piece
    that stands for a source stretch as a whole, that stretch's length (0 for a verbatim piece)."""

    starts: list[int] = field(default_factory=list)
    sources: list[int] = field(default_factory=list)
    whole: list[int] = field(default_factory=list)

    def add(self, start: int, source: int, whole: int = 0) -> None:
        """Begin a piece at `start` in the derived text, taken from `source` in the source."""
        self.starts.append(start)
        self.sources.append(source)
        self.whole.append(whole)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The source `[start, end)` that holds derived `[start, end)` (end > start)."""
        first = bisect_right(self.starts, start) - 1
        last = bisect_right(self.starts, end - 1) - 1
        source_start = self.sources[first] + (0 if self.whole[first] else start - self.starts[first])
        source_end = self.sources[last] + (self.whole[last] or end - self.starts[last])
        return source_start, source_end
