"""Stage 4b, disagreements: what the sources of a story agree on, and where they disagree.

Every typed value of the story's sentences (counts, dates, ages, money, percentages) is placed in
a slot with the values of other documents that fill the same slot (`slots.same_slot`). A slot all
sources fill with one value is a fact; a slot filled with values that cannot both be true is a
disagreement, or an update when publication dates order the values in time. Sources are
duplicate groups, never copies: ten copies of a wire story count once. A copy that changed a
value is still a document that says something else than its representative, so the sentences a
copy does not share with its representative (`variants`) are compared too, as that document's.
A document that itself gives two values for a slot shows that the slot mixes two quantities, so
that slot is not reported as a disagreement. Values are compared only with those of their nearest sentences
that may fill the same slot (`candidate_pairs`), so the stage grows linearly with the story, not with its
pairs of values. Briefs must not state one side of a disagreement as settled:
`Claims.one_sided` says why a sentence does, and `Claims.settled` keeps evidence that does not. A story whose every
sentence states a side is briefed on its best sentence's side (`Claims.for_brief`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Literal

import numpy as np
from scipy.cluster.hierarchy import DisjointSet

from ..group.neighbors import similar_pairs
from ..types import Citation, DuplicateGroup, Evidence, Sentence
from ..values.quantities import Value, values_in
from ..values.readings import Reading, other_thing, read
from ..values.slots import (
    SAME_CLAIM_COSINE,
    SENTENCE_WINDOWS,
    STATIC_WINDOWS,
    Context,
    agree,
    comparable,
    comparable_dates,
    compatible,
    context,
    counted,
    person,
    same_slot,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc

Parse = Callable[[list[str]], list["Doc"]]  # `runtime.nlp.Parser.parse`: one dependency parse per sentence
MAX_FACTS = 12
WINDOW_WORDS = 6  # words on each side of a value whose embedding says what the value counts
MAX_RATIO = 3.0  # two reports of one quantity rarely differ threefold; 20 points in a game and 2,282 in a career do
_KINDS = {"count": "number", "money": "amount", "percent": "percentage", "ordinal": "rank", "age": "age", "date": "date"}
_NOUNS = {"count": "number of", "money": "amount of", "ordinal": "which"}  # before what the value counts
RETOLD_COSINE = 0.9  # sentences this close retell one claim (names and small words apart)
AGES_APART = 3  # two ages of one person this close may be one age told at two times ("27" at the shooting, "29" at the verdict)
# Verbs and nouns of a quantity that moves with time: reports dated apart that give it two values update it
_MOVING_EVENTS = frozenset("rise climb increase grow reach jump swell mount top surpass exceed soar pass hit "
                           "fall drop decline".split())
_MOVING_COUNTS = frozenset("toll total tally number count death casualty".split())
_ROUNDING = 1e-5  # faiss and numpy sum a cosine in different orders: the index never cuts what the exact test keeps


@dataclass(frozen=True, slots=True)
class WindowEncoders:
    """What embeds the words around values (`Mention.window`).

    Two values that differ may become a flag a reader sees, so the sentence model reads the words around them
    (`exact`), and around the other values of those two sentences, whose matches part a difference from a second
    one. Values of two sentences that differ on none join facts, and the sides of a flag found elsewhere, so the
    static vectors distilled from the sentence model read theirs (`quick`, on `slots.STATIC_WINDOWS`' scale): the
    seeds' windows in about a millisecond, where the sentence model took three quarters of the stage. On the real
    stories the flags and each flag's sources stayed the same; facts cite fewer sources in a tenth of the stories
    (docs/quality.md, issue 26).
    """

    exact: Callable[[list[str]], np.ndarray]
    quick: Callable[[list[str]], np.ndarray]


@dataclass(frozen=True, slots=True)
class Mention:
    value: Value
    context: Context
    sentence: Sentence
    row: int  # row of the sentence's vector
    group: int  # the independent source: the duplicate group's representative
    day: date | None = None  # the publication day of its document, when known: the rates its amounts convert at

    @property
    def written(self) -> str:
        return self.sentence.text[self.value.start:self.value.end]

    @property
    def window(self) -> str:
        """The words around the value, the value masked: what two mentions of one slot share."""
        text = self.sentence.text
        return " ".join([*text[:self.value.start].split()[-WINDOW_WORDS:], "#", *text[self.value.end:].split()[:WINDOW_WORDS]])


@dataclass(frozen=True, slots=True)
class Stated:
    """One value of a slot and everything that states it."""

    value: str
    written: str  # as the first source writes it
    mentions: tuple[Mention, ...]
    published: datetime | None = None  # the earliest publication among its sources, when known

    @property
    def groups(self) -> frozenset[int]:
        return frozenset(m.group for m in self.mentions)


@dataclass(frozen=True, slots=True)
class Slot:
    """What one slot holds: one value (a fact) or several (a disagreement or an update)."""

    kind: str
    label: str
    values: tuple[Stated, ...]
    status: Literal["agreed", "conflict", "update"] = "agreed"


@dataclass(frozen=True)
class Claims:
    facts: tuple[Slot, ...] = ()
    disagreements: tuple[Slot, ...] = ()
    taken: tuple[Stated, ...] = ()  # sides the brief tells (`for_brief`): stating them is not one-sided

    def one_sided(self, text: str) -> str | None:
        """Why `text` states one side of a disagreement as settled, or None when it does not."""
        return self._one_sided(self._sides(text))

    def _one_sided(self, found: list[tuple[Slot, list[Stated]]]) -> str | None:
        """`one_sided` of a text whose sides `_sides` found."""
        for slot, sides in found:
            if len(sides) == len(slot.values) or all(side in self.taken for side in sides):
                continue
            if slot.status == "update":
                if sides[-1] is not slot.values[-1]:
                    return (f"states {slot.label} as {sides[0].written}, updated to {slot.values[-1].written} "
                            "by later reports")
                continue
            others = ", ".join(s.written for s in slot.values if s not in sides)
            return f"states {slot.label} as {sides[0].written} where other sources give {others}"
        return None

    def for_brief(self, evidence: Sequence[Evidence]) -> tuple[list[Evidence], Claims]:
        """The evidence a brief may tell (`settled`), and the claims verify holds its sentences to. When every
        sentence states a side, the brief tells its best sentence's side and holds the others back, beside the
        disagreement that shows them all, rather than be empty."""
        settled = self.settled(evidence)
        if settled or not evidence:
            return settled, self
        best = evidence[0].sentence.text
        sided = replace(self, taken=tuple(side for _, sides in self._sides(best) for side in sides))
        return sided.settled(evidence), sided

    def _sides(self, text: str) -> list[tuple[Slot, list[Stated]]]:
        """Each disagreement `text` states a value of, with the sides it states."""
        stated = _stated(text)
        found = [(slot, [s for s in slot.values if any(_states(v, ctx, text, s) for v, ctx in stated)])
                 for slot in self.disagreements]
        return [(slot, sides) for slot, sides in found if sides]

    def settled(self, evidence: Sequence[Evidence]) -> list[Evidence]:
        """The evidence without sentences that state one side of a disagreement."""
        if not self.disagreements:
            return list(evidence)
        kept = []
        for item in evidence:
            found = self._sides(item.sentence.text)
            if self._one_sided(found) is not None:
                continue
            told = [m for slot, sides in found if len(sides) < len(slot.values)
                    for side in sides for m in side.mentions]
            keep = [0] + [k for k, s in enumerate(item.support, start=1)
                          if self.one_sided(s.text) is None and not _tells_otherwise(told, s.text)]
            if len(keep) == 1 + len(item.support):
                kept.append(item)
                continue
            sentences = [(item.sentence, *item.support)[k] for k in keep]
            kept.append(replace(item, support=tuple(sentences[1:]), sources=len({item.group_of(k) for k in keep}),
                                citations=tuple(Citation(s.doc, s.start, s.end) for s in sentences)))
        return kept



def _stated(text: str) -> list[tuple[Value, Context]]:
    """Each value `text` states, with the words around it."""
    values = values_in(text)
    return [(value, context(value, text, values)) for value in values]


def _tells_otherwise(told: list[Mention], text: str) -> bool:
    """Whether `text` gives another value than the `told` side (the mentions of the sides a brief sentence tells, in
    slots it does not tell every side of), and not that side's value as well: a report of a ruling "early Wednesday"
    is no support for a brief sentence that tells it "late Tuesday", one that says "late Tuesday, after a hearing on
    Monday" is."""
    if not told:
        return False
    fitting = [(value, ctx, m) for value, ctx in _stated(text) for m in told
               if comparable(value, ctx, m.value, m.context, 1.0)]
    agreeing = [agree(value, ctx, m.value, m.context, m.day) for value, ctx, m in fitting]
    return bool(agreeing) and not any(agreeing)


def _states(value: Value, ctx: Context, text: str, side: Stated) -> bool:
    """Whether `value`, as `text` states it (`ctx` around it), is this side's value in this slot."""
    return any((m.sentence.text == text and m.value.start == value.start) or (
        value.kind == m.value.kind and agree(value, ctx, m.value, m.context, m.day)
        and comparable(value, ctx, m.value, m.context, 1.0)  # a window neither close nor far: the word rules decide
        and same_slot(value, ctx, m.value, m.context, 1.0,  # a line of statistics: the same unit is enough here
                      SENTENCE_WINDOWS.same if ctx.crowded or m.context.crowded else SENTENCE_WINDOWS.other))
        for m in side.mentions)


def variants(groups: Sequence[DuplicateGroup], per_document: int) -> tuple[list[Sentence], dict[int, int]]:
    """The sentences of copies that their representative does not have, and each such copy's group.

    Only these can state a value differently from the representative, so a thousand identical copies
    cost a thousand string comparisons and add nothing to compare.
    """
    found: list[Sentence] = []
    group_of: dict[int, int] = {}
    for group in groups:
        representative = group.representative
        known = {s.text for s in representative.body[:per_document]}
        for member in group.members:
            if member is representative or member.document.text == representative.document.text:
                continue
            differing = [s for s in member.body[:per_document] if s.text not in known]
            found += differing
            if differing:
                group_of[member.index] = representative.index
    return found, group_of


def _mentions(sentences: Sequence[Sentence], published: dict[int, datetime],
              group_of: dict[int, int]) -> tuple[list[Mention], dict[int, set[tuple[str, str]]]]:
    """Every comparable value of the sentences, and every value (kind, value) each document states anywhere."""
    found = []
    stated: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for row, sentence in enumerate(sentences):
        day = published.get(sentence.doc)
        values = values_in(sentence.text, day.date() if day else None)
        stated[sentence.doc].update((v.kind, v.value) for v in values)
        for value in values:
            ctx = context(value, sentence.text, values)
            if not ctx.excluded:
                found.append(Mention(value, ctx, sentence, row, group_of.get(sentence.doc, sentence.doc),
                                     day.date() if day else None))
    return found, stated


def compare_claims(sentences: Sequence[Sentence], vectors: np.ndarray, windows: WindowEncoders, parse: Parse,
                   published: dict[int, datetime] | None = None, group_of: dict[int, int] | None = None) -> Claims:
    """Facts and disagreements of one story from its sentences and their vectors.

    `windows` embeds the words around values (`Mention.window`); `parse` parses the sentences whose values may
    conflict (only those: a parse costs more than the rest of the stage).
    `published` maps a document index to its publication time, when the request gave one; `group_of` maps a
    copy that differs from its representative to the representative (every other document is its own group).
    """
    published = published or {}
    mentions, stated = _mentions(sentences, published, group_of or {})
    agreeing, conflicting, readings = _links(mentions, vectors, windows, parse)
    by_sentence: dict[Sentence, list[Mention]] = defaultdict(list)
    for mention in mentions:
        by_sentence[mention.sentence].append(mention)
    sides = _components(len(mentions), agreeing)
    side_of = {i: n for n, members in enumerate(sides) for i in members}
    facts = [slot for members in sides
             if len((slot := _slot([mentions[i] for i in members], published, readings)).values) == 1
             and len(slot.values[0].groups) > 1 and not mentions[members[0]].context.crowded]  # no box scores
    disputes = [(side_of[i], side_of[j]) for i, j in conflicting if _disputed(mentions[i], mentions[j], stated)]
    disagreements = []
    for joined in _components(len(sides), disputes):
        slot = _slot([mentions[i] for n in joined for i in sides[n]], published, readings)
        if len(joined) > 1 and len(slot.values) > 1 and _consistent(slot, by_sentence):
            disagreements.append(slot)
    facts.sort(key=lambda s: (-len(s.values[0].groups), s.values[0].mentions[0].row))
    disagreements.sort(key=lambda s: -sum(len(v.groups) for v in s.values))
    return Claims(tuple(facts[:MAX_FACTS]), tuple(disagreements))


def _links(mentions: list[Mention], vectors: np.ndarray, windows: WindowEncoders, parse: Parse,
           ) -> tuple[list[tuple[int, int]], list[tuple[int, int]], dict[Mention, Reading]]:
    """Pairs of mentions of two documents that fill one slot with compatible values, pairs that conflict, and the
    parse's reading of each mention of a pair that may conflict.

    Two sentences that differ on two counts of the same kind ("25 points and 16 rebounds", "22 points and nine
    rebounds") describe two occasions, not one occasion twice: such pairs are not conflicts. A value that has its
    match of the same unit in the other sentence is no such difference: "convicted Nov. 12 of first-degree murder
    and second-degree murder" against "Nov. 19 of first-degree ... second-degree" differs on the day alone.
    A pair of different values is then read in the parse (`readings`), which parts them when it sees two things
    (`_one_quantity`).
    """
    candidates = candidate_pairs(mentions, vectors)
    rows = np.array([(mentions[i].row, mentions[j].row) for i, j in candidates], dtype=int).reshape(-1, 2)
    similarity = dict(zip(candidates, np.einsum("ij,ij->i", vectors[rows[:, 0]], vectors[rows[:, 1]]).tolist()))
    pairs = [(i, j) for (i, j), cosine in similarity.items()
             if comparable(mentions[i].value, mentions[i].context, mentions[j].value, mentions[j].context, cosine)]
    agreed = {(i, j): agree(mentions[i].value, mentions[i].context, mentions[j].value, mentions[j].context,
                            mentions[i].day or mentions[j].day) for i, j in pairs}
    worded = [(i, j) for i, j in pairs if mentions[i].sentence.text != mentions[j].sentence.text]
    sentences_that_differ = {(mentions[i].sentence, mentions[j].sentence) for i, j in worded if not agreed[i, j]}
    closely = {(i, j) for i, j in worded if (mentions[i].sentence, mentions[j].sentence) in sentences_that_differ}
    exact = _window_vectors(mentions, {k for pair in closely for k in pair}, windows.exact)
    quick = _window_vectors(mentions, {k for pair in worded if pair not in closely for k in pair}, windows.quick)
    agreeing: list[tuple[int, int]] = []
    matched: dict[tuple[Sentence, Sentence], set[int]] = defaultdict(set)
    differing: dict[tuple[Sentence, Sentence], list[tuple[int, int]]] = defaultdict(list)
    window: dict[tuple[int, int], float] = {}  # the sentence model's window cosine of each pair it read (1.0: one text)
    for i, j in pairs:
        a, b = mentions[i], mentions[j]
        if a.sentence.text == b.sentence.text:  # one sentence in two documents: only the value at one place matches
            if a.value.start != b.value.start:
                continue
            window[i, j] = 1.0
        elif (i, j) not in closely:
            if not same_slot(a.value, a.context, b.value, b.context, similarity[i, j], float(quick[i] @ quick[j]),
                             STATIC_WINDOWS):
                continue
        else:
            window[i, j] = float(exact[i] @ exact[j])  # also of agreeing pairs: their match parts a difference
            if not same_slot(a.value, a.context, b.value, b.context, similarity[i, j], window[i, j]):
                continue
        if agreed[i, j]:
            agreeing.append((i, j))
            if a.context.head == b.context.head:
                matched[a.sentence, b.sentence] |= {i, j}
        else:
            differing[a.sentence, b.sentence].append((i, j))
    readings = _readings(mentions, {k for found in differing.values() for pair in found for k in pair}, parse)
    # a value with its match in the other sentence makes no second difference ("37 people in 13 countries")
    unmatched = [[(i, j) for i, j in found if not matched.get(pair, set()) & {i, j}]
                 for pair, found in differing.items()]
    conflicting = [found[0] for found in unmatched if len(found) == 1]
    return agreeing, [(i, j) for i, j in conflicting
                      if _one_quantity(mentions[i], mentions[j], readings[i], readings[j], window[i, j])], \
        {mentions[k]: reading for k, reading in readings.items()}


def _window_vectors(mentions: list[Mention], wanted: set[int], encode: Callable[[list[str]], np.ndarray],
                    ) -> dict[int, np.ndarray]:
    """The vector of each wanted mention's window."""
    ordered = sorted(wanted)
    return dict(zip(ordered, encode([mentions[k].window for k in ordered]))) if ordered else {}


def _readings(mentions: list[Mention], wanted: set[int], parse: Parse) -> dict[int, Reading]:
    """The parse's reading of each wanted mention, each sentence parsed once."""
    texts = sorted({mentions[k].sentence.text for k in wanted})
    docs = dict(zip(texts, parse(texts))) if texts else {}
    return {k: read(docs[mentions[k].sentence.text], mentions[k].value) for k in wanted}


def _one_quantity(a: Mention, b: Mention, ra: Reading, rb: Reading, window: float) -> bool:
    """Whether two different values that fill one slot by their words are one quantity by the parse too.

    Not when the parse sees two things (`readings.other_thing`), nor two amounts of money paid for two things
    ("$39 billion in revenue", "values the acquisition at $13.9 billion") unless their words say the same. Two
    ages of a person a few years apart told of two events ("Orozco, 27, was still searching"; "the jury found
    Orozco, 29, guilty") are one age at two times: an update when the sources' dates order them so, else nothing.
    """
    if other_thing(ra, rb) is not None:
        return False
    if a.value.kind == "money" and ra.counted and rb.counted and ra.counted != rb.counted:
        return window >= SENTENCE_WINDOWS.same
    if a.value.kind == "age" and abs(float(a.value.value) - float(b.value.value)) <= AGES_APART \
            and not ra.events & rb.events:
        return a.day is not None and b.day is not None and a.day != b.day and \
            (a.day < b.day) == (float(a.value.value) < float(b.value.value))
    return True
def candidate_pairs(mentions: Sequence[Mention], vectors: np.ndarray) -> list[tuple[int, int]]:
    """Pairs of mentions `i < j` of two documents that the slot test compares: every value of two sentences that
    `_neighbour_sentences` pairs among those stating a value of one kind with the same markers (but for an age).

    `comparable` asks the same of kind and markers, so this grouping loses nothing; the neighbour bound keeps the
    cost linear: each value meets a bounded number of others however many similar documents a story has.
    """
    by_row: dict[int, list[int]] = defaultdict(list)
    groups: dict[tuple[str, frozenset[str]], set[int]] = defaultdict(set)
    for k, mention in enumerate(mentions):
        by_row[mention.row].append(k)
        kind = mention.value.kind
        groups[kind, frozenset() if kind == "age" else mention.context.markers].add(mention.row)
    rows = {pair for members in groups.values() for pair in _neighbour_sentences(sorted(members), vectors)}
    return sorted({(min(i, j), max(i, j)) for a, b in rows for i in by_row[a] for j in by_row[b]
                   if mentions[i].sentence.doc != mentions[j].sentence.doc
                   and mentions[i].value.kind == mentions[j].value.kind})


def _neighbour_sentences(rows: list[int], vectors: np.ndarray) -> set[tuple[int, int]]:
    """Pairs of these sentences (rows of `vectors`) to compare: each with its `neighbors.NEIGHBOURS` nearest,
    `SAME_CLAIM_COSINE` or closer; each retelling (`RETOLD_COSINE` or closer) with the first of its group; and the
    retellings of two groups whose first sentences are neighbours, each with one of the other group in turn.

    A claim retold by more documents than a neighbour list holds fills every list with its own retellings, which
    then never meet the claim's other wordings; pairing the groups one to one lets them, at a linear cost.
    """
    first, second, cosines = similar_pairs(vectors[rows], SAME_CLAIM_COSINE - _ROUNDING)
    pairs = set(zip(first.tolist(), second.tolist()))
    retold = _components(len(rows), [(a, b) for a, b, cosine in zip(first.tolist(), second.tolist(), cosines.tolist())
                                     if cosine >= RETOLD_COSINE])
    pairs |= {(group[0], k) for group in retold for k in group[1:]}
    leads, more, _ = similar_pairs(vectors[[rows[group[0]] for group in retold]], SAME_CLAIM_COSINE - _ROUNDING)
    for one, other in ((retold[a], retold[b]) for a, b in zip(leads.tolist(), more.tolist())):
        pairs |= {(one[k % len(one)], other[k % len(other)]) for k in range(max(len(one), len(other)))}
    return {(rows[a], rows[b]) for a, b in pairs}


def _disputed(a: Mention, b: Mention, stated: dict[int, set[tuple[str, str]]]) -> bool:
    """Whether two linked mentions with different values can be two reports of one quantity.

    Not when their values lie far apart (reports of one quantity differ by less than `MAX_RATIO`: 20 points
    in a game and 2,282 in a career do not), nor when either document also states the other's value
    anywhere: it then knows both numbers, so they count different things ("the old record of 2,116").
    """
    kind = a.value.kind
    if kind != "date":
        low, high = sorted((float(a.value.value), float(b.value.value)))
        if high > MAX_RATIO * max(low, 1e-9):
            return False
    return (kind, b.value.value) not in stated[a.sentence.doc] and (kind, a.value.value) not in stated[b.sentence.doc]


def _components(count: int, links: list[tuple[int, int]]) -> list[list[int]]:
    """The connected components of `count` items under `links`, each in order, by their first item."""
    sets = DisjointSet(range(count))
    for i, j in links:
        sets.merge(i, j)
    return sorted((sorted(members) for members in sets.subsets()), key=lambda members: members[0])


def _slot(mentions: list[Mention], published: dict[int, datetime], readings: dict[Mention, Reading]) -> Slot:
    by_value: dict[tuple[str, str], list[Mention]] = defaultdict(list)
    for mention in sorted(mentions, key=lambda m: m.row):
        by_value[mention.value.value, mention.value.unit].append(mention)
    values = _merge_compatible([Stated(v, ms[0].written, tuple(ms)) for (v, _), ms in by_value.items()])
    kind, label = mentions[0].value.kind, _label(mentions[0])
    times = [[_utc(published[m.sentence.doc]) for m in v.mentions if m.sentence.doc in published] for v in values]
    if all(len(t) == len(v.mentions) for t, v in zip(times, values)):
        values = [replace(v, published=min(t)) for v, t in zip(values, times)]
    if len(values) == 1:
        return Slot(kind, label, tuple(values))
    if all(v.published is not None for v in values):
        order = sorted(range(len(values)), key=lambda k: min(times[k]))
        in_order = all(max(times[a]) < min(times[b]) for a, b in zip(order, order[1:]))
        in_time = [values[k] for k in order]
        if in_order and _moves(kind, in_time, readings):  # each stated only after every source of the one before
            return Slot(kind, label, tuple(in_time), "update")
    values.sort(key=lambda v: -len(v.groups))
    return Slot(kind, label, tuple(values), "conflict")


def _moves(kind: str, in_time: list[Stated], readings: dict[Mention, Reading]) -> bool:
    """Whether values stated at successive times can be one quantity moving with time: an age that grows, a toll or
    a total, or a count whose verb says it moves ("rose to", "climbed to"). A date, a rank, or a count of a
    finished event ("waited six hours") that later sources state otherwise is a conflict, not an update."""
    if kind == "age":
        return all(float(a.value) < float(b.value) for a, b in zip(in_time, in_time[1:]))
    if kind in ("date", "ordinal"):
        return False
    mentions = [m for stated in in_time for m in stated.mentions]
    read = [readings[m] for m in mentions if m in readings]
    return any(r.events & _MOVING_EVENTS or r.counted in _MOVING_COUNTS for r in read) or any(
        "total" in m.context.markers for m in mentions)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _merge_compatible(values: list[Stated]) -> list[Stated]:
    """Fold a date into a more precise compatible one ("March 2005" into "March 11, 2005")."""
    values = sorted(values, key=lambda v: -len(v.value))
    merged: list[Stated] = []
    for stated in values:
        kind = stated.mentions[0].value.kind
        host = next((m for m in merged if kind == "date" and compatible(kind, m.value, stated.value)), None)
        if host is None:
            merged.append(stated)
        else:
            merged[merged.index(host)] = replace(host, mentions=host.mentions + stated.mentions)
    return merged


def _consistent(slot: Slot, by_sentence: dict[Sentence, list[Mention]]) -> bool:
    """A slot where a document gives two values mixes two quantities: not a disagreement.

    So does one whose sentence counts the same thing twice ("four bombs ... two landed inside"): parts of a whole,
    unless the other side's sentence states that second value too, in the same list ("5 life sentences and four
    sentences of life without parole" against "seven ... life sentences and four sentences of life"): the lists
    then differ on one item.
    """
    seen: set[int] = set()
    for side in slot.values:
        documents = {m.sentence.doc for m in side.mentions}
        if seen & documents:
            return False
        seen |= documents
        beside_other_sides = {(m.value.value, m.context.head) for other_side in slot.values if other_side is not side
                              for stating in other_side.mentions for m in by_sentence[stating.sentence]
                              if m is not stating}
        for mention in side.mentions:
            if any(_two_of_one(mention, neighbour)
                   and (neighbour.value.value, neighbour.context.head) not in beside_other_sides
                   for neighbour in by_sentence[mention.sentence]):
                return False
    return True


def _two_of_one(mention: Mention, other: Mention) -> bool:
    """Whether a sentence that states `mention` also states `other` as another value of the same thing."""
    a, b = mention.value.value, other.value.value
    if other.value.kind != mention.value.kind:
        return False
    if mention.value.kind == "date":  # only dates written alike: "Nov. 12 ... before Christmas 2002" is two events
        return comparable_dates(a, b) and not compatible("date", a, b)
    return a != b and other.context.head == mention.context.head


def _label(mention: Mention) -> str:
    """What the slot's values count or date, for a reader: "number of cartel members", "age of Robert Buckley",
    "date"; the kind's own name when the sentence names nothing after the value."""
    value, text = mention.value, mention.sentence.text
    if value.kind == "age":
        named = " ".join(w.removesuffix("’s").removesuffix("'s") for w in person(value, text))
        return f"age of {named}" if named else "age"
    noun = counted(value, text) if value.kind in _NOUNS else ""
    return f"{_NOUNS[value.kind]} {noun}" if noun else _KINDS[value.kind]
