"""Stage 4, evidence: the salient, corroborated, non-redundant sentences of a story.

Candidates are the sentences of each duplicate group's representative, so a story syndicated a
thousand times costs what one copy costs, and each candidate document is one independent source.
A sentence is salient when it is close to the story's centroid, early in its article, said by
many sources, and worded as other sources word it (word pairs they write too). Each candidate keeps the sentences of other documents that say the same (close
embedding, shared words, no different numbers, and more than one coinciding fact where numbers
are stated): they become its citations. No two chosen sentences tell the same claim (a close
paraphrase, one that says nothing the other does not, two close sentences with the same figures and a name or date
in common, or one told in words close in meaning to the other's), and of a claim's tellings the fullest is kept (one
that says all another says, and more), and a light penalty for closeness
(maximal marginal relevance) spreads the rest. Spans are
carried, never recomputed.

A sentence reads like an editor's only if it stands alone: a headline echoed in the text, the
cut-off tail of a sentence a page split ("new infections are beginning to rise."), a sentence with no end (a feed's
excerpt or a line break cut it: "As The Post's Philip Rucker, Robert Costa and"), an article's last sentence
stopping inside a quotation it opens ('published a story titled “U.S.': the text was cut off), or a set-up that only
points at what follows it ("Here are figures Kirby provided, by branch:", "Here's what you need to know."), is never
evidence while anything else is. A question, an exclamation, the writer's own voice ("I", "we", words to the reader)
outside a quotation, or a quotation alone with nobody saying it, is briefed only after everything else: a brief reports what happened, it does not ask, chant or chat. A sentence
that points outside itself ("He said they…") keeps the sentences before it in its article, so that a writer
can make it stand alone or leave it out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..read.words import content_words, same_words, word_set
from ..runtime.embed import StaticEmbedder
from ..types import Citation, Evidence, Sentence, Story
from ..values.facts import extract_facts

SUPPORT_COSINE = 0.7
REDUNDANT_COSINE = 0.8
SAME_CLAIM_CONTAINED = 0.6  # share of the shorter sentence's content words in the other: it tells no more
SAME_CLAIM_CLOSE = (0.7, 0.45)  # or a cosine this close with this share contained
SAME_CLAIM_COSINE = 0.6  # two sentences this close may tell one claim with other words or the same figures
CLOSE_WORDS = 0.6  # how close in meaning one's words come to the other's, on average (`WordVectors.covered`)
FULLER_OWN_WORDS = 0.45  # share of a sentence's own words that a fuller telling in close words keeps
MMR_LAMBDA = 0.9  # a light penalty for closeness: repeats are ruled out claim by claim (`same_claim`)
CENTRALITY_WEIGHT, POSITION_WEIGHT, CORROBORATION_WEIGHT = 0.5, 0.2, 0.3
WORDING_WEIGHT = 1.0  # the share of a sentence's word pairs that other documents write too
MIN_WORDS, MAX_WORDS = 6, 70
MIN_SHARED_WORDS = 3
MIN_COINCIDING_FACTS = 2
CONTEXT_SENTENCES = 3  # sentences before a candidate kept to resolve what it points at
_WORD = re.compile(r"\w+")
_TAIL = re.compile(r"[\s\"“‘'(\[]*[a-z][a-z]*\b(?![A-Z])")  # opens in lower case: the tail of a split sentence
_TIMES = "day|week|month|year|time|morning|afternoon|night|evening|weekend|season|spring|summer|fall|autumn|winter|" \
    "january|february|march|april|may|june|july|august|september|october|november|december|monday|tuesday|" \
    "wednesday|thursday|friday|saturday|sunday|century|decade|quarter|term|session"
# nouns that name an event or a statement told earlier: "The move is…", "The remarks are…" (the eval reads them too)
EARLIER_EVENT_NOUNS = frozenset("move decision announcement update comment remark statement measure step shift "
                                "development incident news claim allegation finding action".split())
_GOES_ON = "is|was|are|were|has|had|have|will|would|could|can|may|might|should|must|did|does|do|comes?|came|now|" \
    "also|follows?|followed|marks?|marked|means?|meant|drew|draws|sparked|prompted|represents?|reflects?|raised?|" \
    "raises|appears?|seems?|went|goes"  # what the sentence says of it next: the noun has nothing that defines it
# words that open a sentence by going on from the one before it: "But Page told…", "Then along came Trump.",
# "However, he has…"; not "Then-President Obama", "Still photographs…" nor "Instead of hanging stockings…" (the eval
# reads them too). The first go on as words, the others with their comma.
_GOING_ON = ("but", "and", "then", "yet", "also", "nonetheless", "nevertheless")
_GOING_ON_WITH_A_COMMA = ("however", "instead", "meanwhile", "moreover", "furthermore", "still", "besides", "likewise",
                          "similarly", "consequently", "therefore", "thus")
CONNECTIVES = frozenset(_GOING_ON + _GOING_ON_WITH_A_COMMA)
_CONNECTIVES = rf"(?:{'|'.join(_GOING_ON)})(?![\w'’-])|(?:{'|'.join(_GOING_ON_WITH_A_COMMA)})\s*,|still\s+(?:the|a|an|" \
    r"he|she|they|it|we|there|this|that|these|those|many|some|most)\b"  # "Still the pace…", not "Still photographs…"
_POINTS_OUTSIDE = re.compile(
    r"[\s\"“‘'(]*(?:(?:he|she|they|it|his|her|its|their|him|them)\b|(?:this|that)['’]s\b|" + _CONNECTIVES +
    r"|(?:this|these|those|that)\s+(?!who\b|(?:past\s+|coming\s+|last\s+|next\s+|early\s+|late\s+)?(?:" + _TIMES
    + r")s?\b)\w"  # "This move underscores…", "These were…"; not "This week", "Those who…"
    r"|the\s+(?:" + "|".join(sorted(EARLIER_EVENT_NOUNS))  # "The move is…", "The measures, …"; not "The move by…"
    + r")s?(?:\s*,|\s+(?:" + _GOES_ON + r")\b))"
    r"|.*[\"”’']\s*,?\s*(?:he|she|they)\s+(?:said|says|added|told|wrote|explained|noted|argued|asked)\b", re.IGNORECASE)
_FINISHED = re.compile(r"[.!?…][\"”’')\]]*\s*$")
# the text stops on a word, a number, a comma or a dash, as a feed's excerpt cuts it ("…Robert Costa and"); not on a
# colon, a citation mark ("[3]"), an emoji or another script's full stop ("。")
_STOPS_MID_PHRASE = re.compile(r"[\w,–—-][\"”’'″)»“]*\s*$")
_SETS_UP = re.compile(r"\s*(?:here(?:'s|’s| is| are)|below (?:is|are))\b", re.IGNORECASE)  # not in a quotation
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")
_QUOTE_MARKS = re.compile(r"[“”″\"]")  # opening, closing (pages close with ″ too: `quotation_left_open`), straight
_ELLIPSIS_END = re.compile(r"(?:\.\s?\.\s?\.|…)[\"”’')\]]*\s*$")
_OPENING_STRAIGHT = re.compile(r"(?:^|\s)\"\w[^\"]*$")  # the last straight quote opens a quotation
_OWN_VOICE = re.compile(r"\b(?:(?<!War )I(?=\s+[a-z])|I[’'](?:m|ve|d|ll)|[Mm]e|[Mm]y|[Ww]e(?:[’'](?:re|ve|d|ll))?|us|"
                        r"[Oo]urs?|[Yy]ou(?:[’'](?:re|ve|d|ll))?|[Yy]ours?)\b")  # "US" is a country, "War I" a war
_EXPLETIVE_IT = re.compile(r"[\s\"“‘'(]*it(?:'s|’s| is| was| has been| remains| seems| appears)(?: not)?(?: yet)?"
                           r"(?: immediately)? (?:\w+ ){0,2}(?:that|whether|if|to|how|why|what|when|who|unclear|clear|"
                           r"known|possible|likely)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Candidate:
    sentence: Sentence  # from a duplicate group's representative: `sentence.doc` stands for the group
    position: float
    briefable: bool = True  # False for a headline echoed in the text, a sentence's tail, a fragment, a set-up
    last_resort: bool = False  # a question, the writer's own voice, a quotation nobody is said to say (`last_resort`)
    before: tuple[Sentence, ...] = ()  # the sentences before it in its article, nearest last


def points_outside(text: str) -> bool:
    """Whether the sentence opens on a reference to something before it ("He said…", "It was…", "This
    comes…"), quotes someone only as "he said", or is the end of a quotation opened in an earlier
    sentence ('I spent a lot of time in this state," adding…'): read alone, it does not say who or what."""
    return (_POINTS_OUTSIDE.match(text) is not None and _EXPLETIVE_IT.match(text) is None) or _ends_a_quote(text)


def _ends_a_quote(text: str) -> bool:
    closing, opening = text.find("”"), text.find("“")
    return (closing >= 0 and (opening < 0 or closing < opening)) or text.count('"') % 2 == 1


def last_resort(text: str) -> bool:
    """Whether the sentence asks a question, exclaims, speaks in the writer's own voice ("I", "we", "you") outside
    a quotation, is a quotation that says nobody said it (or opens one that only a later sentence attributes), or
    stops without a sentence's end (a lead-in's colon; one cut off mid-phrase is not briefed at all while anything
    else is, `candidates`): a columnist's aside, a slogan or a fragment, not a report of what happened."""
    if text.rstrip(" \"”’')").endswith(("?", "!")) or not _FINISHED.search(text):
        return True
    stripped = text.strip()
    if _QUOTED.fullmatch(stripped) or _QUOTED.fullmatch(stripped.removesuffix(".")):
        return True
    if stripped.startswith(("“", '"')) and quotation_left_open(stripped):
        return True  # the first sentence of a quotation whose speaker a later sentence names: "“Mexico is first…"
    unquoted = _QUOTED.sub(" ", text)
    unquoted = unquoted[:min((i for i in (unquoted.find("“"), unquoted.find('"')) if i >= 0), default=len(unquoted))]
    return _OWN_VOICE.search(unquoted) is not None  # a quotation left open runs to the sentence's end


