"""Stage 1 of a batch, one partition at a time: the same reading as a request's, document by document.

Each document is checked against the API's per-document limits, normalized and fingerprinted
(`read.batch.prepare`), and given its document vector and MinHash signature, which the copy check
would otherwise make one by one. A document the API would refuse, or whose reading fails, is kept
with the reason instead: a batch of a million documents does not stop for one.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import BriefError
from ..group.dedup import minhash_signatures
from ..group.events import LEAD_SENTENCES
from ..read.batch import Item, article_of, prepare, prepare_all
from ..read.validation import check_text_read, validate_documents
from ..runtime.embed import StaticEmbedder
from ..settings import Settings
from ..types import Article, Document
from . import inputs
from .corpus import Corpus, row


def read_partition(partition: inputs.Partition, settings: Settings, static: StaticEmbedder) -> list[dict[str, Any]]:
    """Every document of the partition as stored, in key order."""
    rows: dict[int, dict[str, Any]] = {}
    valid: list[inputs.Entry] = []
    for entry in inputs.read(partition):
        reason = entry.reason if entry.document is None else _refused(entry, settings)
        if reason is None:
            valid.append(entry)
        else:
            rows[entry.key] = row(entry.key, entry.id, "", reason)
    read: list[tuple[inputs.Entry, Document, Article]] = []
    for entry, prepared in zip(valid, _prepare([(e.key, e.id, e.text, settings.language_set, e.given.title) for e in valid])):
        if isinstance(prepared, str):
            rows[entry.key] = row(entry.key, entry.id, "", f"{entry.place}: {prepared}")
            continue
        document, fingerprint = prepared
        try:
            check_text_read([document], settings)
        except BriefError as exc:
            rows[entry.key] = row(entry.key, entry.id, "", f"{entry.place}: {_named(exc)}")
            continue
        if document.left_out is not None:
            rows[entry.key] = row(entry.key, entry.id, document.text, document.left_out, document)
        else:
            read.append((entry, document, article_of(document, fingerprint, entry.given)))
    vectors = static.encode([" ".join(article.lead(LEAD_SENTENCES)) for _, _, article in read])
    signatures = minhash_signatures([article.fingerprint for _, _, article in read])
    for (entry, document, article), vector, signature in zip(read, vectors, signatures):
        rows[entry.key] = row(entry.key, entry.id, document.text, None, document, replace(article, vector=vector),
                              signature)
    return [rows[key] for key in sorted(rows)]


def _refused(entry: inputs.Entry, settings: Settings) -> str | None:
    """Why the API would refuse this document on its own (empty, over a size limit), or None."""
    try:
        validate_documents([entry.given], settings)
    except BriefError as exc:
        return f"{entry.place}: {_named(exc)}"
    return None


def _named(error: BriefError) -> str:
    """The error named for one document: `text: ...` rather than `documents[0].text: ...`."""
    return error.message.replace("documents[0].", "", 1)


def _prepare(items: list[Item]) -> list[tuple[Document, np.ndarray] | str]:
    """`read.batch.prepare_all` in this worker (a text sent several times is read once); if it fails,
    each document on its own, so that only the documents that fail are reported, with the error."""
    try:
        return list(prepare_all(items, spawn=False))
    except Exception:
        return [_prepare_one(item) for item in items]


def _prepare_one(item: Item) -> tuple[Document, np.ndarray] | str:
    try:
        return prepare(item)
    except Exception as exc:  # one document's failure is its own: it is reported, the batch goes on
        return f"failed in stage 1: {type(exc).__name__}: {exc}"


class Reader:
    """Stage 1 over whole partitions in a Ray Data worker, which loads the static model once."""

    def __init__(self, settings: Settings, folder: str, starts: tuple[int, ...]) -> None:
        self.settings = settings
        self.static = StaticEmbedder(settings.embedding_model, settings.cache_dir)
        self.corpus = Corpus(Path(folder), starts)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, list[int]]:
        done: dict[str, list[int]] = {"partition": [], "documents": [], "articles": []}
        for described in batch["partition"]:
            partition = inputs.Partition.from_json(described)
            rows = read_partition(partition, self.settings, self.static)
            self.corpus.write(partition.number, rows)
            done["partition"].append(partition.number)
            done["documents"].append(len(rows))
            done["articles"].append(sum(r["reason"] is None for r in rows))
        return done
