"""The extractive writer: the evidence itself, trimmed to the budget and put in reading order.

Deterministic, instant, and exact in attribution: the default in tests and the fallback when no
model is loaded.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from ..types import Evidence
from .base import Draft, DraftSentence


def trim_to_budget(evidence: Sequence[Evidence], max_words: int) -> list[int]:
    """Indexes of the evidence (taken in rank order) that fit `max_words`, in reading order.

    The first sentence is always kept; later ones are skipped when they would overflow, so a
    shorter one further down may still fit.
    """
    kept: list[int] = []
    words = 0
    for i, item in enumerate(evidence):
        if kept and words + item.sentence.words > max_words:
            continue
        kept.append(i)
        words += item.sentence.words
    return sorted(kept, key=lambda i: (evidence[i].position, -evidence[i].score))


class ExtractiveWriter:
    name = "extractive"
    model = None
    prompt = None

    def write(self, evidence: Sequence[Evidence], max_words: int, cancel: threading.Event) -> Draft:
        return Draft(tuple(DraftSentence(evidence[i].sentence.text, (i,), verbatim=True)
                           for i in trim_to_budget(evidence, max_words)))