def quotation_left_open(text: str) -> bool:
    """Whether the sentence opens a quotation it does not close. Inside an article the next sentence may go on with
    it; in an article's last sentence it means the text was cut off there."""
    closing = max(text.rfind("”"), text.rfind("″"), text.rfind('"'))  # pages close one with these too: “Tex″
    return text.rfind("“") > closing or (text.count('"') % 2 == 1 and "“" not in text
                                     and _OPENING_STRAIGHT.search(text) is not None)


def ends_cut_off(text: str) -> bool:
    """Whether an article's last sentence shows that the text was cut off there: it opens a quotation or a parenthesis
    it never closes ("led by Jamie B. Raskin (D-Md."), or it stops on an ellipsis, as a feed's or a crawl's excerpt
    does ("told the country he was...")."""
    return quotation_left_open(text) or text.count("(") > text.count(")") or _ELLIPSIS_END.search(text) is not None


def echoes_title(text: str, titles: set[frozenset[str]]) -> bool:
    """Whether the sentence is one of the titles (nearly all its words, and nearly all of theirs)."""
    words = word_set(text)
    return any(same_words(words, title) for title in titles)


def titles(story: Story) -> list[str]:
    """The distinct titles of the story's articles: what its outlets lead with."""
    return list(dict.fromkeys(t for a in story.articles for t in (a.title, a.document.headline) if t))


