"""Stage 6, verify: every sentence of a brief is tied to evidence that is really in the input.

A sentence copied from evidence (`verbatim`) inherits its citations with full support. A
generated sentence is checked, in this order, and removed at the first failure:
- its surface: long enough, ended (not cut off by the token limit), no markup, chat tokens or
  wording of the prompt itself;
- its support: embedding similarity and shared content words with its evidence reach the
  threshold. A fused sentence's evidence is its own claim group; a sentence written from all the
  evidence is aligned to the closest evidence items;
- its facts: every number, date and name it states occurs in that evidence;
- its roles: the names and numbers of each clause stand together in one evidence sentence, so a name moved
  into another role ("at the request of the National Security Council" where the source says
  the Department of Justice) is caught although each word occurs somewhere; and, read from the
  parse (`roles.py`), each value goes with the names some evidence sentence gives it, who acts on
  whom is as some evidence sentence says, a clause joined by "after" or "because" joins what some
  evidence sentence joins, and the sentence does not say one thing twice.
A failing fused sentence gives way to its claim's original sentence; a failing whole-brief
sentence to the evidence sentence it garbled when one is close. The response says what and why.
When too little survives, unused evidence fills the budget. No two sentences of a brief tell one claim
(the later goes). A compression cut back to a claim told before (a second outlet's lede cut to what the
first said) goes, and its sentence does not stand in: whole, it tells the claim again with a detail. That
sentence stays unused evidence, which fills a brief left short, unless it too tells a claim told before.
No sentence leaves without a citation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from typing import TYPE_CHECKING

import numpy as np

from ..runtime.embed import Embedder
from ..runtime.nlp import Parser
from ..types import BriefSentence, Citation, Evidence, Origin, Sentence
from ..values.facts import claimed_names, extract_facts, facts_of
from .evidence import WordVectors, points_outside, same_claim
from .prompts import leaks_prompt
from .rewrites import deletion_problem, resolution_problem
from .roles import NEW_WORDS_ALLOWED, new_words, role_problem
from .writers import Draft, DraftSentence
from .writers.base import evidence_within_budget, within_budget

if TYPE_CHECKING:
    from spacy.tokens import Doc

EMBEDDING_WEIGHT = 0.6
ALIGNED_MAX = 3
REPLACE_COSINE = 0.6
FILL_BELOW = 0.6  # a brief shorter than this share of its budget is topped up with evidence
MIN_WORDS = 4
_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r"\S+")
_CLAUSE = re.compile(r"[,;:]\s+|\s+(?:and|but|while|whereas|after|before|because|although|which|who)\s+")
_ENDED = re.compile(r"[.!?][\"”’')\]]*\s*$")
_MARKUP = re.compile(r"</?\s*[A-Za-z][\w-]*(?:\s[^<>]*)?/?>|<\||\|>|</?s>|\[/?INST\]|^\s*(?:system|user|assistant)\s*:",
                     re.IGNORECASE | re.MULTILINE)


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


def _merge_citations(citations: Sequence[Citation], lead: Citation | None = None) -> tuple[Citation, ...]:
    """The citations once each, in reading order, after `lead` where one sentence was rewritten: the page and a
    reader take the first citation as the sentence a compression or a resolved reference came from."""
    unique = {(c.doc, c.start, c.end): c for c in citations}
    return tuple(sorted(unique.values(), key=lambda c: (c != lead, c.doc, c.start)))


def _from_evidence(items: Sequence[Evidence], text: str, support: float, origin: Origin = "copied") -> BriefSentence:
    return BriefSentence(text, _merge_citations([c for item in items for c in item.citations]),
                         max(item.sources for item in items), support, origin)


def surface_problem(text: str) -> str | None:
    """Why a generated sentence cannot be a sentence of a brief whatever the evidence, or None."""
    if len(text.split()) < MIN_WORDS:
        return "fragment: too short to be a sentence of a brief"
    if not _ENDED.search(text):
        return "cut off: the sentence does not end"
    if _MARKUP.search(text):
        return "markup: tags or chat tokens in the text"
    if leaks_prompt(text):
        return "prompt text: repeats the instructions given to the model"
    return None


def unstated_facts(sentence: str, texts: Sequence[str]) -> str | None:
    """Why the evidence `texts` do not back the sentence's facts and their roles, or None when they do."""
    known = facts_of(list(texts))
    words = {w.lower() for t in texts for w in _WORD.findall(t)}
    claimed = extract_facts(sentence)
    names = claimed_names(sentence)
    if missing := sorted(claimed.numbers - known.numbers):
        return f"number {', '.join(missing)} not in the cited evidence"
    if missing := sorted(claimed.dates - known.dates):
        return f"date {', '.join(missing)} not in the cited evidence"
    if missing := sorted(n for n in names if not all(part in words for part in _WORD.findall(n))):
        return f"name {', '.join(missing)} not in the cited evidence"
    for clause in _CLAUSE.split(sentence):
        if reason := _roles_apart(clause, texts):
            return reason
    return None


