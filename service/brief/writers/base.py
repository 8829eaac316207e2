"""The writer interface: ranked evidence in, draft sentences that name their evidence out."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ...types import Evidence, Origin, Sentence


@dataclass(frozen=True, slots=True)
class DraftSentence:
    """A sentence of a draft brief.

    `evidence` holds 0-based indexes into the evidence list. A `verbatim` sentence is evidence
    copied as it is. A generated sentence with `merged` sentences was rewritten from them, as its
    `origin` says: fused from that claim group (`sources` independent sources among them),
    compressed from the one sentence, or the first sentence with its reference resolved from the
    sentences before it in its article (the rest of `merged`); it is checked against them alone.
    One without was written from all the evidence and is aligned to it.
    """

    text: str
    evidence: tuple[int, ...]
    verbatim: bool
    merged: tuple[Sentence, ...] = ()
    sources: int = 0
    origin: Origin = "fused"


@dataclass(frozen=True, slots=True)
class Draft:
    sentences: tuple[DraftSentence, ...]
    tokens: int = 0  # tokens the model generated for it


class Writer(Protocol):
    """An engine that turns a story's evidence into a draft brief of about `max_words` words."""

    @property
    def name(self) -> str: ...

    @property
    def model(self) -> str | None:
        """The generative model's name, None for engines without one."""
        ...

    @property
    def prompt(self) -> str | None:
        """The prompt template's name."""
        ...

    def write(self, evidence: Sequence[Evidence], max_words: int, cancel: threading.Event) -> Draft:
        """Write within about `max_words`; an engine that runs long stops when `cancel` is set."""
        ...


@dataclass
class Budget:
    """The budget rule of every brief, item by item in priority order: an item that would overflow is skipped, so a
    shorter one further down may still fit. When not even the first fits, it is kept alone, for verify to cut to the
    budget on a word boundary (`verify.cut_to`): a brief is never empty and never longer than its budget."""

    max_words: int
    words: int = 0
    items: int = 0

    def fits(self, length: int) -> bool:
        return not self.items or self.words + length <= self.max_words

    def spend(self, length: int) -> None:
        self.items += 1
        self.words += length


def within_budget(lengths: Sequence[int], max_words: int) -> list[int]:
    """Indexes of the items (their word counts, in priority order) that `Budget` keeps."""
    budget = Budget(max_words)
    kept: list[int] = []
    for i, length in enumerate(lengths):
        if budget.fits(length):
            kept.append(i)
            budget.spend(length)
    return kept


def evidence_within_budget(evidence: Sequence[Evidence], max_words: int) -> list[int]:
    """Indexes of the evidence (in rank order) that `within_budget` keeps, in reading order."""
    kept = within_budget([item.sentence.words for item in evidence], max_words)
    return sorted(kept, key=lambda i: (evidence[i].position, -evidence[i].score))