def candidates(story: Story, per_document: int) -> list[Candidate]:
    """The body sentences of each duplicate group's representative (the first `per_document`), with their
    position in the article; a headline echoed in the text, the tail of a split sentence, a sentence with no end
    or an article's end cut off (`ends_cut_off`), a sentence inside a quotation an earlier one opened and a set-up
    ("Here are figures Kirby provided, by branch:": what it introduces follows it, outside the brief) are kept for
    comparing sources but never briefed, a question or the writer's own voice only as a last resort."""
    words = {word_set(title) for title in titles(story)}
    out = []
    for group in story.groups:
        document = group.representative.document
        body = document.body
        quoted = inside_quotations(body[:per_document], document.text)
        for n, sentence in enumerate(body[:per_document]):
            cut_off = _STOPS_MID_PHRASE.search(sentence.text) is not None or (
                n == len(body) - 1 and ends_cut_off(sentence.text))
            briefable = not echoes_title(sentence.text, words) and _TAIL.match(sentence.text) is None and not cut_off \
                and not quoted[n] and not _SETS_UP.match(sentence.text)
            out.append(Candidate(sentence, n / max(len(body), 1), briefable, last_resort(sentence.text),
                                 body[max(n - CONTEXT_SENTENCES, 0):n]))
    return out


