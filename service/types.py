"""Values shared by the pipeline stages. Offsets always refer to the document's original `text`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import numpy as np

SentenceKind = Literal["title", "heading", "body", "timestamp"]  # a timestamp dates the text: never briefed
Origin = Literal["copied", "fused", "compressed", "resolved", "generated"]  # how a brief sentence was written


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
class PageMeta:
    """What an HTML page says about itself (`<title>`, Open Graph, JSON-LD); all None for plain text.

    `published_at` always carries a time zone (UTC when the page gives none).
    """

    title: str | None = None
    site: str | None = None
    published_at: datetime | None = None
    url: str | None = None


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
    meta: PageMeta = PageMeta()

    @property
    def body(self) -> tuple[Sentence, ...]:
        return tuple(s for s in self.sentences if s.kind == "body")

    @property
    def headline(self) -> str:
        """The page's own title when it declares one, else the first line that reads as a title."""
        titles = [s.text for s in self.sentences if s.kind == "title"]
        return self.meta.title or (titles[0] if titles else "")


@dataclass(eq=False)
class Article:
    """A document that takes part in stories, with what stages 2 and 3 learn about it, each computed once.

    The request's `title`, `source`, `url` and `published_at` come first; a page's own metadata fills
    what the request leaves out.
    """

    document: Document
    title: str
    source: str | None
    url: str | None
    published_at: datetime | None
    fingerprint: np.ndarray = field(repr=False)  # sorted shingle hashes (stage 2)
    vector: np.ndarray = field(repr=False)  # static unit vector of title and lead
    body_vectors: np.ndarray | None = field(default=None, repr=False)  # static vectors of body sentences, on demand

    @property
    def index(self) -> int:
        return self.document.index

    @property
    def id(self) -> str:
        return self.document.id

    @property
    def body(self) -> tuple[Sentence, ...]:
        return self.document.body

    def lead(self, sentences: int) -> list[str]:
        """Title, headline and the first body sentences, each once: what a report leads with."""
        return list(dict.fromkeys(t for t in (self.title, self.document.headline, *(s.text for s in self.body[:sentences]))
                                  if t))


@dataclass(frozen=True, slots=True)
class DuplicateGroup:
    """Copies and light rewrites of one text: one independent source."""

    representative: Article
    members: tuple[Article, ...]
    similarity: float


@dataclass(frozen=True, slots=True)
class Link:
    """How a duplicate group joined its story: its strongest same-event link into the rest of the story."""

    via: Article  # representative of the group it is most strongly linked to
    score: float  # same-event probability of that pair


@dataclass(frozen=True, slots=True)
class Story:
    """Duplicate groups that report the same event; `links[k]` explains `groups[k]`, None for a story of one group."""

    groups: tuple[DuplicateGroup, ...]
    links: tuple[Link | None, ...]

    @property
    def articles(self) -> tuple[Article, ...]:
        return tuple(sorted((m for g in self.groups for m in g.members), key=lambda a: a.index))

    @property
    def cohesion(self) -> float | None:
        """The weakest link that holds the story together; None for a story of one group."""
        scores = [link.score for link in self.links if link is not None]
        return min(scores) if scores else None


@dataclass(frozen=True, slots=True)
class Citation:
    doc: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Evidence:
    """A salient sentence with the sentences of other documents that say the same.

    Every sentence comes from a duplicate group's representative, so each document is one
    independent source.
    """

    sentence: Sentence
    support: tuple[Sentence, ...]
    sources: int
    score: float
    citations: tuple[Citation, ...]
    position: float  # where it reads: its place in its article, or that of the telling it stands for if earlier
    before: tuple[Sentence, ...] = ()  # the body sentences before it in its article, nearest last (for references)

    def group_of(self, k: int) -> int:
        """Independent source (the representative document) of the k-th sentence of (`sentence`, *`support`)."""
        return (self.sentence, *self.support)[k].doc


@dataclass(frozen=True, slots=True)
class BriefSentence:
    """A sentence of a brief with the spans that support it."""

    text: str
    citations: tuple[Citation, ...]
    sources: int
    support: float
    origin: Origin = "copied"
    merged: int = 1  # sentences of different sources a fused sentence was written from
