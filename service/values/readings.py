"""What a stated value is of, and when: read from the dependency parse of its sentence.

Two reports disagree only about one quantity of one thing at one occasion. The words around two
values say that only loosely ("hit by seven bullets", "loaded with four bullets" share most of
them); the parse (spaCy's en_core_web_sm, `runtime.nlp`) says which noun a number counts and
what is joined to it ("some 420 passengers and crew"), what an amount is paid for ("$39 billion
in revenue", "values the acquisition at $13.9 billion"), the verb whose event it belongs to, the
places a preposition ties to it ("the toll in Germany"), and the times that date its clause
("in 1959", "last year").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .quantities import Value

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# Nouns that only carry a number's unit or scale: what it counts is further on ("59 percent of respondents")
_UNITS = frozenset("percent per cent % euro dollar pound yen yuan m. m bn million billion trillion thousand".split())
_NOUNS = ("NOUN", "PROPN")
_VALUED = ("dobj", "nsubjpass", "nsubj")  # what "values the acquisition at $13.9 billion" values, by preference
_OF = frozenset(("of", "in", "for"))  # "$39 billion in revenue", "59 percent of respondents"
_PLACES = frozenset(("GPE", "LOC"))
_WHERE = frozenset("in across within throughout inside outside".split())
_YEAR = re.compile(r"(?:1[89]|20)\d\d")
_SPANS = frozenset("year month week season day quarter decade term".split())
_ADDED = frozenset("another additional further extra other".split())  # not "more": "added three more" is a count
_RELATIVE = frozenset("last previous next past prior earlier".split())  # "the following day" may be the same day
_ROLES = {"nsubj": "agent", "dobj": "patient", "nsubjpass": "patient"}  # what a verb's subject and object are to it
_NAMED = ("compound", "appos", "flat", "conj")  # a party's other names and titles, and parties joined to it


@dataclass(frozen=True, slots=True)
class Reading:
    """What the parse says a value is of."""

    counted: str = ""  # lemma of the noun it counts, or of what an amount is for ("passenger", "revenue")
    joined: frozenset[str] = frozenset()  # nouns joined to that noun by "and" or "or" ("crew")
    part: bool = False  # a part or an addition: "three of the seven bullets", "another four people", "55 others"
    events: frozenset[str] = frozenset()  # the verb whose clause states it, and those joined to it ("slip", "fall")
    parties: frozenset[str] = frozenset()  # the nouns that verb is done by or to, the counted one apart ("gun")
    role: str = ""  # what the counted thing is to that verb: "agent", "patient", or its preposition ("with")
    places: frozenset[str] = frozenset()  # places a preposition ties to it or to its verb ("germany")
    years: frozenset[str] = frozenset()  # years that date its clause, the value itself apart ("1959")
    relative: frozenset[str] = frozenset()  # relative times of its clause ("last year", "previous season")


def read(doc: Doc, value: Value) -> Reading:
    """The reading of `value` in the parse of its sentence (`doc` is the parse of the text `value` indexes)."""
    span = doc.char_span(value.start, value.end, alignment_mode="expand")
    if span is None or not len(span):
        return Reading()
    root = span.root
    inside = {t.i for t in span}
    noun = _counted(root, inside) if value.kind in ("count", "money", "percent", "ordinal") else None
    event = _event(noun or root)
    chain = _chain(noun or root, event) + (_conjuncts(event)[1:] if event is not None else [])
    chain += [t for link in chain for t in link.children if t.dep_ in ("amod", "oprd", "acomp")]  # "left 220,000 dead in"
    value_and_noun = inside | ({noun.i} if noun is not None else set())
    return Reading(
        counted=noun.lemma_.lower() if noun is not None else "",
        joined=frozenset(t.lemma_.lower() for t in _joined(noun)) if noun is not None else frozenset(),
        part=_part(root, noun),
        events=frozenset(t.lemma_.lower() for t in _conjuncts(event)) if event is not None else frozenset(),
        parties=_parties(event, value_and_noun) if event is not None else frozenset(),
        role=_role(noun or root, event) if event is not None else "",
        places=frozenset(p for t in chain for p in _places(t)),
        years=frozenset(y for t in chain for y in _years(t, inside)),
        relative=frozenset(r for t in chain for r in _relative(t)))


def _counted(root: Token, inside: set[int]) -> Token | None:
    """The noun a number counts, or what an amount of money or a share is of."""
    noun = root if root.pos_ in _NOUNS and root.lemma_.lower() not in _UNITS else None
    if noun is None and root.dep_ in ("nummod", "quantmod", "compound", "nmod", "amod") and root.head.pos_ in _NOUNS \
            and root.head.i not in inside:
        noun = root.head if root.head.lemma_.lower() not in _UNITS else None
        root = root.head if noun is None else root
    if noun is not None and noun.dep_ in ("compound", "amod") and noun.doc[noun.i - 1].text == "-" \
            and noun.head.pos_ in _NOUNS:
        noun = noun.head  # "a 200-student schoolhouse", "an 11th-round knockout": the unit measures the noun after
    if noun is None:  # "59 percent of respondents", "$39 billion in revenue"
        noun = _object_of(root) or next((_object_of(t) for t in root.head.children
                                        if t.i == root.right_edge.i + 1 and t.dep_ == "prep"), None)
        if noun is None and root.head.dep_ == "prep" and root.head.i == root.right_edge.i + 1:
            noun = _object_of(root.head)
    if noun is None and root.dep_ in ("pobj", "attr", "dobj"):  # "values the acquisition at $13.9 billion"
        verb = root.head.head if root.dep_ == "pobj" else root.head
        candidates = [t for t in verb.children if t.dep_ in _VALUED and t.pos_ in _NOUNS and t.i not in inside
                      and t.lemma_.lower() not in _UNITS]
        noun = min(candidates, key=lambda t: _VALUED.index(t.dep_), default=None)
    return noun


def _part(root: Token, noun: Token | None) -> bool:
    """Whether the value counts a part of a whole or an addition to one: "three of the seven bullets", "another
    four people", "an additional 3 million", "55 others"."""
    if noun is not None and noun.lemma_.lower() == "other":
        return True
    added = any(t.dep_ in ("det", "amod") and t.lower_ in _ADDED
                for t in [*root.children, *(noun.children if noun is not None else ())])
    whole = next((t for prep in root.children if prep.dep_ == "prep" and prep.lower_ == "of"
                  for t in prep.children if t.dep_ == "pobj"), None)
    return added or (root.pos_ == "NUM" and root.ent_type_ != "MONEY" and whole is not None
                     and any(t.dep_ in ("det", "poss", "nummod") for t in whole.children))