def inside_quotations(sentences: Sequence[Sentence], text: str) -> list[bool]:
    """For each sentence of an article, in order, whether it opens inside a quotation that a sentence before it in
    its paragraph opened and left open: "“The video tape doesn’t lie. | Fulton County Democrats stole the election. |
    It’s now beyond doubt.”" Briefed, the middle one would state someone's claim in the brief's own voice, with no
    quote mark to show it. A paragraph break (a line break, or markup, between two sentences of `text`) ends an
    unclosed quotation: one stray quote mark loses no more than its paragraph."""
    inside, quoting, previous_end = [], False, None
    for sentence in sentences:
        gap = text[previous_end:sentence.start] if previous_end is not None else ""
        quoting = quoting and "\n" not in gap and "<" not in gap
        inside.append(quoting)
        for mark in _QUOTE_MARKS.findall(sentence.text):
            quoting = mark == "“" or (mark == '"' and not quoting)
        previous_end = sentence.end
    return inside


@lru_cache(maxsize=65536)
def _content_words(text: str) -> frozenset[str]:
    """Words of four letters or more (`read.words`), once per text: ranking compares each with many."""
    return frozenset(content_words(text, numbers=False))


class WordVectors:
    """The static model's vectors of sentences' content words, each word encoded once.

    A paraphrase tells a claim in other words: "is adding his name to the list of presidential hopefuls" shares two
    words with "joined the growing field of Democratic candidates", but most of its words have a close one there.
    The words of `texts` (a story's candidates) are encoded in one call; a sentence written later (by the model)
    adds its own when first compared.
    """

    def __init__(self, static: StaticEmbedder, texts: Iterable[str] = ()) -> None:
        self._static = static
        self._vectors: dict[str, np.ndarray] = {}
        self._covered: dict[tuple[str, str], float] = {}  # both orders of a pair from one product: each is asked
        self._add({w for text in texts for w in _content_words(text)})

    def _add(self, words: Iterable[str]) -> None:
        new = [w for w in words if w not in self._vectors]
        if new:
            self._vectors.update(zip(new, self._static.encode(new)))

    def _vectors_of(self, words: frozenset[str]) -> np.ndarray:
        self._add(words)
        return np.array([self._vectors[w] for w in words])

    def covered(self, a: str, b: str) -> float:
        """The mean, over `a`'s content words, of the cosine of the closest of `b`'s (1 for a word `b` has)."""
        if (a, b) not in self._covered:
            mine, theirs = _content_words(a), _content_words(b)
            closeness = self._vectors_of(mine) @ self._vectors_of(theirs).T if mine and theirs else None
            self._covered[a, b] = 0.0 if closeness is None else float(closeness.max(axis=1).mean())
            self._covered[b, a] = 0.0 if closeness is None else float(closeness.max(axis=0).mean())
        return self._covered[a, b]


def same_claim(a: str, b: str, cosine: float, word_vectors: WordVectors) -> bool:
    """Whether two sentences tell one claim, so one brief needs only one of them: a close paraphrase, most of
    what the shorter says (its content words and every number) in the other, two close sentences stating the same
    figures (or one precise figure) with a name or date in common, or one whose every number the other states and
    whose words the other's come close to in meaning (`WordVectors.covered`)."""
    if cosine >= REDUNDANT_COSINE:
        return True
    facts = {text: extract_facts(text) for text in (a, b)}
    numbers = {text: facts[text].numbers for text in (a, b)}
    # the one that says less is looked for in the other, in either order: fewer words, then fewer numbers
    short, long = sorted((a, b), key=lambda text: (len(_content_words(text)), len(numbers[text])))
    short_words = _content_words(short)
    if short_words and numbers[short] <= numbers[long]:
        contained = len(short_words & _content_words(long)) / len(short_words)
        if contained >= SAME_CLAIM_CONTAINED or (cosine >= SAME_CLAIM_CLOSE[0] and contained >= SAME_CLAIM_CLOSE[1]):
            return True
    if cosine < SAME_CLAIM_COSINE:
        return False
    # "Mexico has extradited 37 cartel members", "Mexican authorities have transferred 37 inmates"; "claims fell to
    # 473,000 for the week", "claims fell to 473,000 last week from a revised 507,000"
    same_figures = numbers[a] and numbers[a] == numbers[b] or any(map(_distinctive, numbers[a] & numbers[b]))
    if same_figures and (facts[a].names & facts[b].names or facts[a].dates & facts[b].dates):
        return True
    return any(numbers[x] <= numbers[y] and word_vectors.covered(x, y) >= CLOSE_WORDS for x, y in ((a, b), (b, a)))


