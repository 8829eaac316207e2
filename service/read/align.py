"""Find an extractor's paragraphs in the page's own text, so that they keep exact offsets.

Only words (runs of letters and digits) are compared: the extractor may join inline elements,
unescape entities, change spaces or drop a list bullet, and none of that matters. A paragraph is
looked for after the previous one first (reading order), then anywhere not already taken; one that
is not found whole is looked for sentence by sentence. What is still not found is counted, and
never becomes text the service cites.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate

from .words import WORD

_WORD_SPLIT = re.compile(rf"({WORD.pattern})")
_NON_WORD = re.compile(r"\W+")
_SAME_LINE_SPACE = frozenset(" \t\u00a0")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+")


@dataclass(frozen=True, slots=True)
class Alignment:
    """`[start, end)` in the page text of each paragraph found, in page order, and how many
    characters of the extractor's output were not found."""

    ranges: tuple[tuple[int, int], ...]
    unaligned: int


class _Page:
    """The page's words joined into one key, so a paragraph is found with one `str.find`; what
    has been placed so far, and where reading stopped."""

    def __init__(self, text: str) -> None:
        self.text = text
        pieces = _WORD_SPLIT.split(text)  # gap, word, gap, word, …, gap: built in C, as are the sums below
        self.offsets = list(accumulate(map(len, pieces), initial=0))  # word i is offsets[2i+1]:offsets[2i+2]
        self.key = "".join(pieces[1::2])
        self.key_starts = list(accumulate(map(len, pieces[1::2]), initial=0))
        self.taken = bytearray(len(self.key_starts) - 1)
        self.ranges: list[tuple[int, int]] = []
        self.after = 0  # the word after the last one placed

    def place(self, piece: str) -> bool:
        """Find `piece` after the last placement, else anywhere free; False when it is nowhere."""
        key = _NON_WORD.sub("", piece)
        if not key:
            return True
        found = self._find(key, self.after) or self._find(key, 0)
        if found is None:
            return False
        first, last = found
        self.taken[first:last + 1] = b"\x01" * (last + 1 - first)
        self.ranges.append(self._widened(first, last, piece))
        self.after = last + 1
        return True

    def _find(self, key: str, after: int) -> tuple[int, int] | None:
        """First and last word of the first free occurrence of `key` on word boundaries, from word `after` on."""
        position = self.key.find(key, self.key_starts[after])
        while position >= 0:
            first = bisect_left(self.key_starts, position)
            last = bisect_left(self.key_starts, position + len(key)) - 1
            if (self.key_starts[first] == position and self.key_starts[last + 1] == position + len(key)
                    and not any(self.taken[first:last + 1])):
                return first, last
            position = self.key.find(key, position + 1)
        return None

    def _widened(self, first: int, last: int, piece: str) -> tuple[int, int]:
        """The text from word `first` to word `last`, widened by the punctuation and symbols that open and
        close `piece` when the text has them too (quotes, a final full stop, "government 😀.")."""
        words = list(WORD.finditer(piece))
        return (self._matched(self.offsets[2 * first + 1], piece[:words[0].start()].lstrip()[::-1], step=-1),
                self._matched(self.offsets[2 * last + 2], piece[words[-1].end():].rstrip(), step=1))

    def _matched(self, at: int, chars: str, step: int) -> int:
        """How far from `at` the text holds `chars` in order, going forwards (`step` 1) or backwards (-1), a run of
        spaces matching any other on the same line: the edge of the last character matched."""
        matched = cursor = at
        ahead = 0 if step == 1 else -1  # the index of the character after the cursor, in the direction of travel
        for char in chars:
            if char.isspace():
                while 0 <= cursor + ahead < len(self.text) and self.text[cursor + ahead] in _SAME_LINE_SPACE:
                    cursor += step
                continue
            if not 0 <= cursor + ahead < len(self.text) or self.text[cursor + ahead] != char:
                break
            cursor += step
            matched = cursor
        return matched


def align(paragraphs: list[str], text: str) -> Alignment:
    """Locate each paragraph (or, failing that, each of its sentences) in `text`."""
    page = _Page(text)
    unaligned = 0
    for paragraph in paragraphs:
        if not page.place(paragraph):
            for sentence in _SENTENCE_BREAK.split(paragraph):
                if not page.place(sentence):
                    unaligned += len(sentence.strip())
    return Alignment(tuple(sorted(page.ranges)), unaligned)
