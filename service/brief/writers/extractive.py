"""The extractive writer: the evidence itself, trimmed to the budget and put in reading order.

Deterministic, instant, and exact in attribution: the default in tests and the fallback when no
model is loaded.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from ...types import Evidence
from .base import Draft, DraftSentence, evidence_within_budget


class ExtractiveWriter:
    name = "extractive"
    model = None
    prompt = None

    def write(self, evidence: Sequence[Evidence], max_words: int, cancel: threading.Event) -> Draft:
        return Draft(tuple(DraftSentence(evidence[i].sentence.text, (i,), verbatim=True)
                           for i in evidence_within_budget(evidence, max_words)))
