"""Values shared by the pipeline stages. Offsets always refer to the document's original `text`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SentenceKind = Literal["title", "heading", "body"]


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a document; `text == original[start:end]` for plain text input."""

    doc: int
    index: int
    text: str
    start: int
    end: int
    kind: SentenceKind

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True, slots=True)
class Document:
    """A cleaned input document; `left_out` says why it takes no part in any story."""

    index: int
    id: str
    text: str
    sentences: tuple[Sentence, ...]
    language: str | None
    is_html: bool = False
    left_out: str | None = None

    @property
    def body(self) -> tuple[Sentence, ...]:
        return tuple(s for s in self.sentences if s.kind == "body")

    @property
    def headline(self) -> str:
        titles = [s.text for s in self.sentences if s.kind == "title"]
        return titles[0] if titles else ""


@dataclass(frozen=True, slots=True)
class DuplicateGroup:
    """Copies and light rewrites of one text: one independent source."""

    representative: int
    members: tuple[int, ...]
    similarity: float


@dataclass(frozen=True, slots=True)
class Story:
    """Duplicate groups that report the same event."""

    groups: tuple[DuplicateGroup, ...]

    @property
    def documents(self) -> tuple[int, ...]:
        return tuple(sorted(m for g in self.groups for m in g.members))


@dataclass(frozen=True, slots=True)
class Citation:
    doc: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Evidence:
    """A salient sentence with the sentences of other documents that say the same."""

    sentence: Sentence
    support: tuple[Sentence, ...]
    sources: int
    score: float
    citations: tuple[Citation, ...]
    position: float
    groups: tuple[int, ...] = ()  # duplicate group of `sentence`, then of each `support` sentence

    def group_of(self, k: int) -> int:
        """Independent source of the k-th sentence of (`sentence`, *`support`); its document when groups are unknown."""
        return self.groups[k] if self.groups else (self.sentence, *self.support)[k].doc


@dataclass(frozen=True, slots=True)
class BriefSentence:
    """A sentence of a brief with the spans that support it."""

    text: str
    citations: tuple[Citation, ...]
    sources: int
    support: float
    origin: Literal["copied", "fused", "generated"] = "copied"
    merged: int = 1  # sentences of different sources a fused sentence was written from
