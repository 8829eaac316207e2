"""The writer interface: numbered evidence in, draft sentences that name their evidence out."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ..types import Evidence


@dataclass(frozen=True, slots=True)
class DraftSentence:
    """A sentence of a draft brief; `evidence` holds 0-based indexes into the evidence list."""

    text: str
    evidence: tuple[int, ...]
    verbatim: bool


@dataclass(frozen=True, slots=True)
class Draft:
    sentences: tuple[DraftSentence, ...]
    tokens: int = 0  # tokens the model generated for it


class Writer(Protocol):
    """An engine that turns a story's evidence into a draft brief of about `max_words` words."""

    name: str
    model: str | None  # the generative model's name, None for engines without one
    prompt: str | None  # the prompt template's name

    def write(self, evidence: Sequence[Evidence], max_words: int, cancel: threading.Event) -> Draft:
        """Write within about `max_words`; an engine that runs long stops when `cancel` is set."""
        ...
