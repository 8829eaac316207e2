"""A batch's documents once read (stage 1), kept on disk as one Parquet file per input partition.

Every later stage reads from here only the columns and rows it needs: the copy check reads
fingerprints and signatures, the nearest-neighbour search reads vectors, grouping and briefs read
whole articles of a few keys. So no process holds the corpus; the files are the shared store.
A document's key is its place in the input, over all files: the index a request would give it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import ray

from ..group.dedup import SIGNATURE_DTYPE
from ..types import Article, Document, PageMeta, Sentence

SCHEMA = pa.schema([
    ("key", pa.int64()), ("id", pa.string()), ("text", pa.string()),
    ("reason", pa.string()),  # why the document takes part in no story; null for an article
    ("language", pa.string()), ("is_html", pa.bool_()),
    ("page", pa.list_(pa.string())),  # what the page says of itself: title, site, published (ISO), url
    ("sentences", pa.list_(pa.struct([("text", pa.string()), ("start", pa.int64()), ("end", pa.int64()),
                                      ("kind", pa.string())]))),
    ("title", pa.string()), ("source", pa.string()), ("url", pa.string()), ("published_at", pa.string()),
    ("fingerprint", pa.list_(pa.uint64())), ("signature", pa.list_(pa.from_numpy_dtype(SIGNATURE_DTYPE))),
    ("vector", pa.list_(pa.float32())),
])
ROW_GROUP = 1000  # rows per Parquet row group: a read of a few keys skips the other groups by their key range
ARTICLE_COLUMNS = [name for name in SCHEMA.names if name != "signature"]


def row(key: int, doc_id: str, text: str, reason: str | None, document: Document | None = None,
        article: Article | None = None, signature: np.ndarray | None = None) -> dict[str, Any]:
    """One document as stored: a left-out document keeps its reason and what was read of it."""
    page = document.meta if document is not None else PageMeta()
    return {
        "key": key, "id": doc_id, "text": text, "reason": reason,
        "language": document.language if document else None, "is_html": document.is_html if document else False,
        "page": [page.title, page.site, _iso(page.published_at), page.url],
        "sentences": [{"text": s.text, "start": s.start, "end": s.end, "kind": s.kind}
                      for s in (document.sentences if document else ())],
        "title": article.title if article else None, "source": article.source if article else None,
        "url": article.url if article else None, "published_at": _iso(article.published_at) if article else None,
        "fingerprint": article.fingerprint if article is not None else None,
        "signature": signature, "vector": article.vector if article is not None else None,
    }


def articles_of(table: pa.Table) -> dict[int, Article]:
    """The articles among these stored rows, by key, in key order. Fingerprints and vectors become arrays
    straight from their columns: a Python number per value would take ten times their memory."""
    if table["reason"].null_count < len(table):
        table = table.filter(pc.is_null(table["reason"]))
    table = table.sort_by("key")
    fingerprints = lists(table["fingerprint"], np.dtype(np.uint64))
    vectors = lists(table["vector"], np.dtype(np.float32))
    found = {}
    for stored, fingerprint, vector in zip(table.drop_columns(["fingerprint", "vector"]).to_pylist(), fingerprints,
                                           vectors):
        key = stored["key"]
        sentences = tuple(Sentence(key, n, s["text"], s["start"], s["end"], s["kind"])
                          for n, s in enumerate(stored["sentences"]))
        title, site, published, url = stored["page"]
        document = Document(key, stored["id"], stored["text"], sentences, stored["language"], stored["is_html"], None,
                            PageMeta(title, site, _time(published), url))
        found[key] = Article(document, stored["title"], stored["source"], stored["url"], _time(stored["published_at"]),
                             fingerprint, vector)
    return found


def lists(column: pa.ChunkedArray, dtype: np.dtype[Any]) -> list[np.ndarray]:
    """A list column as one NumPy array per row (views of one array), without a Python object per value."""
    array = column.combine_chunks()
    values = array.values.to_numpy(zero_copy_only=False).astype(dtype, copy=False)
    offsets = array.offsets.to_numpy()
    return [values[offsets[n]:offsets[n + 1]] for n in range(len(array))]


@dataclass(frozen=True)
class Corpus:
    """The prepared partitions of one job: partition `n` holds keys `starts[n]` to `starts[n + 1] - 1`."""

    folder: Path
    starts: tuple[int, ...]  # first key of each partition, and one past the last key at the end

    @property
    def partitions(self) -> int:
        return len(self.starts) - 1

    def path(self, partition: int) -> Path:
        return self.folder / f"part-{partition:05d}.parquet"

    def done(self, partition: int) -> bool:
        return self.path(partition).exists()

    def write(self, partition: int, rows: list[dict[str, Any]]) -> None:
        """Write a partition at once or not at all: a job stopped halfway leaves no half-written partition."""
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self.path(partition).with_suffix(f".{os.getpid()}.partial")
        pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMA), partial, row_group_size=ROW_GROUP)
        os.replace(partial, self.path(partition))

    def read(self, partition: int, columns: Sequence[str] | None = None, keys: Iterable[int] | None = None) -> pa.Table:
        """A partition's rows (those of `keys` only, when given), with these columns."""
        chosen = None if keys is None else [("key", "in", sorted(set(keys)))]
        return pq.read_table(self.path(partition), columns=list(columns) if columns is not None else None,
                             filters=chosen)

    def partition_of(self, keys: np.ndarray) -> np.ndarray:
        return np.searchsorted(np.array(self.starts), keys, side="right") - 1

    def scatter(self, wanted: list[np.ndarray]) -> list[list[ray.ObjectRef]]:
        """The article rows each of several tasks needs (`wanted[n]`, sorted keys), in Ray's object store:
        each partition is read once, by one task, which sends every task its rows (a shuffle). Give
        task `n` the tables of `scatter(...)[n]` and build its articles with `articles_of`."""
        pieces: list[list[ray.ObjectRef]] = [[] for _ in wanted]
        for partition in range(self.partitions):
            low, high = self.starts[partition], self.starts[partition + 1]
            mine = [keys[np.searchsorted(keys, low):np.searchsorted(keys, high)] for keys in wanted]
            used = [n for n, keys in enumerate(mine) if len(keys)]
            if not used:
                continue
            found = _rows.options(num_returns=len(used)).remote(self, partition, [mine[n] for n in used])
            for n, ref in zip(used, found if isinstance(found, list) else [found]):
                pieces[n].append(ref)
        return pieces


@ray.remote
def _rows(corpus: Corpus, partition: int, wanted: list[np.ndarray]) -> pa.Table | list[pa.Table]:
    """Rows of these keys of one partition, for each task that wants some (a partition holds one row per
    key, in key order)."""
    table = corpus.read(partition, ARTICLE_COLUMNS)
    found = [table.take(pa.array(keys - corpus.starts[partition])) for keys in wanted]
    return found if len(found) > 1 else found[0]


def tables_articles(tables: tuple[pa.Table, ...]) -> dict[int, Article]:
    """The articles of the tables a task was sent by `Corpus.scatter`, by key, in key order."""
    return articles_of(pa.concat_tables(tables)) if tables else {}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