def _object_of(token: Token) -> Token | None:
    """The noun after "of", "in" or "for" that `token` (or the preposition `token`) governs."""
    preps = [token] if token.dep_ == "prep" else [t for t in token.children if t.dep_ == "prep"]
    for prep in preps:
        if prep.lower_ in _OF:
            found = next((t for t in prep.children if t.dep_ == "pobj" and t.pos_ in _NOUNS), None)
            if found is not None:
                return found
    return None


def _joined(noun: Token) -> list[Token]:
    """Nouns counted with `noun` ("passengers and crew"); not a noun with a count of its own ("yards and a
    touchdown", "30 killed and 55 others")."""
    joined = [t for t in noun.children if t.dep_ == "conj" and t.pos_ in _NOUNS]
    joined += [noun.head] if noun.dep_ == "conj" and noun.head.pos_ in _NOUNS else []
    return [t for t in joined if not any(c.dep_ in ("det", "nummod", "quantmod") for c in t.children)]


def _event(token: Token) -> Token | None:
    """The verb whose clause holds `token`: the first verb up the tree, or the root."""
    current = token
    while not _verb(current) and current.head.i != current.i:
        current = current.head
    return current if _verb(current) else None


def _conjuncts(verb: Token) -> list[Token]:
    """The verb and those joined to it by "and": "slipped on ice and fell" is one event told in two verbs."""
    joined = [verb] + [t for t in verb.children if t.dep_ == "conj" and _verb(t)]
    return joined + ([verb.head] if verb.dep_ == "conj" and _verb(verb.head) else [])


def _parties(event: Token, counted: set[int]) -> frozenset[str]:
    """The nouns (not pronouns) the event is done by or to, other than the value and what it counts, with those
    joined to them and the names and titles set beside them: "Gray" in "Gray was hit by seven bullets" and "Seven
    bullets hit Mr. Gray", "gun" in "Gray's gun was loaded with four", "Klitschko" in "the title was kept by
    Champion, Wladimir Klitschko"."""
    by = [t for agent in event.children if agent.dep_ == "agent" for t in agent.children if t.dep_ == "pobj"]
    words = [t for t in event.children if t.dep_ in _ROLES] + by
    words = [t for t in words if t.pos_ in _NOUNS and t.i not in counted]
    found: set[str] = set()
    while words:
        word = words.pop()
        found.add(word.lemma_.lower())
        words += [t for t in word.children if t.dep_ in _NAMED and t.pos_ in _NOUNS]
    return frozenset(found)


