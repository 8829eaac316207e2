"""What keeps grouping near-linear gives the same answers as the plain all-pairs way, on real text."""

from __future__ import annotations

import random
from collections.abc import Iterable

import numpy as np
import pytest

from service.group import engine, neighbors, stories
from service.pipeline import Pipeline
from service.read import batch
from service.schemas import BriefRequest
from service.types import Article, Document
from tests.conftest import fixture_document, seed_documents

EN = frozenset({"en"})


def clustered_vectors(count: int, centres: int, noise: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    middle = rng.standard_normal((centres, 64))
    vectors = middle[rng.integers(0, centres, count)] + noise * rng.standard_normal((count, 64))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def all_pairs(vectors: np.ndarray, min_cosine: float) -> set[tuple[int, int]]:
    cosines = vectors @ vectors.T
    return {(int(i), int(j)) for i, j in np.argwhere(np.triu(cosines >= min_cosine, k=1))}


def close_pairs(vectors: np.ndarray, min_cosine: float) -> tuple[set[tuple[int, int]], np.ndarray]:
    """The pairs `i < j` that `neighbors.nearest` finds between the vectors and themselves, and their cosines."""
    rows, found, cosines = neighbors.nearest(vectors, vectors, min_cosine)
    keep = rows < found
    assert np.allclose(cosines[keep], np.sum(vectors[rows[keep]] * vectors[found[keep]], axis=1), atol=1e-5)
    return set(zip(rows[keep].tolist(), found[keep].tolist())), cosines[keep]


def test_exact_neighbour_pairs_are_all_close_pairs() -> None:
    vectors = clustered_vectors(30, 6, 0.3)  # fewer vectors than neighbours: every pair is seen
    assert close_pairs(vectors, 0.7)[0] == all_pairs(vectors, 0.7)


def test_inverted_file_finds_the_close_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    vectors = clustered_vectors(4000, 400, 0.2)
    exact = close_pairs(vectors, 0.85)[0]
    monkeypatch.setattr(neighbors, "EXACT_LIMIT", 1000)
    approximate = close_pairs(vectors, 0.85)[0]
    assert approximate <= all_pairs(vectors, 0.85 - 1e-4)
    assert len(approximate & exact) >= 0.95 * len(exact) > 0


class Cosine:
    """A stand-in same-event scorer: the vectors' cosine (the real one is fitted on labelled events)."""

    def __call__(self, articles: list[Article], firsts: np.ndarray, seconds: np.ndarray,
                 common: np.ndarray = stories.NO_PHRASES) -> np.ndarray:
        vectors = np.stack([a.vector for a in articles])
        return np.sum(vectors[firsts] * vectors[seconds], axis=1)


class Distinct:
    """A stand-in for the static embedder of articles without text: no sentence of one paraphrases another."""

    dimension = 64

    def body_vectors(self, article: Article) -> np.ndarray:
        return np.zeros((0, self.dimension), np.float32)

    def encode_bodies(self, articles: Iterable[Article]) -> None:
        """Nothing to encode: no article has a sentence."""


def test_stories_from_candidate_pairs_equal_average_linkage_over_all_pairs() -> None:
    vectors = clustered_vectors(3000, 400, 0.35, seed=3)
    articles = [Article(Document(k, f"d{k}", "", (), "en"), "", None, None, None, np.zeros(0, np.uint64), v)
                for k, v in enumerate(vectors)]
    found = engine.group(articles, Distinct(), Cosine(), 1.0, 1.0, 0.8)
    firsts, seconds = np.triu_indices(len(vectors), 1)
    everything = stories.average_linkage(len(vectors), firsts, seconds, np.sum(vectors[firsts] * vectors[seconds],
                                                                               axis=1), 0.8)
    assert sorted(sorted(a.index for a in s.articles) for s in found) == sorted(map(sorted, everything))
    assert 400 <= len(found) < 3000


def test_worker_processes_prepare_exactly_what_one_process_does(monkeypatch: pytest.MonkeyPatch) -> None:
    html = "<html><head><meta property='og:title' content='Cartel figures sent north'>" \
           "<meta property='article:published_time' content='2025-08-12T10:00:00Z'></head>" \
           "<body><h1>Cartel figures sent north</h1><p>Mexico sent 37 people to the U.S. on Tuesday.</p>" \
           "<p>Officials said more transfers would follow.</p></body></html>"
    texts = [d["text"] for d in seed_documents()] + [fixture_document("unrelated_sports")["text"], html, "Ceci est un " *
             20]
    items = [(i, f"d{i}", text, EN, None) for i, text in enumerate(texts)]
    serial = batch.prepare_all(items)
    monkeypatch.setattr(batch, "PARALLEL_DOCUMENTS", 2)
    parallel = batch.prepare_all(items)
    assert [d for d, _ in parallel] == [d for d, _ in serial]
    assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(parallel, serial))
    assert serial[-1][0].left_out is not None and serial[-2][0].is_html
    assert serial[-2][0].meta.published_at is not None  # page metadata crosses processes too


def test_a_story_syndicated_hundreds_of_times_is_one_group(pipeline: Pipeline) -> None:
    rng = random.Random(5)
    original = seed_documents()[2]["text"]
    copies = []
    for n in range(300):
        lines = original.splitlines()
        if n % 3 == 1:
            lines.insert(rng.randrange(len(lines)), "Advertisement")
        elif n % 3 == 2:
            lines = lines[2:]
        copies.append({"id": f"copy-{n}", "text": "\n".join(lines)})
    documents = copies + [seed_documents()[4], fixture_document("unrelated_science")]
    response = pipeline.run(BriefRequest.model_validate({"documents": documents, "options": {"max_words": 60}}))
    groups = [set(g.members) for s in response.stories for g in s.duplicate_groups]
    assert {c["id"] for c in copies} in groups
    assert {"004_6523e98cedb0d1bf"} in groups and {"unrelated_science"} in groups

