"""Candidate pairs by nearest neighbours (faiss), so that grouping grows close to linearly.

Near-duplicates and stories only score pairs whose cosine can reach their threshold. Up to
`EXACT_LIMIT` vectors the search is exact (a flat inner-product index: every pair is seen); beyond
it an inverted-file index compares each vector with those in the few cells nearest to it, which
finds close pairs (the only ones that matter here) at a small fraction of the cost.
"""

from __future__ import annotations

import numpy as np

NEIGHBOURS = 32
TIE_ROOM = 16  # neighbours looked at past the count asked for: those tied with the last one are kept too
EXACT_LIMIT = 20_000
VECTORS_PER_CELL = 100
PROBED_CELLS = 16


def _index(vectors: np.ndarray, approximate: bool):  # type: ignore[no-untyped-def]
    import faiss

    n, dimension = vectors.shape
    index: faiss.Index
    if not approximate or n <= EXACT_LIMIT:
        index = faiss.IndexFlatIP(dimension)
    else:
        cells = n // VECTORS_PER_CELL
        cells_index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, cells, faiss.METRIC_INNER_PRODUCT)
        sample = np.random.default_rng(0).choice(n, size=min(n, 40 * cells), replace=False)
        cells_index.train(vectors[np.sort(sample)])
        cells_index.nprobe = PROBED_CELLS
        index = cells_index
    index.add(vectors)
    return index


def nearest(queries: np.ndarray, vectors: np.ndarray, min_cosine: float,
            count: int = NEIGHBOURS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each query's `count` nearest `vectors` with cosine at least `min_cosine`: (query row, vector row, cosine).
    Neighbours tied with the last one are kept too (up to `TIE_ROOM` more), so which of several equal
    vectors make the cut does not depend on how a search is split or ordered.

    Exact while queries times vectors stay under `EXACT_LIMIT` squared: a desk batch of a few
    thousand new documents against its collection is one matrix product, and nothing has to be
    trained as the collection grows. A request of 100,000 documents against itself is not.
    """
    if not len(queries) or not len(vectors):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float32)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    index = _index(vectors, approximate=len(queries) * len(vectors) > EXACT_LIMIT ** 2)
    cosines, ids = index.search(np.ascontiguousarray(queries, dtype=np.float32), min(count + TIE_ROOM, len(vectors)))
    within = np.arange(ids.shape[1]) < count
    if ids.shape[1] > count:
        within = within | (cosines >= cosines[:, count - 1:count])
    rows = np.repeat(np.arange(len(queries)), ids.shape[1])
    keep = (within & (ids >= 0) & (cosines >= min_cosine)).ravel()
    return rows[keep], ids.ravel()[keep], cosines.ravel()[keep]


def similar_pairs(vectors: np.ndarray, min_cosine: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs `i < j` among each vector's `NEIGHBOURS` nearest with cosine at least `min_cosine`: (i, j, cosine)."""
    rows, found, cosines = nearest(vectors, vectors, min_cosine)
    first, second = np.minimum(rows, found), np.maximum(rows, found)
    keep = first < second
    _, unique = np.unique(first[keep] * len(vectors) + second[keep], return_index=True)
    return first[keep][unique], second[keep][unique], cosines[keep][unique]
