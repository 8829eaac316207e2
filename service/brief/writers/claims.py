"""Select, then fuse: the claims a brief is built from, each with the sentences that corroborate it.

A claim is an evidence item: a salient sentence and the sentences of other documents that say the
same. Its group keeps the sentence and up to three of those, one per independent source, those
that share most words with it first; a sentence that shares too few words says something else
and stays out. Claims are told main event first (the best-ranked claim), then the others in
reading order, which puts context and reactions after the facts they follow. Corroborated claims
are chosen first: they are what fusion can improve, and what several sources agree on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ...types import Evidence, Sentence

MAX_MERGED = 4  # sentences one fused sentence is written from
MIN_OVERLAP = 0.25  # shared content words over the shorter sentence's, for a sentence to join a claim
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Claim:
    index: int  # the evidence item
    sentences: tuple[Sentence, ...]  # the item's sentence first, then corroborating ones
    sources: int  # independent sources among them


def _content(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) >= 4 or w.isdigit()}


def overlap(a: str, b: str) -> float:
    x, y = _content(a), _content(b)
    return len(x & y) / max(min(len(x), len(y)), 1)


def claim(evidence: Sequence[Evidence], index: int) -> Claim:
    item = evidence[index]
    ranked = sorted(range(len(item.support)), key=lambda k: -overlap(item.sentence.text, item.support[k].text))
    sentences, groups = [item.sentence], {item.group_of(0)}
    for k in ranked:
        group = item.group_of(k + 1)
        if len(sentences) < MAX_MERGED and group not in groups \
                and overlap(item.sentence.text, item.support[k].text) >= MIN_OVERLAP:
            sentences.append(item.support[k])
            groups.add(group)
    return Claim(index, tuple(sentences), len(groups))


def by_priority(evidence: Sequence[Evidence]) -> list[Claim]:
    """Every claim, corroborated ones (two or more independent sources) first, each part in rank order."""
    claims = [claim(evidence, i) for i in range(len(evidence))]
    return sorted(claims, key=lambda c: (c.sources < 2, c.index))


def told_in_order(evidence: Sequence[Evidence], indexes: list[int]) -> list[int]:
    """The best-ranked claim first (the main event), then the others in reading order."""
    if not indexes:
        return []
    main = max(indexes, key=lambda i: evidence[i].score)
    return [main, *sorted((i for i in indexes if i != main), key=lambda i: (evidence[i].position, -evidence[i].score))]