def _roles_apart(clause: str, texts: Sequence[str]) -> str | None:
    """Why the names and numbers of one clause (who did what to whom, how many) never stand together in
    one evidence sentence, or None when one sentence holds them all."""
    names, numbers = claimed_names(clause), extract_facts(clause).numbers
    if len(names) + len(numbers) < 2:
        return None
    parts = {part for name in names for part in _WORD.findall(name)}  # "covid-19" is "covid" and "19", as in texts
    for text in texts:
        if parts <= {w.lower() for w in _WORD.findall(text)} and numbers <= extract_facts(text).numbers:
            return None
    return f"roles: {', '.join(sorted(numbers) + sorted(names))} never stand together in one evidence sentence"


class Verifier:
    """Checks drafts against evidence with the pipeline's embedding model and parser."""

    def __init__(self, embedder: Embedder, threshold: float, parser: Parser) -> None:
        self.embedder = embedder
        self.threshold = threshold
        self.parser = parser

    def _support(self, sentence: np.ndarray, words: set[str], vectors: np.ndarray,
                 word_sets: Sequence[set[str]]) -> np.ndarray:
        overlap = np.array([len(words & w) / max(len(words), 1) for w in word_sets])
        return EMBEDDING_WEIGHT * (vectors @ sentence) + (1 - EMBEDDING_WEIGHT) * overlap

    def verify(self, draft: Draft, evidence: Sequence[Evidence], max_words: int, word_vectors: WordVectors,
               one_sided: Callable[[str], str | None] = lambda text: None) -> Verified:
        """Attributed brief sentences, what was rejected and why, and whether the evidence had to stand in.

        `word_vectors` are the ones `evidence.rank_evidence` told claims apart with: one test of a repeated claim.

        `one_sided` says why a sentence states one side of a disagreement as settled (see `claims`):
        such a sentence is rejected, verbatim or not.
        """
        kept: list[BriefSentence] = []
        rejected: list[Rejection] = []
        used: set[int] = set()
        generated = [s for s in draft.sentences if not s.verbatim]
        merged = list(dict.fromkeys(m.text for s in generated for m in s.merged))
        texts = [s.text for s in generated] + merged + [item.sentence.text for item in evidence]
        vectors = dict(zip(texts, self.embedder.encode(texts))) if generated else {}
        evidence_vectors = np.array([vectors[item.sentence.text] for item in evidence]) if generated else None
        evidence_words = [_words(" ".join([item.sentence.text, *(s.text for s in item.support)])) for item in evidence]
        parsed = self._parse(generated, evidence)
        for sentence in draft.sentences:
            if disputed := one_sided(sentence.text):
                rejected.append(Rejection(sentence.text, f"disputed: {disputed}", None))
                continue
            if sentence.verbatim:
                kept.append(_from_evidence([evidence[i] for i in sentence.evidence], sentence.text, 1.0))
                used.update(sentence.evidence)
                continue
            if sentence.merged:
                outcome = self._fused(sentence, vectors, parsed)
            else:
                outcome = self._aligned(sentence, evidence, vectors, evidence_vectors, evidence_words, parsed)
            reason, result, replacement = outcome
            if reason is None and result is not None:
                if sentence.origin == "compressed" and _told(result.text, kept, vectors, word_vectors):
                    # the cut keeps only a claim told before; what it cut is detail, which the whole sentence may
                    # still give as filler when the brief is short, unless it too is told before
                    rejected.append(Rejection(sentence.text, "repeats: the cut leaves a claim told before", None))
                    if any(_told(evidence[i].sentence.text, kept, vectors, word_vectors) for i in sentence.evidence):
                        used.update(sentence.evidence)
                    continue
                kept.append(result)
                used.update(sentence.evidence)  # told: its evidence is no filler
                continue
            if sentence.origin == "resolved":
                replacement = None  # the sentence it resolved still points outside itself: it stays out
            replacement = replacement if replacement is not None and replacement not in used else None
            rejected.append(Rejection(sentence.text, str(reason),
                                      evidence[replacement].sentence.text if replacement is not None else None))
            if replacement is not None:
                used.add(replacement)
                kept.append(_from_evidence([evidence[replacement]], evidence[replacement].sentence.text, 1.0))
        kept = _within_budget(_one_claim_each(kept, vectors, word_vectors), max_words)
        words = sum(len(s.text.split()) for s in kept)
        filler: list[BriefSentence] = []
        if words < FILL_BELOW * max_words and evidence:
            unused = [item for i, item in enumerate(evidence) if i not in used and one_sided(item.sentence.text) is None
                      and not points_outside(item.sentence.text)]
            filler = [_from_evidence([unused[i]], unused[i].sentence.text, 1.0)
                      for i in evidence_within_budget(unused, max_words - words)]
            kept = _within_budget(_one_claim_each(kept + filler, vectors, word_vectors), max_words)
        return Verified(kept, _stand_ins_kept(rejected, kept), fallback=bool(filler))

    def _parse(self, generated: Sequence[DraftSentence], evidence: Sequence[Evidence]) -> dict[str, Doc]:
        """Each written sentence and each sentence it may be checked against, parsed once."""
        texts = list(dict.fromkeys([s.text for s in generated] + [m.text for s in generated for m in s.merged]
                                   + [t for item in evidence if any(not s.merged for s in generated)
                                      for t in (item.sentence.text, *(m.text for m in item.support))]))
        return dict(zip(texts, self.parser.parse(texts))) if generated else {}

    def _fused(self, sentence: DraftSentence, vectors: dict[str, np.ndarray],
               parsed: dict[str, Doc]) -> tuple[str | None, BriefSentence | None, int | None]:
        """Check a sentence rewritten from a few sentences (fused, compressed, resolved) against them alone; on
        failure the claim's sentence stands in."""
        group: Sequence[Sentence] = sentence.merged
        claim = sentence.evidence[0]
        if reason := surface_problem(sentence.text) or self._rewrite_problem(sentence, parsed):
            return reason, None, claim
        support = self._support(vectors[sentence.text], _words(sentence.text),
                                np.array([vectors[s.text] for s in group]), [_words(s.text) for s in group])
        if support.max() < self.threshold:
            return (f"unsupported: its claim's sentences score {support.max():.2f}, below {self.threshold:.2f}",
                    None, claim)
        if reason := unstated_facts(sentence.text, [s.text for s in group]):
            return reason, None, claim
        if reason := role_problem(parsed[sentence.text], [parsed[s.text] for s in group]):
            return reason, None, claim
        if sentence.origin == "fused" and len(new := new_words(parsed[sentence.text], [parsed[s.text] for s in group])) \
                > NEW_WORDS_ALLOWED:
            return f"words: {', '.join(new)} in none of its sentences", None, claim
        cited = group if sentence.origin != "resolved" else [group[0], *_naming(sentence.text, group[1:])]
        citations = _merge_citations([Citation(s.doc, s.start, s.end) for s in cited],
                                     None if sentence.origin == "fused" else Citation(group[0].doc, group[0].start,
                                                                                      group[0].end))
        return None, BriefSentence(sentence.text, citations, sentence.sources, float(support.max()), sentence.origin,
                                   len(group) if sentence.origin == "fused" else 1), None

    @staticmethod
    def _rewrite_problem(sentence: DraftSentence, parsed: dict[str, Doc]) -> str | None:
        """Why a compression is no deletion, or a resolved reference more than its name, or None."""
        source = sentence.merged[0].text
        if sentence.origin == "compressed":
            return deletion_problem(parsed[sentence.text], parsed[source])
        if sentence.origin == "resolved":
            return resolution_problem(sentence.text, source, [parsed[s.text] for s in sentence.merged[1:]])
        return None

    def _aligned(self, sentence: DraftSentence, evidence: Sequence[Evidence], vectors: dict[str, np.ndarray],
                 evidence_vectors: np.ndarray | None, evidence_words: list[set[str]],
                 parsed: dict[str, Doc]) -> tuple[str | None, BriefSentence | None, int | None]:
        """Check a sentence written from all the evidence against the evidence items closest to it."""
        if not evidence or evidence_vectors is None:
            return "unsupported: no evidence", None, None
        vector = vectors[sentence.text]
        support = self._support(vector, _words(sentence.text), evidence_vectors, evidence_words)
        ranked = [int(i) for i in np.argsort(-support)[:ALIGNED_MAX] if support[i] >= self.threshold * 0.8]
        best = int(np.argmax(support))
        close = best if float(evidence_vectors[best] @ vector) >= REPLACE_COSINE else None
        if reason := surface_problem(sentence.text):
            return reason, None, close
        if support[best] < self.threshold:
            return f"unsupported: closest evidence scores {support[best]:.2f}, below {self.threshold:.2f}", None, close
        aligned = [evidence[i] for i in ranked or [best]]
        texts = [t for item in aligned for t in (item.sentence.text, *(s.text for s in item.support))]
        if reason := unstated_facts(sentence.text, texts) or role_problem(parsed[sentence.text],
                                                                            [parsed[t] for t in texts]):
            return reason, None, close
        return None, _from_evidence(aligned, sentence.text, float(support[best]), "generated"), None


