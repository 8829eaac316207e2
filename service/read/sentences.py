"""Sentence boundaries with their offsets, and no sentence longer than a sentence can be.

blingfire finds the boundaries in microseconds. A line with no punctuation at all (a pasted
table, a run-on transcript) would otherwise be one sentence of thousands of words, which no word
budget can fit and which would make an absurd title. So a sentence is cut at `MAX_SENTENCE_WORDS`
words, at its last clause break (comma, semicolon, colon, dash) in the second half when it has
one. A run of over `LONGEST_WORD` characters without a space is not a word; it stands alone, so
that normalize can leave it out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import blingfire

MAX_SENTENCE_WORDS = 60
LONGEST_WORD = 100
TRIMMED_LINE = re.compile(r"\S(?:[^\n]*\S)?")  # a line's text without its surrounding whitespace
_TOKEN = re.compile(r"\S+")
_CLAUSE_END = re.compile(r"(?:[,;:]|[—–-]+)$")
# blingfire ends a sentence after a title before a name ("Dr. | Jones said") and inside a case's name ("Roe v. |
# Wade"); such pieces are rejoined.
_ENDS_BEFORE_A_NAME = re.compile(
    r"(?:^|\s)(?:Dr|Mr|Mrs|Ms|Prof|Gen|Sen|Rep|Gov|Lt|Col|Capt|Cmdr|Sgt|Rev|Hon|Pres|Supt|Insp|v)\.$")


def _pieces(text: str) -> list[str]:
    """Sentences by blingfire, with pieces cut after a title or a case's "v." rejoined to what follows."""
    pieces: list[str] = []
    for piece in blingfire.text_to_sentences(text).split("\n"):
        if pieces and _ENDS_BEFORE_A_NAME.search(pieces[-1]):
            pieces[-1] = f"{pieces[-1]} {piece}"
        else:
            pieces.append(piece)
    return pieces


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return `[start, end)` of each sentence, never crossing a line break, whitespace trimmed,
    at most `MAX_SENTENCE_WORDS` words.

    The whole text goes to the segmenter in one call (line breaks as spaces, so offsets hold);
    a sentence that spans lines is then cut at each line break, as a headline must be.
    """
    flat = text.replace("\n", " ")
    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in _pieces(flat):
        piece = piece.strip()
        if not piece:
            continue
        found = flat.find(piece, cursor)
        end = found + len(piece)
        if found < 0:  # the segmenter altered the text: keep the rest of the line whole
            line_end = text.find("\n", cursor)
            found, end = cursor, line_end if line_end >= 0 else len(text)
        for line in TRIMMED_LINE.finditer(text, found, end):
            spans += _bounded(text, *line.span())
        cursor = max(cursor, end)
    return spans


def _bounded(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """`[start, end)` cut into sentences of at most `MAX_SENTENCE_WORDS` words, over-long runs apart."""
    words = text[start:end].split()
    if len(words) <= MAX_SENTENCE_WORDS and max(map(len, words)) <= LONGEST_WORD:
        yield start, end
        return
    current: list[tuple[int, int]] = []
    for token in _TOKEN.finditer(text, start, end):
        if token.end() - token.start() > LONGEST_WORD:
            if current:
                yield current[0][0], current[-1][1]
            yield token.span()
            current = []
            continue
        current.append(token.span())
        if len(current) == MAX_SENTENCE_WORDS:
            cut = next((i for i in range(len(current) - 1, len(current) // 2, -1)
                        if _CLAUSE_END.search(text[slice(*current[i])])), len(current) - 1)
            yield current[0][0], current[cut][1]
            current = current[cut + 1:]
    if current:
        yield current[0][0], current[-1][1]
