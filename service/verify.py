"""Stage 6, verify: every sentence of a brief is tied to evidence that is really in the input.

A sentence copied from evidence (`verbatim`) inherits its citations with full support. A generated
sentence is aligned to the evidence by embedding similarity and shared content words; it stays
only when that support reaches the threshold and every number, date and name it states occurs
in the evidence it is aligned to. A failing sentence is replaced by the evidence sentence it
garbled when one is close, else removed; either way the response says what and why. When too
little survives, unused evidence fills the budget. No sentence leaves without a citation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .embed import Embedder
from .facts import claimed_names, extract_facts, facts_of
from .types import BriefSentence, Citation, Evidence
from .writers import Draft
from .writers.extractive import trim_to_budget

EMBEDDING_WEIGHT = 0.6
ALIGNED_MAX = 3
REPLACE_COSINE = 0.6
FILL_BELOW = 0.6  # a brief shorter than this share of its budget is topped up with evidence
MIN_WORDS = 4
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Rejection:
    text: str
    reason: str
    replaced_by: str | None


@dataclass(frozen=True, slots=True)
class Verified:
    sentences: list[BriefSentence]
    rejected: list[Rejection]
    fallback: bool


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) >= 4 or w.isdigit()}


def _merge_citations(items: Sequence[Evidence]) -> tuple[Citation, ...]:
    seen: dict[tuple[int, int, int], Citation] = {}
    for item in items:
        for citation in item.citations:
            seen.setdefault((citation.doc, citation.start, citation.end), citation)
    return tuple(sorted(seen.values(), key=lambda c: (c.doc, c.start)))


def _from_evidence(items: Sequence[Evidence], text: str, support: float) -> BriefSentence:
    return BriefSentence(text, _merge_citations(items), max(item.sources for item in items), support)


def _unstated_facts(sentence: str, aligned: Sequence[Evidence]) -> str | None:
    """Why the aligned evidence does not back the sentence's facts, or None when it does."""
    texts = [t for item in aligned for t in (item.sentence.text, *(s.text for s in item.support))]
    known = facts_of(texts)
    words = {w.lower() for t in texts for w in _WORD.findall(t)}
    claimed = extract_facts(sentence)
    if missing := sorted(claimed.numbers - known.numbers):
        return f"number {', '.join(missing)} not in the cited evidence"
    if missing := sorted(claimed.dates - known.dates):
        return f"date {', '.join(missing)} not in the cited evidence"
    if missing := sorted(n for n in claimed_names(sentence) if n not in words):
        return f"name {', '.join(missing)} not in the cited evidence"
    return None


class Verifier:
    """Checks drafts against evidence with the pipeline's embedding model."""

    def __init__(self, embedder: Embedder, threshold: float) -> None:
        self.embedder = embedder
        self.threshold = threshold

    def verify(self, draft: Draft, evidence: Sequence[Evidence], max_words: int,
               one_sided: Callable[[str], str | None] = lambda text: None) -> Verified:
        """Attributed brief sentences, what was rejected and why, and whether the evidence had to stand in.

        `one_sided` says why a sentence states one side of a disagreement as settled (see `claims`):
        such a sentence is rejected, verbatim or not.
        """
        kept: list[BriefSentence] = []
        rejected: list[Rejection] = []
        used: set[int] = set()
        generated = [s.text for s in draft.sentences if not s.verbatim]
        if generated and evidence:
            vectors = self.embedder.encode(generated)
            evidence_vectors = self.embedder.encode([item.sentence.text for item in evidence])
            evidence_words = [_words(" ".join([item.sentence.text, *(s.text for s in item.support)]))
                              for item in evidence]
        row = 0
        for sentence in draft.sentences:
            if disputed := one_sided(sentence.text):
                rejected.append(Rejection(sentence.text, f"disputed: {disputed}", None))
                row += not sentence.verbatim
                continue
            if sentence.verbatim:
                items = [evidence[i] for i in sentence.evidence]
                kept.append(_from_evidence(items, sentence.text, 1.0))
                used.update(sentence.evidence)
                continue
            cosine = evidence_vectors @ vectors[row]
            row += 1
            words = _words(sentence.text)
            overlap = np.array([len(words & w) / max(len(words), 1) for w in evidence_words])
            support = EMBEDDING_WEIGHT * cosine + (1 - EMBEDDING_WEIGHT) * overlap
            ranked = [int(i) for i in np.argsort(-support)[:ALIGNED_MAX] if support[i] >= self.threshold * 0.8]
            best = int(np.argmax(support))
            reason = None
            if len(sentence.text.split()) < MIN_WORDS:
                reason = "fragment: too short to be a sentence of a brief"
            elif support[best] < self.threshold:
                reason = f"unsupported: closest evidence scores {support[best]:.2f}, below {self.threshold:.2f}"
            else:
                reason = _unstated_facts(sentence.text, [evidence[i] for i in ranked or [best]])
            if reason is None:
                kept.append(_from_evidence([evidence[i] for i in ranked or [best]], sentence.text, float(support[best])))
                continue
            replacement = best if cosine[best] >= REPLACE_COSINE and best not in used else None
            rejected.append(Rejection(sentence.text, reason,
                                      evidence[replacement].sentence.text if replacement is not None else None))
            if replacement is not None:
                used.add(replacement)
                kept.append(_from_evidence([evidence[replacement]], evidence[replacement].sentence.text, 1.0))
        kept = _within_budget(kept, max_words)
        words = sum(len(s.text.split()) for s in kept)
        if words >= FILL_BELOW * max_words or not evidence:
            return Verified(kept, rejected, fallback=False)
        unused = [item for i, item in enumerate(evidence) if i not in used and one_sided(item.sentence.text) is None]
        filler = [_from_evidence([unused[i]], unused[i].sentence.text, 1.0)
                  for i in trim_to_budget(unused, max_words - words)]
        return Verified(_within_budget(kept + filler, max_words), rejected, fallback=bool(filler))


def _within_budget(sentences: list[BriefSentence], max_words: int) -> list[BriefSentence]:
    """Drop repeated sentences and stop once the word budget is spent (the first sentence always stays)."""
    out: list[BriefSentence] = []
    words = 0
    for sentence in sentences:
        length = len(sentence.text.split())
        if any(s.text == sentence.text for s in out) or (out and words + length > max_words):
            continue
        out.append(sentence)
        words += length
    return out