def _role(token: Token, event: Token) -> str:
    """What `token` is to the event's verb: its "agent" (the subject, or "by" in a passive: "seven bullets hit",
    "hit by seven bullets"), its "patient" (the object, or a passive's subject), or the preposition that ties it
    to the verb ("loaded with four bullets"); "" when it is none of these."""
    if token.head.i == event.i and token.dep_ in _ROLES:
        return _ROLES[token.dep_]
    if token.dep_ == "pobj" and token.head.head.i == event.i:
        return "agent" if token.head.dep_ == "agent" else token.head.lower_
    return ""


def _verb(token: Token) -> bool:
    """A verb that heads a clause: "killed", or "is" in "the toll is now 150", never an auxiliary."""
    return token.pos_ in ("VERB", "AUX") and token.dep_ not in ("aux", "auxpass")


def _chain(token: Token, event: Token | None) -> list[Token]:
    """`token` and its heads up to its clause's verb: the words a time or place modifies when it dates the value."""
    chain = [token]
    while chain[-1].head.i != chain[-1].i and (event is None or chain[-1].i != event.i):
        chain.append(chain[-1].head)
    return chain


def _places(token: Token) -> list[str]:
    """Places (countries, cities, regions) where `token` is, by a preposition of place: "the toll in Germany",
    "killed ... in Indonesia's Aceh province and Nias island"; not a destination ("sent to the United States")
    nor a place inside a clause of its own."""
    found = []
    for prep in (t for t in token.children if t.dep_ == "prep" and t.lower_ in _WHERE):
        for phrase in (t for t in prep.children if t.dep_ == "pobj"):
            found += [t.lower_ for t in _phrase(phrase) if t.ent_type_ in _PLACES and t.pos_ == "PROPN"]
    return found


def _phrase(token: Token) -> list[Token]:
    """The words of `token`'s phrase, without the clauses under it ("where more than 300 had taken shelter")."""
    words = [token]
    for child in token.children:
        if not _verb(child):
            words += _phrase(child)
    return words


def _years(token: Token, inside: set[int]) -> list[str]:
    found = []
    for child in token.children:
        if child.i in inside:
            continue
        dated = [child] + ([t for t in child.children if t.dep_ == "pobj"] if child.dep_ == "prep" else [])
        for word in dated:
            found += [t.text for t in word.subtree if t.i not in inside and _YEAR.fullmatch(t.text)]
    return found


def _relative(token: Token) -> list[str]:
    found = []
    for child in token.children:
        times = [child] + ([t for t in child.children if t.dep_ == "pobj"] if child.dep_ == "prep" else [])
        for time in (t for t in times if t.lemma_.lower() in _SPANS):
            found += [f"{t.lower_} {time.lemma_.lower()}" for t in time.children if t.lower_ in _RELATIVE]
    return found


def other_thing(a: Reading, b: Reading) -> str | None:
    """Why two values of one kind, read as `a` and `b`, are not one quantity of one thing at one occasion; None
    when the parse sees no such reason. Each reason needs both readings to say something: a value whose parse
    names no place or time may still be of the other's place or time."""
    if a.joined != b.joined:
        return f"counts {' and '.join(sorted(a.joined | b.joined))} on one side only"
    if a.part != b.part:
        return "a part of the whole, or an addition to it, on one side only"
    if a.places and b.places and not a.places & b.places:
        return "of different places"  # "in Germany", "in Belgium"; a place more ("Indonesia's Aceh") is still one
    if a.years and b.years and not a.years & b.years:
        return "of different years"
    if a.relative != b.relative:
        return "of another time on one side"
    if a.events and b.events and not a.events & b.events and a.parties and b.parties and not a.parties & b.parties \
            and a.role and b.role and a.role != b.role:  # not "the Mexican government handed over 37", "Mexico extradited 36"
        return "in two events, with other parties and another part in each"  # "Gray was hit by seven bullets", "his gun was loaded with four"
    return None