def _naming(text: str, before: Sequence[Sentence]) -> list[Sentence]:
    """The sentence nearest before a resolved one that gives the name it now states (the name's citation)."""
    words = {w.lower() for w in _WORD.findall(text)}
    return [s for s in reversed(before) if words & {w.lower() for w in _WORD.findall(s.text) if w[:1].isupper()}][:1]


def _told(text: str, kept: Sequence[BriefSentence], vectors: dict[str, np.ndarray], word_vectors: WordVectors) -> bool:
    """Whether a sentence of `kept` tells the claim `text` tells."""
    vector = vectors.get(text)
    return vector is not None and any(same_claim(s.text, text, float(vectors[s.text] @ vector), word_vectors)
                                      for s in kept if s.text in vectors)


def _one_claim_each(sentences: list[BriefSentence], vectors: dict[str, np.ndarray],
                    word_vectors: WordVectors) -> list[BriefSentence]:
    """The sentences without any that tells a claim an earlier one tells (two fusions can converge on one claim)."""
    out: list[BriefSentence] = []
    for sentence in sentences:
        if not _told(sentence.text, out, vectors, word_vectors):
            out.append(sentence)
    return out


def _stand_ins_kept(rejected: list[Rejection], kept: list[BriefSentence]) -> list[Rejection]:
    """Rejections that name a stand-in only when it made the brief (one past the budget is not there)."""
    texts = {s.text for s in kept}
    return [r if r.replaced_by is None or r.replaced_by in texts else Rejection(r.text, r.reason, None)
            for r in rejected]


