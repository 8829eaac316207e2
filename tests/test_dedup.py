import random

from service.group.dedup import containment
from service.pipeline import Pipeline
from service.read.shingles import fingerprint
from service.schemas import BriefRequest
from tests.conftest import seed_documents

SYNONYMS = {"said": "stated", "extradited": "sent", "members": "operatives", "transfer": "handover",
            "decision": "choice", "criticism": "criticisms", "powerful": "influential", "admitted": "acknowledged",
            "growing": "mounting", "military": "armed", "charged": "indicted", "usual": "regular"}


def light_rewrite(text: str) -> str:
    """A wire rewrite: synonyms swapped, one paragraph dropped, a boilerplate line added."""
    lines = [line for line in text.splitlines() if line.strip()]
    del lines[len(lines) // 2]
    words = " \n".join(lines).split(" ")
    return "Advertisement\n" + " ".join(SYNONYMS.get(w, w) for w in words)


def groups_of(pipeline: Pipeline, documents: list[dict[str, str]]) -> list[set[str]]:
    response = pipeline.run(BriefRequest.model_validate({"documents": documents}))
    return [set(g.members) for s in response.stories for g in s.duplicate_groups]


def test_fingerprints_and_containment() -> None:
    assert fingerprint("").size == 0
    assert fingerprint("one two three").size == 1 and fingerprint("One, two three!").tolist() == \
        fingerprint("one two three").tolist()
    a = fingerprint("the quick brown fox jumps over the lazy dog today")
    assert a.size == 6 and containment(a, a) == 1.0
    assert containment(a, fingerprint("nothing in common here at all")) == 0.0
    trimmed = fingerprint("brown fox jumps over the lazy dog today")
    assert containment(a, trimmed) == containment(trimmed, a) == 1.0


def test_one_document_is_its_own_group(pipeline: Pipeline) -> None:
    assert groups_of(pipeline, seed_documents()[:1]) == [{"000_b857a9c903a3f681"}]


def test_copies_trimmed_copies_and_rewrites_join_one_group(pipeline: Pipeline) -> None:
    original = seed_documents()[1]["text"]
    paragraphs = [p for p in original.splitlines() if p.strip()]
    documents = [
        {"id": "original", "text": original},
        {"id": "copy", "text": "Listen to this article\n" + original + "\nAll rights reserved."},
        {"id": "trimmed", "text": "\n".join(paragraphs[: len(paragraphs) * 2 // 3])},
        {"id": "rewrite", "text": light_rewrite(original)},
        seed_documents()[4],
    ]
    random.Random(7).shuffle(documents)
    groups = groups_of(pipeline, documents)
    assert {"original", "copy", "trimmed", "rewrite"} in groups
    assert {"004_6523e98cedb0d1bf"} in groups


def test_seed_rewrites_by_different_outlets_stay_independent_sources(pipeline: Pipeline) -> None:
    groups = groups_of(pipeline, seed_documents())
    assert sorted(len(g) for g in groups) == [1, 1, 1, 1, 1]