def _distinctive(number: str) -> bool:
    """Whether a figure is precise enough that two close sentences stating it tell one claim: three significant
    digits (473,000; 12.75 %), not a round, small or short one (100; 37; 6.1 %, which a forecast and a result share)."""
    digits = number.rstrip("%").replace(".", "", 1)
    return digits.isdigit() and len(digits.strip("0")) >= 3


def _says_the_same(a: Sentence, b: Sentence) -> bool:
    """Close embeddings are not enough: the two must share content words, one of them more than a name (what
    happened, not only who and where), and state no different numbers,
    and where they state numbers, more than one fact (number, name, date) must coincide: one shared
    number alone ("item 39 ... town 5" and "item 5 ... town 5") is not corroboration."""
    if len(_content_words(a.text) & _content_words(b.text)) < MIN_SHARED_WORDS:
        return False
    x, y = extract_facts(a.text), extract_facts(b.text)
    if not (_content_words(a.text) - x.names) & (_content_words(b.text) - y.names):
        return False  # only the names in common: "Lohan admitted herself to the Betty Ford Center", "Lohan has left it"
    if not x.numbers and not y.numbers:
        return True
    if x.numbers and y.numbers and not (x.numbers <= y.numbers or y.numbers <= x.numbers):
        return False
    coinciding = len(x.numbers & y.numbers) + len(x.names & y.names) + len(x.dates & y.dates)
    return coinciding >= MIN_COINCIDING_FACTS


def _support(candidates: list[Candidate], similarity: np.ndarray, i: int) -> list[int]:
    """Best matching sentence of every other document, when it says the same thing."""
    best: dict[int, int] = {}
    for j in np.flatnonzero(similarity[i] >= SUPPORT_COSINE):
        doc = candidates[j].sentence.doc
        if doc == candidates[i].sentence.doc or not _says_the_same(candidates[i].sentence, candidates[j].sentence):
            continue
        if doc not in best or similarity[i, j] > similarity[i, best[doc]]:
            best[doc] = int(j)
    return sorted(best.values(), key=lambda j: candidates[j].sentence.doc)


def rank_evidence(candidates: list[Candidate], vectors: np.ndarray, budget_words: int,
                  word_vectors: WordVectors) -> list[Evidence]:
    """Evidence in order of selection (most useful first), up to about `budget_words` words."""
    if not candidates:
        return []
    centroid = vectors.sum(axis=0)
    centroid /= np.linalg.norm(centroid) or 1.0
    similarity = vectors @ vectors.T
    supports = [_support(candidates, similarity, i) for i in range(len(candidates))]
    sources = np.array([1 + len(support) for support in supports])  # one best sentence per other document
    spread = max(len({c.sentence.doc for c in candidates}) - 1, 1)
    score = (CENTRALITY_WEIGHT * (vectors @ centroid)
             + POSITION_WEIGHT * np.array([1.0 - c.position for c in candidates])
             + CORROBORATION_WEIGHT * (sources - 1) / spread
             + WORDING_WEIGHT * _shared_wording(candidates))
    usable = np.array([c.briefable and MIN_WORDS <= c.sentence.words <= MAX_WORDS for c in candidates])
    if not usable.any():  # a story of only short lines still gets a brief
        usable = np.array([c.briefable for c in candidates]) if any(c.briefable for c in candidates) \
            else np.ones(len(candidates), bool)
    preferred = usable & ~np.array([c.last_resort for c in candidates])
    chosen: list[int] = []
    stands_for: dict[int, int] = {}  # a fuller telling chosen: the telling the ranking picked
    words = 0
    told = np.zeros(len(candidates), bool)  # tells a claim already chosen
    while words < budget_words:
        redundancy = similarity[:, chosen].max(axis=1) if chosen else np.zeros(len(candidates))
        mmr = MMR_LAMBDA * score - (1 - MMR_LAMBDA) * redundancy
        mmr[~usable | told] = -np.inf
        mmr[chosen] = -np.inf
        if np.isfinite(mmr[preferred]).any():  # questions and asides only when nothing else is left
            mmr[~preferred] = -np.inf
        best = int(np.argmax(mmr))
        if not np.isfinite(mmr[best]):
            break
        fullest = _fullest_telling(candidates, similarity, best, np.isfinite(mmr), sources, word_vectors)
        stands_for[fullest] = best
        best = fullest
        chosen.append(best)
        words += candidates[best].sentence.words
        told |= [usable[j] and not told[j] and same_claim(candidates[j].sentence.text, candidates[best].sentence.text,
                                                         float(similarity[j, best]), word_vectors)
                 for j in range(len(candidates))]
    # a fuller telling has the rank and the place of the telling it stands for: an article's closing recap of its
    # lede ("The coordinated expulsion of twenty-six … is a landmark event") tells the main event, which comes first
    return [_evidence(candidates, i, supports[i], int(sources[i]), float(max(score[i], score[stands_for[i]])),
                      min(candidates[i].position, candidates[stands_for[i]].position)) for i in chosen]


