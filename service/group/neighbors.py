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
BLOCK = 10_000  # queries, and vectors, per block of an exact search (`nearest`)
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
    Neighbours tied with the last one are kept too, up to `TIE_ROOM` past it in each block of vectors searched, so
    which of several equal vectors make the cut does not depend on how the queries are ordered.

    Exact while queries times vectors stay under `EXACT_LIMIT` squared: a desk batch of a few thousand new
    documents against its collection is one matrix product, and nothing has to be trained as the collection grows.
    The exact search goes block of `BLOCK` queries by block of `BLOCK` vectors (`nearest_in_block`) and merges each
    query's answers (`merge_nearest`), as `brief batch` searches the same blocks from Ray's object store: the two
    make the same searches, so they keep the same ties and compute the same cosines. The representatives of
    100,000 documents against themselves are searched approximately.
    """
    if not len(queries) or not len(vectors):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float32)
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if len(queries) * len(vectors) > EXACT_LIMIT ** 2:
        return _search(queries, vectors, min_cosine, count, approximate=True)
    answers = []
    for first in range(0, len(queries), BLOCK):
        block = queries[first:first + BLOCK]
        found = []
        for start in range(0, len(vectors), BLOCK):
            rows, at, cosines = nearest_in_block(block, vectors[start:start + BLOCK], min_cosine, count)
            found.append((rows, at + start, cosines))
        rows, at, cosines = merge_nearest(found, len(block), count)
        answers.append((rows + first, at, cosines))
    rows, at, cosines = (np.concatenate(parts) for parts in zip(*answers))
    return rows, at, cosines


def nearest_in_block(queries: np.ndarray, vectors: np.ndarray, min_cosine: float,
                     count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`nearest` within one block of at most `BLOCK` queries and `BLOCK` vectors, searched exactly."""
    return _search(queries, vectors, min_cosine, count, approximate=False)


def _search(queries: np.ndarray, vectors: np.ndarray, min_cosine: float, count: int,
            approximate: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One index over `vectors` searched for every query: the `count` nearest, and those tied with the last
    among the `TIE_ROOM` it looks at past them."""
    index = _index(vectors, approximate)
    cosines, ids = index.search(queries, min(count + TIE_ROOM, len(vectors)))
    within = np.arange(ids.shape[1]) < count
    if ids.shape[1] > count:
        within = within | (cosines >= cosines[:, count - 1:count])
    rows = np.repeat(np.arange(len(queries)), ids.shape[1])
    keep = (within & (ids >= 0) & (cosines >= min_cosine)).ravel()
    return rows[keep], ids.ravel()[keep], cosines.ravel()[keep]


def merge_nearest(found: list[tuple[np.ndarray, np.ndarray, np.ndarray]], query_count: int,
                  count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The answers of several blocks of vectors to one block of queries (query row, found id, cosine), merged:
    each query keeps its `count` nearest over all blocks, and those tied with the last of them."""
    row, other, cosine = (np.concatenate(parts) for parts in zip(*found))
    order = np.lexsort((-cosine, row))
    row, other, cosine = row[order], other[order], cosine[order]
    rank = np.arange(len(row)) - np.searchsorted(row, row)
    last = np.full(query_count, -np.inf, dtype=cosine.dtype)  # each query's count-th cosine, or none when it has fewer
    last[row[rank == count - 1]] = cosine[rank == count - 1]
    keep = cosine >= last[row]
    return row[keep], other[keep], cosine[keep]


def similar_pairs(vectors: np.ndarray, min_cosine: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs `i < j` among each vector's `NEIGHBOURS` nearest with cosine at least `min_cosine`: (i, j, cosine)."""
    rows, found, cosines = nearest(vectors, vectors, min_cosine)
    first, second = np.minimum(rows, found), np.maximum(rows, found)
    keep = first < second
    _, unique = np.unique(first[keep] * len(vectors) + second[keep], return_index=True)
    return first[keep][unique], second[keep][unique], cosines[keep][unique]
