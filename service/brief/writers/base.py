"""The writer interface: ranked evidence in, draft sentences that name their evidence out."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ...types import Evidence, Sentence


@dataclass(frozen=True, slots=True)
class DraftSentence:
    """A sentence of a draft brief.

    `evidence` holds 0-based indexes into the evidence list. A `verbatim` sentence is evidence
    copied as it is. A generated sentence with `merged` sentences was fused from that claim group
    (`sources` independent sources among them) and is checked against them alone; one without was
    written from all the evidence and is aligned to it.
    """

    text: str
    evidence: tuple[int, ...]
    verbatim: bool
    merged: tuple[Sentence, ...] = ()
    sources: int = 0


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


def within_budget(evidence: Sequence[Evidence], max_words: int) -> list[int]:
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
