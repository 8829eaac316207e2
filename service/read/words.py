"""Words as the stages count them: runs of letters, digits and underscores (`\\w+`), case folded.

Copies, alignment, evidence and verify compare words by this one pattern. The same-event features
(`group/events.py`, words with their apostrophes), the slots of values (`values/slots.py`, letters
only) and leaked prompt text (`brief/prompts.py`) tokenise for their own, different purposes.
"""

from __future__ import annotations

import re

WORD = re.compile(r"\w+")
SAME_WORDS = 0.8  # share of each text's words the other has, for two texts to be one told again


def words(text: str) -> list[str]:
    """The text's words, lower-cased: case, spacing and punctuation do not tell two copies apart."""
    return WORD.findall(text.lower())


def content_words(text: str, numbers: bool = True) -> set[str]:
    """Words that carry content: four characters or more, and (unless `numbers` is False) numbers of any length."""
    return {w for w in words(text) if len(w) >= 4 or (numbers and w.isdigit())}


def word_set(text: str) -> frozenset[str]:
    """The text's distinct words (`words`)."""
    return frozenset(words(text))


def same_words(first: frozenset[str], second: frozenset[str]) -> bool:
    """Whether two word sets are one text told again: `SAME_WORDS` of each one's words are the other's (a title, and
    a line or a sentence that repeats it)."""
    return len(first & second) >= SAME_WORDS * max(len(first), len(second), 1)
