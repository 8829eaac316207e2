"""Stored rows to and from the pipeline's own types, so every stage runs on a collection unchanged.

A stored document's index in stages 2-6 is its `seq`, its place in the collection's order of
arrival: unique in the collection, as a request's position is unique in a request.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, datetime
from typing import Any

import numpy as np

from ..read.words import words
from ..schemas import DocumentIn
from ..types import Article, Document, PageMeta, Sentence
from . import models


def utcnow() -> datetime:
    """Now, as the desk stores every time: naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


def stored_time(value: datetime | None) -> datetime | None:
    """A time as stored: in UTC, without its zone (a time without a zone is taken as UTC). A zoned time of
    year 1 or 9999 whose UTC falls outside the calendar is kept at the calendar's edge."""
    if value is None or value.tzinfo is None:
        return value
    try:
        return value.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:
        return datetime.min if value.year == datetime.min.year else datetime.max


def shown_time(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None else None


def content_hash(text: str) -> str:
    """SHA-256 of the text as copies compare it (its words, lower-cased): a trailing space or other line breaks
    do not make another document. A text without words is hashed as it is."""
    normalised = " ".join(words(text)) or text
    return hashlib.sha256(normalised.encode("utf-8", "surrogatepass")).hexdigest()


def document_in(row: models.Document) -> DocumentIn:
    """The document as it was sent."""
    return DocumentIn(id=row.doc_id, text=row.text, title=row.title, url=row.url, source=row.source,
                      published_at=shown_time(row.published_at))


def renumbered(document: Document, index: int) -> Document:
    """The document read from a request, numbered as the collection numbers it."""
    sentences = tuple(dataclasses.replace(s, doc=index) for s in document.sentences)
    return dataclasses.replace(document, index=index, sentences=sentences)


def record_read(row: models.Document, document: Document, article: Article | None) -> None:
    """Keep on the row what stage 1 read and the document vector, so they are never computed again."""
    row.language, row.reason, row.is_html = document.language, document.left_out, document.is_html
    page = document.meta
    row.meta = {"page": [page.title, page.site, _iso(page.published_at), page.url]}
    row.sentences = [[s.text, s.start, s.end, s.kind] for s in document.sentences]
    if article is not None:
        row.meta["article"] = [article.title, article.source, article.url, _iso(article.published_at)]
        row.fingerprint = article.fingerprint.astype(np.uint64).tobytes()
        row.vector = np.asarray(article.vector, dtype=np.float32).tobytes()


def article(row: models.Document) -> Article:
    """The full article of a placed document: its sentences, fingerprint and vector as stored."""
    assert row.meta is not None and row.sentences is not None and row.vector is not None
    sentences = tuple(Sentence(row.seq, n, text, start, end, kind)
                      for n, (text, start, end, kind) in enumerate(row.sentences))
    title, site, published, url = row.meta["page"]
    document = Document(row.seq, row.doc_id, row.text, sentences, row.language, row.is_html, row.reason,
                        PageMeta(title, site, _time(published), url))
    return _article(row, document, np.frombuffer(row.fingerprint or b"", dtype=np.uint64), vector(row))


def _article(row: models.Document, document: Document, fingerprint: np.ndarray, vector: np.ndarray) -> Article:
    title, source, url, published = (row.meta or {}).get("article") or [row.title or "", row.source, row.url, None]
    return Article(document, title, source, url, _time(published), fingerprint, vector)


def vector(row: Any) -> np.ndarray:
    return np.frombuffer(row.vector, dtype=np.float32)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
