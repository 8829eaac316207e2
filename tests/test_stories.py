import random

import numpy as np
import pytest

from service.facts import extract_facts
from service.pipeline import Pipeline
from service.schemas import BriefRequest
from service.stories import cluster
from tests.conftest import fixture_document, seed_documents

SAME_EVENT = {"000_b857a9c903a3f681", "001_e6a579a5342c807f", "002_4d574c085c21eb7c", "003_46c0593dd5059234"}
EARLIER_EVENT = {"004_6523e98cedb0d1bf"}


def stories_of(pipeline: Pipeline, documents: list[dict[str, str]]) -> list[set[str]]:
    response = pipeline.run(BriefRequest.model_validate({"documents": documents}))
    return [set(s.document_ids) for s in response.stories]


def test_cluster_average_linkage() -> None:
    scores = np.array([[1.0, 0.9, 0.2], [0.9, 1.0, 0.3], [0.2, 0.3, 1.0]])
    assert sorted(map(sorted, cluster(scores, 0.8))) == [[0, 1], [2]]
    assert cluster(np.ones((1, 1)), 0.8) == [[0]]


def test_number_words_become_comparable_facts() -> None:
    facts = extract_facts("Mexico sent twenty-six cartel figures to the United States, the third such transfer.")
    assert {"26", "3rd"} <= facts.numbers and {"united", "states"} <= facts.names


def test_seeds_form_two_stories(pipeline: Pipeline) -> None:
    found = stories_of(pipeline, seed_documents())
    assert found == [SAME_EVENT, EARLIER_EVENT]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_seeds_shuffled_with_unrelated_articles(pipeline: Pipeline, seed: int) -> None:
    documents = seed_documents() + [fixture_document("unrelated_sports"), fixture_document("unrelated_science")]
    random.Random(seed).shuffle(documents)
    found = stories_of(pipeline, documents)
    assert SAME_EVENT in found and EARLIER_EVENT in found
    assert {"unrelated_sports"} in found and {"unrelated_science"} in found
