"""Stage 1 over a batch: every document normalized and fingerprinted, on every core when it pays.

This module imports only what stage 1 needs, so that spawned worker processes start in well under
a second instead of loading the models.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import datetime
from urllib.parse import urlsplit

import numpy as np

from ..schemas import DocumentIn
from ..types import Article, Document, PageMeta, Sentence, SentenceKind
from .shingles import body_fingerprint
from .text import normalize, one_line

PARALLEL_DOCUMENTS = 2000  # below this, starting workers costs more than it saves
Item = tuple[int, str, str, frozenset[str], str | None]  # index, id, raw text, languages briefed, the title given
PackedMeta = tuple[str | None, str | None, datetime | None, str | None]  # PageMeta's fields in order
Packed = tuple[tuple[tuple[int, int, str, int, int, SentenceKind], ...], str | None, bool, str | None, PackedMeta]


def prepare(item: Item) -> tuple[Document, np.ndarray]:
    """One document's sentences (or why it is left out) and its shingle fingerprint."""
    document = normalize(*item)
    return document, body_fingerprint(document)


def _prepare_packed(item: Item) -> tuple[Packed, np.ndarray]:
    """`prepare` in a worker: the document as plain tuples, which cross processes several times faster."""
    document, fingerprint = prepare(item)
    sentences = tuple((s.doc, s.index, s.text, s.start, s.end, s.kind) for s in document.sentences)
    meta = document.meta
    return (sentences, document.language, document.is_html, document.left_out,
            (meta.title, meta.site, meta.published_at, meta.url)), fingerprint


def prepare_all(items: list[Item], spawn: bool = True) -> list[tuple[Document, np.ndarray]]:
    """`prepare` for every item, in order; a large batch is shared among one worker process per core
    (unless `spawn` is false: a batch's worker already has its core).

    A text sent several times (syndicated copies) is read once and its result given to each copy
    under the copy's own index and id, so a thousand copies cost about what one costs.
    Workers are spawned, not forked: the serving process has threads and loaded models. A script
    that sends such a batch must guard its entry point with `if __name__ == "__main__":`.
    """
    first: dict[tuple[str, frozenset[str], str | None], int] = {}
    for position, (_, _, raw, languages, title) in enumerate(items):
        first.setdefault((raw, languages, title), position)
    distinct = sorted(set(first.values()))
    read = dict(zip(distinct, _prepare_distinct([items[p] for p in distinct], spawn)))
    return [_as(items[position], *read[first[item[2:]]]) for position, item in enumerate(items)]


def _prepare_distinct(items: list[Item], spawn: bool) -> list[tuple[Document, np.ndarray]]:
    cores = len(os.sched_getaffinity(0))
    if not spawn or len(items) < PARALLEL_DOCUMENTS or cores < 2:
        return [prepare(item) for item in items]
    with ProcessPoolExecutor(cores, mp_context=multiprocessing.get_context("spawn")) as pool:
        packed = pool.map(_prepare_packed, items, chunksize=250)
        return [(Document(index, doc_id, raw, tuple(Sentence(*s) for s in sentences), language, is_html, left_out,
                          PageMeta(*meta)), fingerprint)
                for (index, doc_id, raw, *_), ((sentences, language, is_html, left_out, meta), fingerprint)
                in zip(items, packed)]


def _as(item: Item, document: Document, fingerprint: np.ndarray) -> tuple[Document, np.ndarray]:
    """`document`, read from the same text as `item`, under the item's index and id."""
    index, doc_id = item[0], item[1]
    if document.index == index:
        return document, fingerprint
    sentences = tuple(replace(s, doc=index) for s in document.sentences)
    return replace(document, index=index, id=doc_id, sentences=sentences), fingerprint


def article_of(document: Document, fingerprint: np.ndarray, given: DocumentIn) -> Article:
    """The record stages 2-3 share, from what stage 1 read; what the request says of the document comes before
    what the page says."""
    return Article(document, one_line(given.title or "") or document.headline, _source(given, document),
                   given.url or document.meta.url, given.published_at or document.meta.published_at, fingerprint,
                   np.zeros(0, np.float32))


def _source(given: DocumentIn, document: Document) -> str | None:
    """The outlet: the request's `source`, else the page's site name, else the host of its URL."""
    url = given.url or document.meta.url
    return one_line(given.source or "") or document.meta.site or (urlsplit(url).hostname if url else None)
