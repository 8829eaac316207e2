"""What a reader sees in a brief, counted from the brief's own sentences (issue 24).

- headline: a sentence that is one of the input's headlines or title lines (its words are, with at most
  one word changed);
- furniture: a byline, dateline, timestamp, caption, credit, promotion, legal notice, newsletter ask, or
  text addressed to a model. The patterns here are the evaluation's own, written from the issue's examples
  and `extraction_dev`'s `without` snippets, independent of the service's rules;
- unresolved opener: a sentence that opens on a third-person or demonstrative pronoun with nothing before
  it in the brief to point at: for he/she/his/her, no person named in an earlier sentence; for
  it/they/this/these/those (a pronoun, or a determiner as in "This move…" but not "This week…"), the sentence
  before it in the brief is not the one before it in its article. So is a bare noun of an earlier event or statement as
  subject ("The move is…", "The remarks are…"; not "The move by the court…"), and a connective that goes on
  from the sentence before ("But…", "Then along came…", "However, …"; read from the parse: a conjunction or
  adverb of the main verb, not "Instead of…").
  "It is unclear whether…" needs no antecedent and is not counted. A lead-in that ends on a colon ("Here are the
  figures, by branch:") counts too, unless the brief goes on with the sentence that follows it in its article;
- fragment: a sentence that stops mid-phrase (on a word, a number, a comma or a dash, before any closing quote), as a
  feed's excerpt or a line break cuts it: "As The Post's Philip Rucker, Robert Costa and" (a lead-in that ends on a
  colon is counted above instead);
- same-claim pairs: two sentences of one brief that tell one claim: a close paraphrase (MiniLM cosine at
  least `SAME_CLAIM_COSINE`), or most content words of the shorter one in the other with no number of its
  own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from service.brief.evidence import CONNECTIVES, EARLIER_EVENT_NOUNS
from service.runtime.embed import Embedder
from service.runtime.nlp import Parser

SAME_CLAIM_COSINE = 0.85
SAME_CLAIM_WORDS = 0.8
_WORD = re.compile(r"\w+")
_FURNITURE = re.compile("|".join(f"(?:{p})" for p in (
    r"^by (?-i:[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){1,3})\s*(?:[:|,–—-]|$|and\b)",  # byline
    r"^(?:posted|published|updated|last updated|first published)\b\s*(?:on|at|:)?",
    r"^(?:\w+day,?\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?"
    r"\s+\d{4}\s*(?:\d{1,2}\s*:\s*\d\d\s*(?:[ap]\.?m\.?)?\s*\w*)?\.?$",  # a date or timestamp alone
    r"^\d{1,2}\s*:\s*\d\d\s*(?:[ap]\.?m\.?)",
    r"\b(?:photo|image|picture|featured image|illustration)s?\s*(?:by|credit|courtesy)\b",
    r"^\(?(?:photo|image|file photo|pictured|above|below|left|right|top|pictured above)\s*[:)]",
    r"\b(?:getty images|associated press photo|ap photo|reuters/|afp via getty)\b",
    r"\b(?:sign up|subscribe|newsletter|unsubscribe|download (?:the|our) app|follow us|click here|tap here)\b",
    r"\bearn [\d,]+ (?:bonus )?(?:points|miles)\b|\bbonus (?:points|value)\b|\baffiliate (?:links?|commission)\b",
    r"\b(?:all rights reserved|copyright|©|may not be (?:published|reproduced|redistributed)|reprinted with)\b",
    r"\b(?:this (?:article|story) (?:was|first) (?:originally )?(?:published|appeared))\b",
    r"\b(?:ignore (?:all |any )?(?:previous|prior|above) instructions|you are (?:an? )?(?:ai|language model|"
    r"assistant)|as an ai)\b",
    r"<\|[a-z_]+\|>|\[/?inst\]|^(?:system|user|assistant)\s*:",
    r"^(?:related|read more|more:|see also|watch:|listen:|advertisement)\b",
    r"\b(?:contributed to this report|reporting by|editing by|writing by)\b",
)), re.IGNORECASE)
_EXPLETIVE_IT = re.compile(r"^it(?:'s|’s| is| was| has been| remains| seems| appears)( not)?( yet)?"
                           r" (?:\w+ ){0,2}(?:that|whether|if|to|how|why|what|when|who|unclear|clear|known|possible|likely)\b",
                           re.IGNORECASE)
_PERSONAL = frozenset({"he", "she", "his", "her", "him"})
_OTHER = frozenset({"it", "its", "they", "their", "them", "this", "these", "those"})
_DEFINING = frozenset(("prep", "acl", "compound", "amod", "nummod", "poss", "nmod"))  # "the move by the court"
_MID_PHRASE = re.compile(r"[\w,–—-][\"”’'″)»“]*\s*$")  # stops on a word, a number, a comma or a dash
_LEAD_IN = re.compile(r"[:：][\"”’')\]»]*\s*$")  # "Here are figures Kirby provided, by branch:"
_WHEN = frozenset("day week month year time morning afternoon night evening weekend season spring summer fall autumn "
                  "winter century decade quarter".split())  # "This week…" points at no earlier sentence


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def is_headline(sentence: str, titles: Sequence[str]) -> bool:
    """Whether the sentence is one of the titles, allowing one word changed (a headline reworded by one word)."""
    mine = words(sentence)
    for title in titles:
        theirs = words(title)
        if theirs and abs(len(mine) - len(theirs)) <= 1 and len(set(mine) ^ set(theirs)) <= 2:
            return True
    return False


def is_furniture(sentence: str) -> bool:
    return _FURNITURE.search(sentence.strip(" \"“'‘")) is not None


def _content(text: str) -> set[str]:
    return {w for w in words(text) if len(w) >= 4 or w.isdigit()}


def _numbers(text: str) -> set[str]:
    return {w for w in words(text) if w.isdigit()}


@dataclass
class Readability:
    """Counts over every brief of a run; `add` one brief at a time."""

    embedder: Embedder
    parser: Parser
    sentences: int = 0
    headlines: int = 0
    furniture: int = 0
    unresolved: int = 0
    fragments: int = 0
    same_claim_pairs: int = 0
    briefs: int = 0
    examples: dict[str, list[str]] = field(default_factory=lambda: {"headline": [], "furniture": [], "unresolved": [],
                                                                    "fragment": [], "same claim": []})

    def add(self, brief: Sequence[str], titles: Sequence[str], documents: Sequence[str]) -> None:
        """One brief: its sentences in order, the input's titles and the input's texts."""
        if not brief:
            return
        self.briefs += 1
        self.sentences += len(brief)
        for sentence in brief:
            if is_headline(sentence, titles):
                self._count("headline", sentence)
            if is_furniture(sentence):
                self._count("furniture", sentence)
            if _MID_PHRASE.search(sentence):
                self._count("fragment", sentence)
        parsed = self.parser.parse(list(brief))
        for k, doc in enumerate(parsed):
            if self._unresolved(k, brief, parsed, documents):
                self._count("unresolved", brief[k])
        vectors = self.embedder.encode(list(brief))
        for i in range(len(brief)):
            for j in range(i + 1, len(brief)):
                if same_claim(brief[i], brief[j], float(vectors[i] @ vectors[j])):
                    self._count("same claim", f"{brief[i][:90]} || {brief[j][:90]}")

    def _count(self, what: str, example: str) -> None:
        attribute = {"headline": "headlines", "furniture": "furniture", "unresolved": "unresolved",
                     "fragment": "fragments", "same claim": "same_claim_pairs"}[what]
        setattr(self, attribute, getattr(self, attribute) + 1)
        self.examples[what].append(example)

    @staticmethod
    def _unresolved(k: int, brief: Sequence[str], parsed: Sequence[object], documents: Sequence[str]) -> bool:
        if _LEAD_IN.search(brief[k]):  # it points at what follows it
            return not (k + 1 < len(brief) and _after_its_own_antecedent(k + 1, brief, documents))
        doc = parsed[k]
        first = next((t for t in doc if not t.is_punct and not t.is_space), None)  # type: ignore[attr-defined]
        if first is None:
            return False
        word = first.lower_
        if word == "the":  # a bare noun of an earlier event as subject: "The update came after…"
            noun = first.head
            bare = noun.lemma_.lower() in EARLIER_EVENT_NOUNS and noun.dep_ in ("nsubj", "nsubjpass") \
                and not any(t.dep_ in _DEFINING for t in noun.children)
            return bare and not _after_its_own_antecedent(k, brief, documents)
        if word in CONNECTIVES and first.dep_ in ("cc", "advmod") and first.head.pos_ in ("VERB", "AUX") \
                and doc[first.i + 1:first.i + 2].text.lower() != "of":
            return not _after_its_own_antecedent(k, brief, documents)
        if word in _PERSONAL:
            return not any(e.label_ == "PERSON" for d in parsed[:k] for e in d.ents)  # type: ignore[attr-defined]
        if word not in _OTHER or (word in ("this", "these", "those") and first.pos_ != "PRON"
                                  and (first.head.lemma_.lower() in _WHEN or first.head.ent_type_ in ("DATE", "TIME"))):
            return False
        if word == "it" and _EXPLETIVE_IT.search(brief[k].lstrip(" \"“'‘")):
            return False
        return not _after_its_own_antecedent(k, brief, documents)

    def figures(self) -> dict[str, float]:
        share = max(self.sentences, 1)
        return {"headline": self.headlines / share, "furniture": self.furniture / share,
                "unresolved": self.unresolved / share, "fragment": self.fragments / share,
                "same-claim pairs": float(self.same_claim_pairs)}


def same_claim(a: str, b: str, cosine: float) -> bool:
    """Two sentences that tell one claim: a close paraphrase, or one's content words nearly all in the other and
    no number of its own."""
    if cosine >= SAME_CLAIM_COSINE:
        return True
    x, y = _content(a), _content(b)
    shorter, longer = (x, y) if len(x) <= len(y) else (y, x)
    small, large = (a, b) if len(x) <= len(y) else (b, a)
    return bool(shorter) and len(shorter & longer) / len(shorter) >= SAME_CLAIM_WORDS \
        and _numbers(small) <= _numbers(large)


def _after_its_own_antecedent(k: int, brief: Sequence[str], documents: Sequence[str]) -> bool:
    """Whether the brief's sentence `k` follows, in the brief, the sentence it follows in its article."""
    return k > 0 and any(_follows(brief[k - 1], brief[k], text) for text in documents)


def _follows(before: str, sentence: str, text: str) -> bool:
    """Whether `sentence` comes right after `before` in `text` (only whitespace between them)."""
    at = text.find(before)
    return at >= 0 and text[at + len(before):].lstrip().startswith(sentence)
