"""Stage 6, verify: every sentence of a brief is tied to evidence that is really in the input.

A sentence copied from evidence (`verbatim`) inherits the evidence's citations with full support.
"""

from __future__ import annotations

from collections.abc import Sequence

from .types import BriefSentence, Citation, Evidence
from .writers import Draft


def _merge_citations(items: Sequence[Evidence]) -> tuple[Citation, ...]:
    seen: dict[tuple[int, int, int], Citation] = {}
    for item in items:
        for citation in item.citations:
            seen.setdefault((citation.doc, citation.start, citation.end), citation)
    return tuple(sorted(seen.values(), key=lambda c: (c.doc, c.start)))


def attribute(draft: Draft, evidence: Sequence[Evidence]) -> list[BriefSentence]:
    """Brief sentences with the citations, source counts and support of the evidence they came from."""
    sentences = []
    for draft_sentence in draft.sentences:
        if not draft_sentence.verbatim:
            raise ValueError("only verbatim evidence can be attributed without a verifier")
        used = [evidence[i] for i in draft_sentence.evidence]
        sentences.append(BriefSentence(draft_sentence.text, _merge_citations(used),
                                       max(item.sources for item in used), 1.0))
    return sentences
