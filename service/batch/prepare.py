"""Stage 1 of a batch, one partition at a time: the same reading as a request's, document by document.

Each document is checked against the API's per-document limits, normalized and fingerprinted
(`read.batch.prepare`), and given its document vector and MinHash signature, which the copy check
would otherwise make one by one. A document the API would refuse, or whose reading fails, is kept
with the reason instead: a batch of a million documents does not stop for one.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import BriefError
from ..group.dedup import minhash_signatures
from ..group.events import LEAD_SENTENCES
from ..pipeline import article_of
from ..read.batch import prepare
from ..read.validation import check_text_read, validate_documents
from ..runtime.embed import StaticEmbedder
from ..settings import Settings
from ..types import Article, Document
from . import inputs
from .corpus import Corpus, row


def read_partition(partition: inputs.Partition, settings: Settings, static: StaticEmbedder) -> list[dict[str, Any]]:
    """Every document of the partition as stored, in key order."""
    rows: dict[int, dict[str, Any]] = {}
    read: list[tuple[inputs.Entry, Document, Article]] = []
    for entry in inputs.read(partition):
        if entry.document is None:
            rows[entry.key] = row(entry.key, entry.id, "", entry.reason)
            continue
        document, article, reason = _read(entry, settings)
        if article is None:
            rows[entry.key] = row(entry.key, entry.id, entry.document.text, reason, document)
        else:
            assert document is not None
            read.append((entry, document, article))
    vectors = static.encode([" ".join(article.lead(LEAD_SENTENCES)) for _, _, article in read])
    signatures = minhash_signatures([article.fingerprint for _, _, article in read])
    for (entry, document, article), vector, signature in zip(read, vectors, signatures):
        rows[entry.key] = row(entry.key, entry.id, document.text, None, document, replace(article, vector=vector),
                              signature)
    return [rows[key] for key in sorted(rows)]


def _read(entry: inputs.Entry, settings: Settings) -> tuple[Document | None, Article | None, str | None]:
    """The document and its article, or why it has none: refused by the API's limits, failed, or left out."""
    given = entry.document
    assert given is not None
    try:
        validate_documents([given], settings)
        document, fingerprint = prepare((entry.key, entry.id, given.text, settings.language_set))
        check_text_read([document], settings)
    except BriefError as exc:
        return None, None, f"{entry.place}: {exc.message.replace('documents[0].', '', 1)}"
    except Exception as exc:  # one document's failure is its own: it is reported, the batch goes on
        return None, None, f"{entry.place}: failed in stage 1: {type(exc).__name__}: {exc}"
    if document.left_out is not None:
        return document, None, document.left_out
    return document, article_of(document, fingerprint, given), None


class Reader:
    """Stage 1 over whole partitions in a Ray Data worker, which loads the static model once."""

    def __init__(self, settings: Settings, folder: str, starts: tuple[int, ...]) -> None:
        self.settings = settings
        self.static = StaticEmbedder(settings.embedding_model, settings.cache_dir)
        self.corpus = Corpus(Path(folder), starts)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, list[int]]:
        done: dict[str, list[int]] = {"partition": [], "documents": [], "articles": []}
        for described in batch["partition"]:
            partition = inputs.Partition(**json.loads(described))
            rows = read_partition(partition, self.settings, self.static)
            self.corpus.write(partition.number, rows)
            done["partition"].append(partition.number)
            done["documents"].append(len(rows))
            done["articles"].append(sum(r["reason"] is None for r in rows))
        return done
