"""What a compressed sentence or a resolved reference may change in the one sentence it rewrites.

A compression deletes and nothing else: its words are the source's words in the source's order; it
keeps every word that turns the meaning (not, former, alleged, may, more than…); it keeps every
quotation whole, word for word (a cut quotation puts words in someone's mouth); it cuts whole phrases of the
source's parse, never a word a kept word depends on, nor a preposition's object; and it keeps the
source's main action, or, when the source only reports what someone said ("…, officials said"),
the action reported, with who does it.

A resolved reference changes one word: the pronoun a sentence opens on ("He said they…") or the
"he" of '"…," he said' becomes the name it stands for. Only people are named this way: "it" and
"they" stand as often for an event or a finding as for a name ("It happens thus" is no "Lester
Holt happens thus"). The name must be one the sentences before it in its article give, a person's,
and the nearest such: the subject of the sentence just before when it is one, else the last one
named. The model proposes the name; these rules decide whether it stands.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..read.words import words

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

KEEP = frozenset("""not no never nor without n't former ex acting interim deputy vice late alleged allegedly
reportedly suspected accused possible possibly likely unlikely may might could would should must plans planned
planning proposed expected denied denies deny if unless only nearly almost about around more less fewer than over
under least most up essentially virtually largely partly mostly apparently""".split())
ARTICLES = frozenset({"the", "a", "an"})
CORE = frozenset({"dobj", "attr", "acomp", "oprd", "xcomp", "dative", "neg", "aux", "auxpass"})
LINKING = frozenset("be appear seem remain become look stay sound feel".split())
REPORTING = frozenset("say tell report announce confirm add state note write explain".split())
PERSON = frozenset({"PERSON"})
KINDS = {"he": PERSON, "she": PERSON, "his": PERSON, "her": PERSON}
POSSESSIVE = frozenset({"his", "her"})
_QUOTATION = re.compile(r"“[^”]+”|\"[^\"]+\"")
_OPENER = re.compile(r"[\s\"“‘'(]*\b(he|she|his|her)\b", re.IGNORECASE)
_QUOTED_BY = re.compile(r"[\"”’']\s*,?\s*\b(he|she)\s+(?:said|says|added|told|wrote|explained|noted|argued|asked)\b",
                        re.IGNORECASE)


def _word(token: Token) -> str:
    return token.lower_.replace("’", "'").replace("‘", "'")


def _words(doc: Doc) -> list[str]:
    return [_word(t) for t in doc if not t.is_punct and not t.is_space]


def deletion_problem(written: Doc, source: Doc) -> str | None:
    """Why `written` is not a compression of `source` (a deletion that keeps its meaning), or None. An article
    may come in where a phrase is cut ("documents from the nominee"); a word that turns the meaning (`KEEP`) goes
    only with the word it qualifies."""
    mine, theirs = _words(written), _words(source)
    remaining = iter(theirs)
    if not all(word in ARTICLES or word in remaining for word in mine):  # each found after the previous one
        return "compression: words or order not the sentence's own"
    if len([w for w in mine if w not in ARTICLES]) >= len([w for w in theirs if w not in ARTICLES]):
        return "compression: cuts nothing"
    kept = set(mine)
    if lost := sorted({_word(t) for t in source if _word(t) in KEEP and _word(t) not in kept
                       and _word(t.head) in kept and t.head is not t}):
        return f"compression: drops '{', '.join(lost)}', which changes the meaning"
    if cut := _cut_quotation(mine, source):
        return f"compression: cuts words inside the quotation “{cut}”"
    roots = [t for t in source if t.dep_ == "ROOT"]
    actions = [*roots, *(c for r in roots if r.lemma_.lower() in REPORTING for c in r.children if c.dep_ == "ccomp")]
    if not any(_word(a) in kept and all(w in kept for w in _subject_words(a)) and all(
            _word(c) in kept for c in _core(a)) for a in actions):
        return "compression: drops the main action, who does it or what it is done to"
    if (torn := _torn_phrase(mine, source, actions)) is not None:
        return f"compression: keeps '{torn}' without the phrase it belongs to"
    return None


def _torn_phrase(mine: list[str], source: Doc, actions: list[Token]) -> str | None:
    """A word the compression keeps while cutting the word it depends on in the source's parse ("World War I …
    are buried" without "where soldiers from"), or a preposition it keeps without its object ("Across there
    are…"), or None: a compression cuts whole phrases, never the middle of one. The action reported by a
    cut "…, officials said" stands on its own. Only words the source writes once are judged (which "the" was
    kept cannot be told), and a word counts as kept wherever the compression writes it."""
    kept = set(mine)
    counts = Counter(_word(t) for t in source)
    for token in source:
        word = _word(token)
        if token.is_punct or token.is_space or word not in kept or counts[word] > 1:
            continue
        if token.head is not token and _word(token.head) not in kept and token not in actions \
                and not token.head.is_punct and token.pos_ != "DET":  # "a Turkish dissident (cleric)" reads
            return token.text
        objects = [c for c in token.children if c.dep_ in ("pobj", "pcomp")]
        if token.dep_ == "prep" and objects and not any(_word(t) in kept for c in objects for t in c.subtree):
            return token.text
    return None


def _cut_quotation(mine: list[str], source: Doc) -> str | None:
    """The first quotation of the source that `mine` does not keep whole, its words in a row, or None."""
    for found in _QUOTATION.finditer(source.text):
        quoted = [_word(t) for t in source if found.start() < t.idx < found.end() - 1 and not t.is_punct
                  and not t.is_space]
        if quoted and not any(mine[i:i + len(quoted)] == quoted for i in range(len(mine) - len(quoted) + 1)):
            return found.group()[1:-1]
    return None


def _subject_words(verb: Token) -> list[str]:
    return [_word(t) for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")
            for t in c.subtree if not t.is_punct and t.pos_ != "DET"]


def _core(verb: Token) -> list[Token]:
    """What the action cannot lose: its object or complement ("appeared in jeopardy", "was shot"), and the
    negation or auxiliary that sets its truth and time."""
    linking = verb.lemma_.lower() in LINKING
    return [c for c in verb.children
            if c.dep_ in CORE or (linking and c.dep_ == "prep" and c.i > verb.i)]


def deletion_grammar(source: str) -> str:
    """A GBNF grammar (rule `root`) under which a model can write only a deletion of `source`: its words, each
    at most once, in its order, a word's trailing comma, colon or full stop kept or left. A compression written
    under it can still cut what verify will not let go (a negation, the main action, part of a quotation)."""
    rules = []
    for n, token in enumerate(source.split()):
        bare = token.rstrip(",;:.")
        choices = {token, bare} if bare else {token}
        rules.append(f"w{n} ::= " + " | ".join(f'" {_gbnf(choice)}"' for choice in sorted(choices)))
    return "root ::= " + " ".join(f"w{n}?" for n in range(len(rules))) + "\n" + "\n".join(rules) + "\n"


def _gbnf(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def as_deletion(written: str) -> str:
    """What a model wrote under `deletion_grammar`, as a sentence: spaces trimmed, a dangling comma, colon or
    semicolon dropped, a full stop where it ends on a word."""
    text = written.strip().rstrip(",;:").rstrip()
    return text if not text or text[-1] in ".!?\"”’')" else f"{text}."


def cuts_words(written: str, source: str) -> bool:
    """Whether a compression leaves out any word of its source but articles (else it is the source, copied)."""
    return bool({w for w in words(source) if w not in ARTICLES} - set(words(written)))


def reference(text: str) -> tuple[int, int] | None:
    """The span of the pronoun the sentence needs a name for (its opener, or the speaker of a quote), or None."""
    found = _OPENER.match(text) or _QUOTED_BY.search(text)
    return found.span(1) if found else None


def resolve(text: str, span: tuple[int, int], name: str) -> str:
    """The sentence with the pronoun at `span` replaced by `name` (its possessive for his, her, its, their)."""
    pronoun = text[span[0]:span[1]].lower()
    return text[:span[0]] + (f"{name}’s" if pronoun in POSSESSIVE else name) + text[span[1]:]


def antecedent(pronoun: str, context: Sequence[Doc]) -> str | None:
    """The name a pronoun stands for, from the sentences before it (nearest last): the subject of the sentence just
    before when it is a name of the right kind, else the last such name; None when there is none."""
    kinds = KINDS.get(pronoun.lower())
    if kinds is None or not context:
        return None
    last = context[-1]
    for entity in last.ents:
        if entity.label_ in kinds and any(t.dep_ in ("nsubj", "nsubjpass") for t in entity):
            return str(entity.text)
    named = [e for doc in context for e in doc.ents if e.label_ in kinds]
    return str(named[-1].text) if named else None


def resolution_problem(written: str, source: str, context: Sequence[Doc]) -> str | None:
    """Why `written` is not `source` with its reference replaced by the name it stands for, or None."""
    span = reference(source)
    if span is None:
        return "reference: the sentence needs no name"
    pronoun = source[span[0]:span[1]]
    prefix, suffix = source[:span[0]], source[span[1]:]
    if not (written.startswith(prefix) and written.endswith(suffix)) or len(written) <= len(prefix) + len(suffix):
        return "reference: more than the pronoun changed"
    name = written[len(prefix):len(written) - len(suffix)].removesuffix("’s").removesuffix("'s")
    expected = antecedent(pronoun, context)
    if expected is None:
        return f"reference: no name for '{pronoun}' in the sentences before it"
    if {w.lower() for w in re.findall(r"\w+", name)} - {w.lower() for w in re.findall(r"\w+", expected)}:
        return f"reference: '{pronoun}' is {expected} in the sentences before it, not {name}"
    return None