def _fullest_telling(candidates: list[Candidate], similarity: np.ndarray, best: int, open_: np.ndarray,
                     sources: np.ndarray, word_vectors: WordVectors) -> int:
    """Of the sentences that tell the claim of `best`, the one that says the most: it says all that `best` says and
    more, as a fuller report of one event does ("…who was convicted in 2007 of obstruction of justice" beside
    "…intended to pardon Libby"). It states `best`'s numbers and most of its content words; or, where it has as many
    sources, nearly half of them and words close in meaning to the rest ("Chief Justice John Roberts joined the Supreme
    Court's liberal wing … in temporarily blocking a Louisiana law" beside "The Supreme Court has agreed to temporarily
    block a Louisiana abortion law"): a longer but less corroborated sentence must not push out the lede most sources
    tell. An editor keeps the fullest telling; `best` itself when none says more, or when the fuller one does not
    stand alone and `best` does."""
    text = candidates[best].sentence.text
    mine = _content_words(text)
    numbers = extract_facts(text).numbers
    alone = not points_outside(text)

    def says_all_of_best(j: np.integer) -> bool:
        other = candidates[j].sentence.text
        shared = len(mine & _content_words(other))
        return numbers <= extract_facts(other).numbers and (shared >= SAME_CLAIM_CONTAINED * len(mine) or (
            sources[j] >= sources[best] and shared >= FULLER_OWN_WORDS * len(mine)
            and word_vectors.covered(text, other) >= CLOSE_WORDS))

    fuller = [j for j in np.flatnonzero(open_) if len(_content_words(candidates[j].sentence.text)) > len(mine)
              and same_claim(candidates[j].sentence.text, text, float(similarity[j, best]), word_vectors)
              and says_all_of_best(j)
              and not (alone and points_outside(candidates[j].sentence.text))]
    return int(max(fuller, key=lambda j: len(_content_words(candidates[j].sentence.text)))) if fuller else best


def _bigrams(text: str) -> set[tuple[str, str]]:
    words = [w.lower() for w in _WORD.findall(text)]
    return set(zip(words, words[1:]))


def _shared_wording(candidates: list[Candidate]) -> np.ndarray:
    """Per sentence, the share of its word pairs that each other document also writes (averaged over them):
    corroboration of its wording, which a paraphrase of the whole does not need."""
    by_doc: dict[int, set[tuple[str, str]]] = {}
    pairs = [_bigrams(c.sentence.text) for c in candidates]
    for c, p in zip(candidates, pairs):
        by_doc.setdefault(c.sentence.doc, set()).update(p)
    others = max(len(by_doc) - 1, 1)
    return np.array([sum(len(p & words) for doc, words in by_doc.items() if doc != c.sentence.doc)
                     / (max(len(p), 1) * others) for c, p in zip(candidates, pairs)])


def _evidence(candidates: list[Candidate], i: int, support: list[int], sources: int, score: float,
              position: float) -> Evidence:
    sentence = candidates[i].sentence
    backing = tuple(candidates[j].sentence for j in support)
    citations = tuple(Citation(s.doc, s.start, s.end) for s in (sentence, *backing))
    return Evidence(sentence, backing, sources, round(score, 4), citations, position, candidates[i].before)

