"""Stage 3: stories from same-event probabilities; the seeds, real ECB+ events, and the explanation fields."""

import json
import random
from pathlib import Path

import numpy as np
import pytest
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from service.group.events import FEATURES, SameEventModel
from service.group.stories import average_linkage
from service.pipeline import Pipeline
from service.schemas import BriefRequest, BriefResponse
from service.values.facts import counts, extract_facts
from tests.conftest import ROOT, fixture_document, seed_documents

SAME_EVENT = {"000_b857a9c903a3f681", "001_e6a579a5342c807f", "002_4d574c085c21eb7c", "003_46c0593dd5059234"}
EARLIER_EVENT = {"004_6523e98cedb0d1bf"}
ECBPLUS = next((p for p in (ROOT.parent / "shared" / "eval" / "ecbplus_dev" / "ecbplus_dev.jsonl",
                            Path("/work/shared/eval/ecbplus_dev/ecbplus_dev.jsonl")) if p.exists()), None)


def run(pipeline: Pipeline, documents: list[dict[str, str]]) -> BriefResponse:
    return pipeline.run(BriefRequest.model_validate({"documents": documents, "options": {"max_words": 60}}))


def stories_of(pipeline: Pipeline, documents: list[dict[str, str]]) -> list[set[str]]:
    return [set(s.document_ids) for s in run(pipeline, documents).stories]


def scipy_average_linkage(scores: np.ndarray, threshold: float) -> list[list[int]]:
    distances = np.clip(1.0 - scores, 0.0, None)
    np.fill_diagonal(distances, 0.0)
    labels = fcluster(linkage(squareform(distances, checks=False), method="average"), t=1.0 - threshold,
                      criterion="distance")
    return [list(np.flatnonzero(labels == label)) for label in np.unique(labels)]


@pytest.mark.parametrize("seed", range(5))
def test_average_linkage_over_all_pairs_is_scipys(seed: int) -> None:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((6, 16))
    points = centres[rng.integers(0, 6, 40)] + 0.6 * rng.standard_normal((40, 16))
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    scores = points @ points.T
    firsts, seconds = np.triu_indices(40, 1)
    ours = average_linkage(40, firsts, seconds, scores[firsts, seconds], 0.5)
    assert sorted(map(sorted, ours)) == sorted(map(sorted, scipy_average_linkage(scores, 0.5)))


def test_average_linkage_never_joins_what_no_scored_pair_links() -> None:
    firsts, seconds, scores = np.array([0, 2]), np.array([1, 3]), np.array([0.9, 0.95])
    assert sorted(map(sorted, average_linkage(4, firsts, seconds, scores, 0.5))) == [[0, 1], [2, 3]]


def test_number_words_become_comparable_facts() -> None:
    facts = extract_facts("Mexico sent twenty-six cartel figures to the United States, the third such transfer.")
    assert {"26", "3rd"} <= facts.numbers and {"united", "states"} <= facts.names
    assert ("26", "cartel") in counts("Mexico sent twenty-six cartel figures to the United States.")


def test_the_model_file_matches_the_features_the_code_computes() -> None:
    data = json.loads((ROOT / "service" / "data" / "same_event.json").read_text(encoding="utf-8"))
    assert tuple(data["features"]) == FEATURES and len(data["weights"]) == len(FEATURES)
    assert 0 < SameEventModel.load().threshold < 1 and data["cross_validated"]["F1"] > 0


def test_seeds_form_two_stories(pipeline: Pipeline) -> None:
    assert stories_of(pipeline, seed_documents()) == [SAME_EVENT, EARLIER_EVENT]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_seeds_shuffled_with_unrelated_articles(pipeline: Pipeline, seed: int) -> None:
    documents = seed_documents() + [fixture_document("unrelated_sports"), fixture_document("unrelated_science")]
    random.Random(seed).shuffle(documents)
    found = stories_of(pipeline, documents)
    assert SAME_EVENT in found and EARLIER_EVENT in found
    assert {"unrelated_sports"} in found and {"unrelated_science"} in found


def test_each_join_is_explained_and_consistent_with_the_stories(pipeline: Pipeline) -> None:
    documents = seed_documents() + [dict(seed_documents()[1], id="copy-of-001")]
    response = run(pipeline, documents)
    threshold = response.settings.story_threshold
    story_of = {d: s for s in response.stories for d in s.document_ids}
    for doc in response.documents:
        story = story_of[doc.id]
        if len(story.document_ids) == 1:
            assert doc.joined_via is None and doc.join_score is None and story.cohesion is None
            continue
        assert doc.joined_via in story.document_ids and doc.joined_via != doc.id and 0 < doc.join_score <= 1
    copy = next(d for d in response.documents if d.id == "copy-of-001")
    assert copy.joined_via == copy.duplicate_group and copy.join_score == 1.0
    seeds_story = story_of["000_b857a9c903a3f681"]
    links = [d.join_score for d in response.documents if d.id in seeds_story.document_ids
             and d.duplicate_group == d.id]
    assert seeds_story.cohesion == min(links) and seeds_story.cohesion >= threshold * 0.5


def test_a_request_threshold_moves_the_decision(pipeline: Pipeline) -> None:
    documents = seed_documents()
    request = BriefRequest.model_validate({"documents": documents, "options": {"story_threshold": 0.999999}})
    strict = pipeline.run(request)
    assert strict.settings.story_threshold == 0.999999 and len(strict.stories) > 2


@pytest.mark.skipif(ECBPLUS is None, reason="the ECB+ dev set (../shared/eval/ecbplus_dev) is not on this machine")
def test_real_reports_of_one_event_join_and_two_events_of_a_topic_stay_apart(pipeline: Pipeline) -> None:
    """ECB+ topic 1: outlets' reports of Tara Reid entering rehab (2008) and of Lindsay Lohan doing so (2013)."""
    items = [json.loads(line) for line in ECBPLUS.read_text(encoding="utf-8").splitlines()]
    chosen = {"1_ecb": ["1_10ecb", "1_11ecb", "1_14ecb"], "1_ecbplus": ["1_10ecbplus", "1_11ecbplus", "1_1ecbplus"]}
    documents = [{"id": i["id"], "text": i["text"]} for i in items if i["id"] in sum(chosen.values(), [])]
    assert sorted(map(sorted, stories_of(pipeline, documents))) == sorted(map(sorted, chosen.values()))


def test_source_url_and_published_at_are_used(pipeline: Pipeline) -> None:
    """Issue 11: outlets are counted from `source`, `url` travels with each citation, and dates weeks apart
    keep two reports in separate stories."""
    first, second = (dict(d) for d in seed_documents()[:2])
    first.update(source="Wire A", url="https://a.example/37", published_at="2025-03-04T10:00:00Z")
    second.update(source="Paper B", url="https://b.example/transfer", published_at="2025-03-05T08:00:00+01:00")
    story = run(pipeline, [first, second]).stories[0]
    assert story.outlets == ["Paper B", "Wire A"] and story.sources == 2
    assert str(story.published_from) == "2025-03-04 10:00:00+00:00" and story.published_to is not None
    urls = {c.document_id: c.url for s in story.brief.sentences for c in s.citations}
    assert urls[first["id"]] == "https://a.example/37"
    second["published_at"] = "2025-05-20T08:00:00Z"  # eleven weeks later: another occurrence, not the same event
    assert len(run(pipeline, [first, second]).stories) == 2
