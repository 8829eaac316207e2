"""The extractive writer: the evidence itself, trimmed to the budget and put in reading order.

Deterministic, instant, and exact in attribution: the default in tests and the fallback when no
model is loaded. It cannot rewrite, so a sentence that points outside itself ("He said they…")
is left out while other evidence fills the budget.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from ...types import Evidence
from ..evidence import points_outside
from .base import Draft, DraftSentence, evidence_within_budget


def standing_alone(evidence: Sequence[Evidence]) -> list[int]:
    """Indexes of the evidence that reads alone; all of it when none does (a brief is never empty)."""
    alone = [i for i, item in enumerate(evidence) if not points_outside(item.sentence.text)]
    return alone or list(range(len(evidence)))


class ExtractiveWriter:
    name = "extractive"
    model = None
    prompt = None

    def write(self, evidence: Sequence[Evidence], max_words: int, cancel: threading.Event) -> Draft:
        usable = standing_alone(evidence)
        chosen = [usable[k] for k in evidence_within_budget([evidence[i] for i in usable], max_words)]
        return Draft(tuple(DraftSentence(evidence[i].sentence.text, (i,), verbatim=True) for i in chosen))
