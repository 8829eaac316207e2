"""Roles a sentence states, read from spaCy's parse, for verify to hold a written sentence to its evidence.

A word check passes "second-degree murder in the death of his wife, Laci Peterson" when one
evidence sentence has every word ("first-degree murder for the death of Laci Peterson and
second-degree murder for the death of their unborn son"). What is false is which noun each value
belongs to. So verify compares roles, not words:
- **values**: each number or ordinal goes with the names in its noun phrase (and across a copula:
  "the first of the deaths was that of a New Zealand climber"); a written sentence may pair a
  value only with names some evidence sentence pairs it with;
- **actors**: who did what to whom: a name as the subject of a verb and another as its object
  (passives turned around) must stand so in some evidence sentence; and whoever does an action the
  evidence states (its verb), including the one who does it through "threatened to storm" or "the
  migrants threatening to storm", must be one the evidence has do it;
- **counts**: a number counts the noun the evidence has it count ("two men", not "two former
  mayoral candidates");
- **words**: a fused sentence says what its sentences say, in their words: at most
  `NEW_WORDS_ALLOWED` content words (lemmas) none of them has;
- **relations**: a clause joined by "after", "because", "although"... must join the same two
  actions (verb lemmas) in some evidence sentence;
- **repeats**: a sentence that says one thing twice ("is taking a break from her past and is now
  taking a break from her past") states nothing more, and is not a sentence of a brief.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..values.facts import extract_facts

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

VALUE_ENTITIES = frozenset({"CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"})
NAME_ENTITIES = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"})
TIME_ENTITIES = frozenset({"DATE", "TIME"})
ORDINAL_WORDS = frozenset("first second third fourth fifth sixth seventh eighth ninth tenth".split())
# Where a noun phrase ends: its head takes a role in a clause, or starts one of its own.
PHRASE_ENDS = frozenset({"ROOT", "nsubj", "nsubjpass", "dobj", "iobj", "attr", "oprd", "dative", "agent", "advcl",
                         "relcl", "acl", "ccomp", "xcomp", "conj", "csubj", "csubjpass", "appos", "pcomp"})
CLAUSES = frozenset({"relcl", "acl", "advcl", "ccomp", "xcomp", "conj", "parataxis"})
RELATIONS = {"after": "after", "since": "after|cause", "once": "after", "before": "before", "until": "before",
             "because": "cause", "as": "cause|when", "although": "despite", "though": "despite",
             "whereas": "despite", "while": "despite|when", "when": "when", "whenever": "when", "if": "if",
             "unless": "if"}
NEW_WORDS_ALLOWED = 0
CONTENT = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "NUM"})
LIGHT_VERBS = frozenset("be have do say make get go take".split())
REPEAT_WORDS = 4  # a run of this many words said twice, with a verb and another content word, is a repeat
TARGETS = frozenset({"to", "into", "onto", "from", "against", "toward", "towards"})  # prepositions that name a party


@dataclass(frozen=True, slots=True)
class Name:
    words: frozenset[str]  # lower-cased, to compare: "Laci" and "Laci Peterson" name one person
    text: str  # as written, to say which


@dataclass(frozen=True, slots=True)
class Roles:
    """What one sentence states, as comparable keys."""

    values: tuple[tuple[str, str, tuple[Name, ...]], ...]  # (value, as written, the names in its phrase)
    counts: tuple[tuple[str, str, str], ...]  # (value, as written, the lemma of the noun it counts)
    doers: tuple[tuple[str, frozenset[str], str], ...]  # (verb lemma, its doer's words, the doer as written)
    actors: tuple[tuple[Name, str, Name], ...]  # (subject, "object" or a preposition, its object)
    relations: frozenset[tuple[str, str, str]]  # (kind, the joined clause's verb, the main verb)
    clause_relations: tuple[tuple[str, str, str, str], ...]  # (marker as written, kind, joined verb, main verb)


def _value(token: Token) -> str | None:
    """The value a token states, normalised as facts are ("two" and "2" are 2, "second" is 2nd), or None."""
    if token.ent_type_ in TIME_ENTITIES:
        return None
    if token.ent_type_ in VALUE_ENTITIES or token.like_num or token.lower_ in ORDINAL_WORDS:
        numbers = extract_facts(token.text).numbers
        return min(numbers) if numbers else token.lower_
    return None


def _is_name(token: Token) -> bool:
    return token.ent_type_ not in TIME_ENTITIES and token.pos_ not in ("DET", "PUNCT", "ADP") \
        and (token.ent_type_ in NAME_ENTITIES or token.pos_ == "PROPN")


def _phrase(token: Token) -> list[Token]:
    """The noun phrase a token belongs to, without the clauses inside it; for the head of a copula's side (or what
    counts it), both sides are one phrase ("the first of the deaths was that of a New Zealand climber")."""
    top = token
    while top.dep_ not in PHRASE_ENDS and top.head is not top and top.head.pos_ not in ("VERB", "AUX"):
        top = top.head
    tops = [top]
    if top.head.lemma_ == "be" and top.dep_ in ("nsubj", "nsubjpass", "attr") and token in (top, *top.children):
        tops += [c for c in top.head.children if c is not top and c.dep_ in ("nsubj", "nsubjpass", "attr", "acomp")]
    return [t for head in tops for t in _without_clauses(head)]


def _without_clauses(head: Token) -> Iterable[Token]:
    yield head
    for child in head.children:
        if child.dep_ not in CLAUSES:
            yield from _without_clauses(child)


def _names(tokens: Iterable[Token]) -> tuple[Name, ...]:
    """The names among the tokens, each a compound chain ("Laci Peterson"), in the order written."""
    names: dict[int, list[Token]] = {}
    for token in sorted(tokens, key=lambda t: t.i):
        if _is_name(token):
            head = token
            while head.dep_ == "compound" and _is_name(head.head):
                head = head.head
            names.setdefault(head.i, []).append(token)
    return tuple(Name(frozenset(t.lower_ for t in words), " ".join(t.text for t in words)) for words in names.values())


def _side(tokens: Iterable[Token]) -> Name | None:
    """One side of an action: all the names in it, as one."""
    names = _names(tokens)
    return Name(frozenset().union(*(n.words for n in names)), " ".join(n.text for n in names)) if names else None


def read_roles(doc: Doc | Span) -> Roles:
    """The values with their names, who acts on whom, and which clauses are joined how, in one parsed sentence."""
    values = []
    for token in doc:
        value = _value(token)
        if value is not None:
            values.append((value, token.text, _names(t for t in _phrase(token) if t.i != token.i)))
    actors = []
    relations = set()
    clause_relations = []
    for token in doc:
        if token.pos_ in ("VERB", "AUX"):
            subjects = [c for c in token.children if c.dep_ == "nsubj"]
            subjects += [g for c in token.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
            objects = [("object", c) for c in token.children if c.dep_ in ("dobj", "nsubjpass")]
            objects += [(c.lower_, g) for c in token.children if c.dep_ == "prep" and c.lower_ in TARGETS
                        for g in c.children if g.dep_ == "pobj"]
            for subject in subjects:
                for how, target in objects:
                    who, whom = _side(subject.subtree), _side(target.subtree)
                    if who and whom:
                        actors.append((who, how, whom))
        if token.dep_ == "mark" and token.lower_ in RELATIONS and token.head.dep_ == "advcl":
            joined, main = token.head, token.head.head
            for kind in RELATIONS[token.lower_].split("|"):
                relations.add((kind, joined.lemma_.lower(), main.lemma_.lower()))
            clause_relations.append((token.lower_, RELATIONS[token.lower_], joined.lemma_.lower(),
                                     main.lemma_.lower()))
    counts = tuple((value, token.text, token.head.lemma_.lower()) for token in doc
                   if (value := _value(token)) is not None and token.dep_ == "nummod" and token.head.pos_ == "NOUN")
    doers = tuple((verb.lemma_.lower(), words, text) for verb in doc if verb.pos_ == "VERB"
                  for words, text in [_doer(verb)] if words)
    return Roles(tuple(values), counts, doers, tuple(actors), frozenset(relations), tuple(clause_relations))


def _doer(verb: Token) -> tuple[frozenset[str], str]:
    """Who does the action: its subject; for "threatened to storm", the subject of the verb it completes; for
    "migrants threatening to storm", the noun it describes; a passive's agent. Pronouns say nothing."""
    current = verb
    for _ in range(4):
        subjects = [c for c in current.children if c.dep_ == "nsubj"]
        subjects += [g for c in current.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
        if subjects:
            words = [t for subject in subjects for t in _head_phrase(subject)]
            return frozenset(t.lemma_.lower() for t in words), " ".join(t.text for t in words)
        if current.dep_ == "xcomp" or current.dep_ == "conj":
            current = current.head
        elif current.dep_ in ("acl", "relcl") and current.head.pos_ in ("NOUN", "PROPN"):
            words = _head_phrase(current.head)
            return frozenset(t.lemma_.lower() for t in words), " ".join(t.text for t in words)
        else:
            break
    return frozenset(), ""


def _head_phrase(token: Token) -> list[Token]:
    """A noun and the names and nouns compounded with it, its apposition's head and what it is of ("Dr. Scott
    Atlas, a member of the task force": Dr. Scott Atlas member; "a set of guilty pleas": set pleas), without
    the rest of what its prepositions add."""
    heads = [token, *(c for c in token.children if c.dep_ == "appos")]
    heads += [g for c in token.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children
              if g.dep_ == "pobj"]  # "a set of guilty pleas"
    words = [t for head in heads for t in (*(c for c in head.children if c.dep_ == "compound"), head)]
    return sorted((t for t in words if t.pos_ in ("NOUN", "PROPN")), key=lambda t: t.i)


def new_words(sentence: Doc | Span, evidence: Sequence[Doc | Span]) -> list[str]:
    """The content words (lemmas) of the sentence that none of the evidence sentences has."""
    known = {t.lemma_.lower() for doc in evidence for t in doc} | {t.lower_ for doc in evidence for t in doc}
    return list(dict.fromkeys(t.text for t in sentence if t.pos_ in CONTENT and t.lemma_.lower() not in known
                              and t.lower_ not in known and t.lemma_.lower() not in LIGHT_VERBS))


def repeated_run(doc: Doc | Span) -> str | None:
    """A run of `REPEAT_WORDS` words (lemmas, a verb and another content word among them) the sentence says twice,
    or None. Parallel phrases without a verb ("first-degree murder in the death of…, second-degree murder in the
    death of…") are not repeats."""
    tokens = [t for t in doc if not t.is_punct and not t.is_space]
    seen: set[tuple[str, ...]] = set()
    for i in range(len(tokens) - REPEAT_WORDS + 1):
        run = tokens[i:i + REPEAT_WORDS]
        if not any(t.pos_ == "VERB" for t in run) or sum(not t.is_stop for t in run) < 2:
            continue
        key = tuple(t.lemma_.lower() for t in run)
        if key in seen:
            return " ".join(t.text for t in run)
        seen.add(key)
    return None


def role_problem(sentence: Doc | Span, evidence: Sequence[Doc | Span]) -> str | None:
    """Why the sentence states a role no evidence sentence states (or says one thing twice), or None."""
    if run := repeated_run(sentence):
        return f"repeats itself: '{run}' twice"
    claimed = read_roles(sentence)
    stated = [read_roles(doc) for doc in evidence]
    for value, written, names in claimed.values:
        allowed = [n for roles in stated for v, _, found in roles.values if v == value for n in found]
        if not any(v == value for roles in stated for v, _, _ in roles.values):
            continue  # a value the evidence does not state at all is the facts check's to reject
        allowed_words = {w for name in allowed for w in name.words}
        if missing := [name.text for name in names if not name.words & allowed_words]:
            return f"roles: {written} goes with {', '.join(missing)} in no evidence sentence"
    stated_counts = {(value, noun) for roles in stated for value, _, noun in roles.counts}
    for value, written, noun in claimed.counts:
        if any(v == value for roles in stated for v, _, _ in roles.values) and (value, noun) not in stated_counts:
            return f"roles: {written} {noun} in no evidence sentence"
    doers: dict[str, set[str]] = {}
    for roles in stated:
        for verb, words, _ in roles.doers:
            doers.setdefault(verb, set()).update(words)
    for verb, words, text in claimed.doers:
        if verb in doers and doers[verb] and not words & doers[verb]:
            return f"roles: {text} does '{verb}' in no evidence sentence"
    evidence_actors = [actor for roles in stated for actor in roles.actors]
    for who, how, whom in claimed.actors:
        if not any(who.words & w.words and how == h and whom.words & o.words for w, h, o in evidence_actors):
            link = "acts on" if how == "object" else f"acts {how}"
            return f"roles: {who.text} {link} {whom.text} in no evidence sentence"
    evidence_relations = {r for roles in stated for r in roles.relations}
    for marker, kinds, joined, main in claimed.clause_relations:
        if not any((kind, joined, main) in evidence_relations for kind in kinds.split("|")):
            return f"relation: '{marker}' joins {joined} and {main} in no evidence sentence"
    return None
