"""Do two reports describe the same event? Pairwise features and the model calibrated on real events.

Reports of one event lead differently and word things differently, but the facts they state
coincide: who, where, when, how many. Reports of another event of the same kind (another
earthquake, another transfer of prisoners) share the topic's words and few of those facts. Each
candidate pair gets features that measure this: the words they share, weighted by how rare each
word is in the language (wordfreq); the names, numbers and dates they share, weighted by how
telling each is (a rare name, a count, a year); whether the facts of one's lead appear in the
other; a conflict of years or of the counts two leads state; how close their closest sentences
are; the static document vectors. No feature weighs anything by the other documents of the
request (an IDF over the request did not measure better, and made a pair's score depend on the
batch it came in), except that furniture the collection's texts share is left out. A logistic
model turns the features into the probability that the two report one event. Its weights and
threshold are data (`data/same_event.json`), fitted by `eval/calibrate.py` with cross-validation
over labelled real events of two sources (ECB+ and AllSides).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.preprocessing import normalize

from ..runtime.embed import StaticEmbedder
from ..types import Article
from ..values.facts import MONTHS, Facts, counts, facts_of
from .dedup import shared_sentences

FEATURES = ("words", "names", "numbers", "dates", "names_stated", "numbers_stated", "dates_stated", "lead_names", "lead_numbers", "lead_dates", "year_conflict", "lead_number_conflict", "count_conflict", "sentences", "vector")
LEAD_SENTENCES = 3
ALIGNED_SENTENCES = 40  # body sentences compared for the closest-sentences feature
FACT_KINDS = ("names", "numbers", "dates")  # the fields of `Facts` a pair is scored on
SMALL_NUMBERS = frozenset(str(n) for n in range(11))  # too common to tie two reports together
COMMONEST_ZIPF = 7.0  # wordfreq's scale: "the" is 7.7, a rare name about 2
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_YEAR = re.compile(r"\d{4}")
NO_PHRASES = np.zeros(0, dtype=np.uint64)


@cache
def rarity(word: str, language: str) -> float:
    """How rare a word is in the language, 0 for the commonest words, up to 7 for unknown ones."""
    from wordfreq import zipf_frequency

    return max(0.0, COMMONEST_ZIPF - zipf_frequency(word, language))


CONFLICT_DISCOUNT = 0.9  # share of the probability taken away when two leads count the same thing differently
SAME_EVENT_DAYS = 3.0  # not fitted: in AllSides every article of an event carries its roundup's date
APART = 1.25  # counts closer than this ratio may be one event's disagreement or update (36 and 37; 10 then 12)


@dataclass(frozen=True)
class SameEventModel:
    """A logistic model over `FEATURES`, with the threshold chosen by cross-validation.

    One rule stands beside the model, from the product's own definition of an event: two leads that
    count the same thing far apart ("26 cartel figures", "37 cartel members") report two occurrences
    of one kind of event, however much else they share, so the probability is cut by
    `CONFLICT_DISCOUNT`. Labelled data cannot fit it: in ECB+ such leads are rare (under 5 % of pairs
    either way); its cost there is measured (docs/quality.md).
    """

    weights: np.ndarray
    intercept: float
    threshold: float

    @classmethod
    def load(cls, path: Path | None = None) -> SameEventModel:
        source = path or resources.files("service").joinpath("data/same_event.json")
        data = json.loads(source.read_text(encoding="utf-8"))
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"{source}: calibrated for features {data['features']}, the code computes {FEATURES}")
        return cls(np.array(data["weights"], dtype=np.float64), float(data["intercept"]), float(data["threshold"]))

    def probability(self, features: np.ndarray) -> np.ndarray:
        logistic = 1.0 / (1.0 + np.exp(-(features @ self.weights + self.intercept)))
        return logistic * (1.0 - CONFLICT_DISCOUNT * features[:, FEATURES.index("count_conflict")])


class Reports:
    """The request-level view the features need: term weights fitted on these articles, facts, sentences.

    Sentences made mostly of `common` phrases (shingles that many texts of the collection share:
    credit lines, sign-offs, station idents) are left out of every feature: furniture is not
    evidence that two reports tell one event."""

    def __init__(self, articles: list[Article], static: StaticEmbedder, common: np.ndarray = NO_PHRASES) -> None:
        self.articles = articles
        self.static = static
        self.common = common
        languages = [a.document.language or "en" for a in articles]
        self.language = max(set(languages), key=languages.count)

    @cached_property
    def furniture(self) -> list[frozenset[int]]:
        """Per article: the indexes (in `document.sentences`) of its sentences made of common phrases."""
        return [frozenset(k for k, shared in enumerate(shared_sentences([s.text for s in a.document.sentences],
                                                                          a.fingerprint, self.common)) if shared)
                for a in self.articles]

    def texts(self, k: int) -> list[str]:
        """The article's title and sentences, furniture left out."""
        left_out = self.furniture[k]
        article = self.articles[k]
        return [article.title, *(s.text for n, s in enumerate(article.document.sentences) if n not in left_out)]

    def lead(self, k: int) -> list[str]:
        """What the article leads with (`Article.lead`), furniture left out."""
        left_out = {self.articles[k].document.sentences[n].text for n in self.furniture[k]}
        article = self.articles[k]
        body = [s.text for s in article.body if s.text not in left_out][:LEAD_SENTENCES]
        return list(dict.fromkeys(t for t in (article.title, article.document.headline, *body) if t))

    @cached_property
    def body_vectors(self) -> list[np.ndarray]:
        """Per article: static vectors of its body sentences, furniture left out."""
        self.static.encode_bodies(self.articles)
        found = []
        for article, furniture in zip(self.articles, self.furniture):
            vectors = self.static.body_vectors(article)
            left_out = {article.document.sentences[n].text for n in furniture}
            found.append(vectors[[n for n, s in enumerate(article.body) if s.text not in left_out]]
                         if left_out else vectors)
        return found

    @cached_property
    def vectors(self) -> np.ndarray:
        """Per article: its document vector, encoded again from the lead without furniture where the lead had some
        (a one-line report's lead takes the footer after it along)."""
        vectors = np.stack([a.vector for a in self.articles])
        changed = [k for k, a in enumerate(self.articles) if self.lead(k) != a.lead(LEAD_SENTENCES)]
        if changed:
            vectors[changed] = self.static.encode([" ".join(self.lead(k)) for k in changed])
        return vectors

    @cached_property
    def facts(self) -> list[tuple[Facts, Facts]]:
        """Per article: the facts of its whole text and of its lead."""
        return [(facts_of(self.texts(k)), facts_of(self.lead(k))) for k in range(len(self.articles))]

    @cached_property
    def words(self) -> sparse.csr_matrix:
        """Unit rows of sublinear term frequency times rarity squared. No weight depends on the other
        articles scored with it, so a pair scores the same in any request or desk batch."""
        tokens = [[w for w in _WORD.findall(" ".join(self.texts(k)).lower()) if len(w) > 1]
                  for k in range(len(self.articles))]
        counter = CountVectorizer(analyzer=lambda words: words)
        counts = counter.fit_transform(tokens)
        weight = np.array([rarity(w, self.language) ** 2 for w in counter.get_feature_names_out()])
        return normalize(TfidfTransformer(sublinear_tf=True, use_idf=False, norm=None).fit_transform(counts)
                         @ sparse.diags(weight))

    @cached_property
    def fact_masses(self) -> list[sparse.csr_matrix]:
        """Per kind (names, numbers, dates): rows of how telling each fact an article states is."""
        rows = []
        for kind in FACT_KINDS:
            sets = [sorted(getattr(whole, kind)) or ["\0none"] for whole, _ in self.facts]
            counter = CountVectorizer(analyzer=lambda items: items, binary=True)
            present = counter.fit_transform(sets)
            weight = np.array([self._telling(x, kind) for x in counter.get_feature_names_out()])
            rows.append(sparse.csr_matrix(present @ sparse.diags(weight)))
        return rows

    def _telling(self, fact: str, kind: str) -> float:
        """A rare name, a count above ten, a year: facts that tie two reports to one event."""
        if fact == "\0none":
            return 0.0
        if kind == "names":
            return rarity(fact, self.language)
        if kind == "numbers":
            return 0.0 if fact in SMALL_NUMBERS else 1.0
        return 1.0 if _YEAR.fullmatch(fact) else 0.5 if fact in MONTHS else 0.25

    def features(self, firsts: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        """One row of `FEATURES` per pair `(firsts[k], seconds[k])` of article indexes."""
        if not len(firsts):
            return np.zeros((0, len(FEATURES)))
        columns = [_row_cosines(self.words, firsts, seconds)]
        columns += [_shared_facts(masses, firsts, seconds) for masses in self.fact_masses]
        columns += [_both_state(masses, firsts, seconds) for masses in self.fact_masses]
        pairs = list(zip(firsts.tolist(), seconds.tolist()))
        for kind in FACT_KINDS:
            columns.append(np.array([self._lead_coverage(i, j, kind) for i, j in pairs]))
        columns.append(np.array([self._year_conflict(i, j) for i, j in pairs]))
        columns.append(np.array([self._lead_number_conflict(i, j) for i, j in pairs]))
        columns.append(np.array([self._count_conflict(i, j) for i, j in pairs]))
        columns.append(np.array([self._closest_sentences(i, j) for i, j in pairs]))
        columns.append(np.sum(self.vectors[firsts] * self.vectors[seconds], axis=1))
        return np.column_stack(columns)

    @cached_property
    def _lead_weights(self) -> dict[str, list[tuple[dict[str, float], float]]]:
        """Per kind, per article: each fact its lead states (small numbers aside) with its weight (a name's rarity),
        and their sum; read once, since an article is in many pairs."""
        found: dict[str, list[tuple[dict[str, float], float]]] = {}
        for kind in FACT_KINDS:
            found[kind] = []
            for _, lead in self.facts:
                weights = {x: rarity(x, self.language) if kind == "names" else 1.0
                           for x in getattr(lead, kind) - SMALL_NUMBERS}
                found[kind].append((weights, sum(weights.values())))
        return found

    def _lead_coverage(self, i: int, j: int, kind: str) -> float:
        """The smaller share, either way, of one lead's facts found anywhere in the other; 0.5 when no lead has any."""
        shares = []
        for leading, other in ((i, j), (j, i)):
            weights, total = self._lead_weights[kind][leading]
            if weights:
                stated = getattr(self.facts[other][0], kind)
                shares.append(sum(w for x, w in weights.items() if x in stated) / total if total else 0.5)
        return min(shares) if shares else 0.5

    def _year_conflict(self, i: int, j: int) -> float:
        first, second = ({d for d in self.facts[k][0].dates if _YEAR.fullmatch(d)} for k in (i, j))
        return float(bool(first) and bool(second) and not first & second)

    def _lead_number_conflict(self, i: int, j: int) -> float:
        """Both leads state counts and none agree: "26 transferred" against "37 transferred"."""
        first, second = (self.facts[k][1].numbers - SMALL_NUMBERS for k in (i, j))
        return float(bool(first) and bool(second) and not first & second)

    @cached_property
    def lead_counts(self) -> list[frozenset[tuple[str, str]]]:
        return [frozenset().union(*(counts(text) for text in self.lead(k))) for k in range(len(self.articles))]

    def _count_conflict(self, i: int, j: int) -> float:
        """The two leads count the same thing far apart ("37 cartel members", "26 cartel figures"): for
        some counted word, no count of one is within `APART` of a count of the other."""
        first, second = self.lead_counts[i], self.lead_counts[j]
        for word in {w for _, w in first} & {w for _, w in second}:
            mine = [_value(n) for n, w in first if w == word]
            theirs = [_value(n) for n, w in second if w == word]
            if not any(max(a, b) <= APART * min(a, b) for a in mine for b in theirs):
                return 1.0
        return 0.0

    def _closest_sentences(self, i: int, j: int) -> float:
        """Mean cosine of the three closest sentence pairs across the two bodies."""
        x, y = (self.body_vectors[k][:ALIGNED_SENTENCES] for k in (i, j))
        if not len(x) or not len(y):
            return 0.0
        cosines = (x @ y.T).ravel()
        top = min(3, cosines.size)
        return float(np.partition(cosines, cosines.size - top)[-top:].mean())


def _value(count: str) -> float:
    return float(count.replace(",", "")) if count.replace(",", "").replace(".", "", 1).isdigit() else 0.0


def _row_cosines(matrix: sparse.csr_matrix, firsts: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    return np.asarray(matrix[firsts].multiply(matrix[seconds]).sum(axis=1)).ravel()


def _both_state(masses: sparse.csr_matrix, firsts: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """1 when both reports state telling facts of this kind: then sharing none of them is evidence against."""
    stated = np.asarray(masses.sum(axis=1)).ravel() > 0
    return (stated[firsts] & stated[seconds]).astype(float)


def _shared_facts(masses: sparse.csr_matrix, firsts: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """Weighted Jaccard of two fact sets with one unit of doubt added below: one shared weekday
    counts little, two shared rare names count a lot, whatever else the reports state."""
    shared = np.asarray(masses[firsts].minimum(masses[seconds]).sum(axis=1)).ravel()
    total = np.asarray(masses[firsts].maximum(masses[seconds]).sum(axis=1)).ravel()
    return shared / (total + 1.0)


def time_prior(first: Article, second: Article) -> float:
    """Reports published more than `SAME_EVENT_DAYS` apart are less likely one event: the score falls by e
    for every `SAME_EVENT_DAYS` beyond. Outlets report one event within a few days; a report a week
    later tells a new development (AllSides files those as events of their own)."""
    if first.published_at is None or second.published_at is None:
        return 1.0
    try:
        gap = abs((first.published_at - second.published_at).total_seconds()) / 86400
    except TypeError:  # one with a time zone and one without: compare the calendar days
        gap = abs((first.published_at.date() - second.published_at.date()).days)
    return 1.0 if gap <= SAME_EVENT_DAYS else math.exp(-(gap - SAME_EVENT_DAYS) / SAME_EVENT_DAYS)