def _within_budget(sentences: list[BriefSentence], max_words: int) -> list[BriefSentence]:
    """Each sentence once, as many as the budget rule keeps (`writers.base.within_budget`), none past the budget."""
    first: dict[str, BriefSentence] = {}
    for sentence in sentences:
        first.setdefault(sentence.text, sentence)
    unique = list(first.values())
    return [cut_to(unique[i], max_words) for i in within_budget([len(s.text.split()) for s in unique], max_words)]


def cut_to(sentence: BriefSentence, max_words: int) -> BriefSentence:
    """The sentence's first `max_words` words when it has more (alone, it is longer than the whole budget).

    It is cut on a word boundary, so that the words kept stand in the input as they are. A copied sentence's
    citation whose span is the sentence itself (a plain-text span, `text.py`) is narrowed to those words;
    a span of HTML markup still holds them, as a generated sentence's evidence still backs them.
    """
    words = list(islice(_TOKEN.finditer(sentence.text), max_words + 1))
    if len(words) <= max_words:
        return sentence
    end = words[max_words - 1].end()
    whole = len(sentence.text)
    citations = tuple(Citation(c.doc, c.start, c.start + end) if sentence.origin == "copied" and c.end - c.start == whole
                      else c for c in sentence.citations)
    return replace(sentence, text=sentence.text[:end], citations=citations)
