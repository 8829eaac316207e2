"""Candidate pairs by nearest neighbours (faiss), so that grouping grows close to linearly.

Near-duplicates and stories only score pairs whose cosine can reach their threshold. Up to
`EXACT_LIMIT` vectors the search is exact (a flat inner-product index: every pair is seen); beyond
it an inverted-file index compares each vector with those in the few cells nearest to it, which
finds close pairs (the only ones that matter here) at a small fraction of the cost.
"""

from __future__ import annotations

import numpy as np

NEIGHBOURS = 32
EXACT_LIMIT = 20_000
VECTORS_PER_CELL = 100
PROBED_CELLS = 16


def _index(vectors: np.ndarray):  # type: ignore[no-untyped-def]
    import faiss

    n, dimension = vectors.shape
    if n <= EXACT_LIMIT:
        index = faiss.IndexFlatIP(dimension)
    else:
        cells = n // VECTORS_PER_CELL
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, cells, faiss.METRIC_INNER_PRODUCT)
        sample = np.random.default_rng(0).choice(n, size=min(n, 40 * cells), replace=False)
        index.train(vectors[np.sort(sample)])
        index.nprobe = PROBED_CELLS
    index.add(vectors)
    return index


def similar_pairs(vectors: np.ndarray, min_cosine: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs `i < j` among each vector's nearest neighbours with cosine at least `min_cosine`: (i, j, cosine)."""
    n = len(vectors)
    if n < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float32)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    cosines, ids = _index(vectors).search(vectors, min(NEIGHBOURS, n))
    rows = np.repeat(np.arange(n), ids.shape[1])
    ids, cosines = ids.ravel(), cosines.ravel()
    keep = (ids >= 0) & (ids != rows) & (cosines >= min_cosine)
    first, second = np.minimum(rows[keep], ids[keep]), np.maximum(rows[keep], ids[keep])
    _, unique = np.unique(first * n + second, return_index=True)
    return first[unique], second[unique], cosines[keep][unique]


def nearest(queries: np.ndarray, vectors: np.ndarray, min_cosine: float,
            count: int = NEIGHBOURS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each query's `count` nearest `vectors` with cosine at least `min_cosine`: (query row, vector row, cosine).

    Exact: a collection's new documents are a few thousand queries, so one pass over its stored
    vectors is a single matrix product, and nothing has to be trained as the collection grows.
    """
    import faiss

    if not len(queries) or not len(vectors):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float32)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    cosines, ids = index.search(np.ascontiguousarray(queries, dtype=np.float32), min(count, len(vectors)))
    rows = np.repeat(np.arange(len(queries)), ids.shape[1])
    ids, cosines = ids.ravel(), cosines.ravel()
    keep = (ids >= 0) & (cosines >= min_cosine)
    return rows[keep], ids[keep], cosines[keep]
