import json
import random
from pathlib import Path

import pytest

from service.group.dedup import _same_wording, containment
from service.pipeline import Pipeline
from service.read.shingles import fingerprint
from service.schemas import BriefRequest
from tests.conftest import seed_documents

ECBPLUS = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "ecbplus_dev" / "ecbplus_dev.jsonl"
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


def test_signatures_match_datasketch() -> None:
    """The copy check's MinHash signatures, made from whole arrays, are the ones datasketch makes shingle by shingle,
    so signatures stored by a desk or a batch read back the same; an empty text has none."""
    from datasketch import MinHash

    from service.group.dedup import NUM_PERM, SCHEME, minhash_signatures

    documents = [d["text"] for d in seed_documents()] + ["", "one two three four five six"]
    fingerprints = [fingerprint(text) for text in documents]
    ours = minhash_signatures(fingerprints)
    for fp, signature in zip(fingerprints, ours):
        if not fp.size:
            assert signature.size == 0
            continue
        theirs = MinHash(num_perm=NUM_PERM, scheme=SCHEME, hashfunc=int)
        theirs.update_batch((fp & 0xFFFFFFFF).tolist())
        assert signature.dtype == theirs.hashvalues.dtype and signature.tolist() == theirs.hashvalues.tolist()


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


def test_copies_never_chain_each_member_copies_the_representative(pipeline: Pipeline) -> None:
    """B, sent last, copies part of A and part of C, but A shares nothing with C: C is not a copy of
    the group's representative (A, the most complete), so it is a group of its own."""
    words = seed_documents()[1]["text"].split()
    assert len(words) > 360
    documents = [{"id": "A", "text": " ".join(words[:200])}, {"id": "C", "text": " ".join(words[300:360])},
                 {"id": "B", "text": " ".join(words[80:200] + words[300:360])}]
    response = pipeline.run(BriefRequest.model_validate({"documents": documents}))
    groups = {g.representative: (set(g.members), g.similarity) for s in response.stories for g in s.duplicate_groups}
    assert groups["A"][0] == {"A", "B"} and groups["A"][1] >= response.settings.duplicate_threshold
    assert groups["C"] == ({"C"}, 1.0)


@pytest.mark.skipif(not ECBPLUS.exists(), reason="the ECB+ dev set is not beside the checkout")
def test_three_outlets_one_line_reports_are_three_sources(pipeline: Pipeline) -> None:
    """Issue 25: three outlets' own one-sentence reports of a climber's death read alike to a sentence
    encoder, but share little wording: three groups, not one "rewrite" group of similarity 0.11."""
    items = {i["id"]: i for i in map(json.loads, ECBPLUS.read_text(encoding="utf-8").splitlines())}
    documents = [{"id": k, "text": items[k]["text"]} for k in ("23_10ecb", "23_5ecb", "23_8ecb")]
    assert sorted(map(sorted, groups_of(pipeline, documents))) == [["23_10ecb"], ["23_5ecb"], ["23_8ecb"]]


def test_a_rewrite_keeps_the_numbers_of_its_original() -> None:
    assert _same_wording("New jobless claims fell to 473,000 for the week ended May 8, the department said.",
                         "New jobless claims fell to 473,000 for the week ended May 8, the department reported.")
    assert not _same_wording("New jobless claims fell to 473,000 for the week ended May 8, the department said.",
                             "New jobless claims fell to 385,000 for the week ended May 29, the department said.")
