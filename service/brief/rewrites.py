"""What a compressed sentence or a resolved reference may change in the one sentence it rewrites.

A compression deletes and nothing else: its words are the source's words in the source's order; it
keeps every word that turns the meaning (not, former, alleged, may, more than…); it keeps every
quotation whole, word for word (a cut quotation puts words in someone's mouth); it cuts whole phrases of the
source's parse, never a word a kept word depends on, nor a preposition's object; and it keeps the
source's main action, with who does it and what, and who says so ("according to police", "…, officials
said"): without its attribution an allegation or a forecast reads as the brief's own fact.

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
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..read.words import words

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

KEEP = frozenset("""not no never nor without n't former ex acting interim deputy vice late alleged allegedly
reportedly suspected accused possible possibly likely unlikely may might could would should must plans planned
planning proposed expected denied denies deny if unless only nearly almost about around more less fewer than over
under least most up essentially virtually largely partly mostly apparently according based for with except since or""".split())
ARTICLES = frozenset({"the", "a", "an"})
DURATIONS = frozenset("second minute hour day week month year decade century".split())
SCOPING = frozenset("every each other others".split())
TERMS = frozenset({"basis"})
CIRCUMSTANCE = frozenset("after before during amid amidst despite following until till ahead throughout".split())
WHEN = frozenset({"DATE", "TIME"})  # never cut (`FIGURES`)
WHERE = frozenset({"GPE", "LOC", "FAC"})
# entities a compression keeps: when, how much, how many, which one ("In the first debate, Trump relied on false facts")
FIGURES = WHEN | {"MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL"}
# adverbs that narrow what a claim covers: cut, "support conducting elections [exclusively by mail], 47% to 29%" says
# something else
RESTRICTIVE = frozenset("only exclusively solely entirely wholly merely mainly mostly largely partly partially "
                        "primarily fully".split())
LOCATING = frozenset({"in", "at", "near"})
CORE = frozenset({"dobj", "attr", "acomp", "oprd", "xcomp", "ccomp", "dative", "neg", "aux", "auxpass"})
LINKING = frozenset("be appear seem remain become look stay sound feel".split())
NEGATORS = frozenset("not n't never barely hardly scarcely".split())
TAKES_INFINITIVE = frozenset("""vote decide agree plan move seek try refuse aim want fail promise threaten hope offer
pledge vow choose attempt""".split())
REPORTING = frozenset("say tell add claim write argue note explain insist contend allege report state warn".split())
PERSON = frozenset({"PERSON"})
KINDS = {"he": PERSON, "she": PERSON, "his": PERSON, "her": PERSON}
POSSESSIVE = frozenset({"his", "her"})
THIRD_PERSON = frozenset("he him his she her they them their".split())
_OPENERS = frozenset({",", "(", "[", "—", "–", "-", "--", ";"})
_CLAUSE_OPENERS = frozenset({"mark", "cc"})  # "that", "and": a phrase right after one opens its clause
_CLOSERS = frozenset({",", ")", "]", "—", "–", "-", "--"})
_LEANING = frozenset({"appos", "relcl", "acl"})  # what may lean on the noun before it: ", the epicenter of…"
_DASHES = frozenset({"—", "–", "--"})
_SET_OFF_DASHES = _DASHES | {"-"}  # a spaced hyphen sets off a phrase as a dash does (and is a word's hyphen too)
_PAIRS = {",": ",", "(": ")", "[": "]"}
_WH = frozenset({"WDT", "WP", "WP$", "WRB"})  # which, who, whose, where: a relative clause's opening word
_FINITE = frozenset({"VBD", "VBZ", "VBP", "MD"})
_NOUNS = frozenset({"NOUN", "PROPN"})
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
    if _asks(source):
        return "compression: a question's parts are not optional"
    if cut := _cut_quotation(mine, source):
        return f"compression: cuts words inside the quotation “{cut}”"
    actions = _actions(source)
    optional = {i for start, end in optional_phrases(source) for i in range(start, end)}
    if not any(_word(a) in kept and all(w in kept for w in _subject_words(a, optional)) and all(
            _word(c) in kept for c in _core(a)) for a in actions):
        return "compression: drops the main action, who does it or what it is done to"
    if (torn := _torn_phrase(mine, source, actions)) is not None:
        return f"compression: keeps '{torn}' without the phrase it belongs to"
    return None


def _torn_phrase(mine: list[str], source: Doc, actions: list[Token]) -> str | None:
    """A word the compression keeps while cutting the word it depends on in the source's parse ("World War I …
    are buried" without "where soldiers from"), or a preposition it keeps without its object ("Across there
    are…"), or None: a compression cuts whole phrases, never the middle of one. Only words the source writes once
    are judged (which "the" was kept cannot be told), and a word counts as kept wherever the compression writes
    it."""
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


def _subject_words(verb: Token, optional: set[int]) -> list[str]:
    """Who does the action, every word of it but articles and the phrases a compression may cut (", a former
    Army officer,")."""
    return [_word(t) for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")
            for t in c.subtree if not t.is_punct and t.pos_ != "DET" and t.i not in optional]


def _core(verb: Token) -> list[Token]:
    """What the action cannot lose: its object or complement ("appeared in jeopardy", "was shot"), and the
    negation or auxiliary that sets its truth and time."""
    linking = verb.lemma_.lower() in LINKING
    return [c for c in verb.children
            if c.dep_ in CORE or (linking and c.dep_ == "prep" and c.i > verb.i)]


def optional_phrases(source: Doc) -> list[tuple[int, int]]:
    """The token ranges [start, end) of `source` a compression may cut, each a whole phrase of the parse with the
    commas or brackets that set it off, nested or apart, never crossing:
    - a verb's adjunct: a prepositional phrase not right after a verb it completes ("after the attack",
      ", according to police"), a clause ("…, smashing the daily record"), a second action with its "and"
      ("and charged with murder"); never one that holds a date, a time, an amount, a count, an ordinal or an
      adverb that narrows the claim (`_protected`: "who has three children", "in the first debate" stay);
    - a noun's apposition (", a former Army officer,"), and a relative or participial clause set off by a comma
      (", who arrived with the police,"): without the comma such a clause says which one is meant, and stays.
    Never one that holds a quotation, a word that turns the meaning (`KEEP`), an "if" or "unless", or the main
    action with who does it and its object: those are what verify asks a compression to keep. Nor one whose cut
    would break what is left (`_breaks`)."""
    protected = _protected(source)
    leaning = {t.left_edge.i for t in source if t.dep_ in _LEANING}
    paired_dashes = sum(t.text in _DASHES for t in source) > 1
    spans = [_phrase(token) for token in source if not token.is_space]
    cuts = [(span, _set_off(source, *span)) for span in spans if span is not None and _whole_words(source, *span)
            and not any(span[0] <= i < span[1] for i in protected)]
    return _laminar([cut for span, cut in cuts if not _breaks(source, span, cut, leaning, paired_dashes)])


def _breaks(source: Doc, span: tuple[int, int], cut: tuple[int, int], leaning: set[int], paired_dashes: bool) -> bool:
    """Whether cutting `cut` (the phrase at `span` with its set-off marks) breaks the rest of the sentence, where
    `leaning` holds where each apposition or clause that may lean on the noun before it starts, and `paired_dashes`
    says whether the sentence sets anything off with dashes:
    - what comes next leans on the phrase's last noun: an apposition or a clause (", the epicenter of the virus",
      "-- many of whom"), or a colon's list ("impacts of this tax hike alongside one of Sanders' proposals: the
      increase of the minimum wage");
    - a comma and an "and" follow, so the list would end on another noun ("Cheney, who was convicted of perjury,
      obstruction of justice, and making false statements");
    - the rest resumes on a verb whose subject went with the phrase ("As the movement captures attention, websites
      and posts | are spreading", a parse's slip), on a pronoun with nothing to refer to, on a preposition
      with no object ("issues both parties can get | on board | with"), or on the rest of a noun phrase the parse
      split ("said | in a Thursday night | Facebook post");
    - it follows a stretch of time that measures it ("came a day | after officials said…") or a modal whose verb
      the parse put in the phrase ("If the president can | , with impunity, remove the deputy attorney general,"),
      or starts or ends inside a name or a date ("September 11, | 2001 attackers");
    - it takes one dash of a pair ("Despite calls… -- with many more to come --"), the comma that opens the next
      aside (`_aside_follows`), the "in which" of a clause, or the "than" of a comparison the rest keeps ("more
      people of color than Trump's effort");
    - an opening phrase names who the rest calls he, his or they (`_strands_rest`)."""
    (_, end), (start, stop) = span, cut
    inside = source[start:stop]
    after = source[stop] if stop < len(source) else None
    measured = start > 0 and source[start - 1].dep_ == "npadvmod" and source[start - 1].lemma_.lower() in DURATIONS
    modal = start > 0 and source[start - 1].tag_ == "MD" and source[start - 1].dep_ not in ("aux", "auxpass")
    splits_name = any(e.start < start < e.end or e.start < stop < e.end for e in source.ents)
    return measured or modal or splits_name or bool(leaning.intersection(range(end, stop + 1))) or after is not None and (
        after.text == ":" or stop > end and after.dep_ == "cc"
        or after.pos_ == "ADP" and not any(c.dep_ in ("pobj", "pcomp") for c in after.children)
        or source[stop - 1].pos_ in _NOUNS and after.pos_ in _NOUNS and after.dep_ not in ("nsubj", "nsubjpass")
        or _resumes_without_subject(source, start, after)) \
        or paired_dashes and sum(t.text in _DASHES for t in inside) % 2 == 1 \
        or any(t.tag_ in _WH and not start <= _clause(t).i < stop for t in inside) \
        or any(_word(t) == "than" for t in inside) and any(t.tag_ in ("JJR", "RBR") for t in source[:start]) \
        or _strands_rest(source, start, stop) or source[stop - 1].text == "," and _aside_follows(source, stop)


def _resumes_without_subject(source: Doc, start: int, after: Token) -> bool:
    """Whether the word after a cut is a finite verb whose subject is not kept before the cut."""
    if after.tag_ not in _FINITE:
        return False
    verb = after.head if after.dep_ in ("aux", "auxpass") else after
    return not any(c.dep_ in ("nsubj", "nsubjpass", "expl") and c.i < start for c in verb.children)


def _clause(token: Token) -> Token:
    """The verb of the clause a word is in: its nearest verbal ancestor (itself for a verb)."""
    while token.pos_ not in ("VERB", "AUX") and token.head is not token:
        token = token.head
    return token


def _strands_rest(source: Doc, start: int, end: int) -> bool:
    """Whether cutting an opening phrase leaves a pronoun with nothing to refer to: the sentence would open on it
    ("While the population grew…, it was at a slower rate"), or the phrase names who the rest calls he, his or they
    ("Since President Trump nominated Judge Brett M. Kavanaugh…, gay Americans have been concerned about his
    confirmation")."""
    if start != 0 or end >= len(source):
        return False
    rest = source[end:]
    return rest[0].pos_ == "PRON" or any(t.pos_ == "PROPN" for t in source[start:end]) and any(
        _word(t) in THIRD_PERSON for t in rest)


def _phrase(token: Token) -> tuple[int, int] | None:
    """The range a compression may cut with `token` (its subtree, or with a joined action's "and"), or None."""
    head, dep = token.head, token.dep_
    span = _subtree_span(token)
    if head.i == token.i or span is None or _word(token) in KEEP or head.dep_ in ("advcl", "relcl", "acl") \
            and _misread(head) or _negated(head):
        return None
    start, end = span
    verbal = head.pos_ in ("VERB", "AUX")
    before = token.doc[start - 1] if start > 0 else None
    if verbal and _completes(token):
        return None  # "comes as the use of e-cigarettes has skyrocketed": the verb's only word after it
    if _attribution(token):
        return None  # "…, the candidate says, …": who says so, however the parse attaches it
    if dep == "prep" and verbal:
        if head.lemma_.lower() in LINKING and token.i > head.i or _says_whose(token) or _lasting(token) \
                or _scopes(token) or _word(token) == "as" or _names_who(token):
            return None
        return start, end
    if dep == "npadvmod" and verbal and any(t.like_num for t in token.subtree):
        return None  # "sank a record 16.4%": how much, not when
    if dep in ("npadvmod", "parataxis") and verbal or dep == "appos" and before is not None and before.text in ",(—–":
        return start, end  # an apposition without its comma names ("nominee Joe Biden"), and stays
    if dep in ("advcl", "relcl", "acl") and _misread(token):
        return None
    if dep == "advcl" and verbal:
        extraposed = head.lemma_.lower() in LINKING and token.i > head.i and any(
            c.dep_ == "nsubj" and _word(c) == "it" for c in head.children)  # "it's fitting for us to consider…"
        if extraposed or _absolute(token) or _completes_verb(token) or _says_what_happened(token) or any(
                c.dep_ == "mark" and _word(c) in KEEP for c in token.children):
            return None
        return start, end
    if dep in ("relcl", "acl"):
        return (start, end) if before is not None and before.text == "," else None
    if dep == "conj" and verbal and token.pos_ in ("VERB", "AUX") and before is not None and before.dep_ == "cc" \
            and before.head.i == head.i and not _listed(token, before) and _word(before) not in KEEP \
            and not _shares_object(token):  # "or reset"
        return before.i, end
    return None


def _misread(clause: Token) -> bool:
    """Whether the parse has misread a clause, so that its cut would take what the sentence says: a finite clause
    with no subject of its own ("after Bubba Wallace, its only Black driver, | took on an active role…", where
    Wallace is the subject), a relative clause read as an adverbial one ("doses of the vaccine | that it is not
    using to Mexico and Canada"), or an infinitive under a subordinator ("ballots received up to three days | after
    Election Day to be counted")."""
    finite = clause.tag_ in _FINITE or any(c.dep_ in ("aux", "auxpass") and c.tag_ in _FINITE for c in clause.children)
    subject = any(c.dep_ in ("nsubj", "nsubjpass", "expl", "csubj") for c in clause.children)
    opener = clause.doc[clause.left_edge.i]
    relative = _word(opener) in ("that", "which", "who", "whom") and opener.dep_ != "mark"
    marked_infinitive = _infinitive(clause) and any(c.dep_ == "mark" for c in clause.children)
    return finite and not subject or clause.dep_ == "advcl" and (relative or marked_infinitive)


def _negated(verb: Token) -> bool:
    """Whether the verb, or one it depends on, is negated ("doesn't believe a nomination should come up before the
    election", "has barely spoken to Biden since the inauguration"): a negation's scope takes in the adjuncts, and
    "did not leave on Monday" is not "did not leave"."""
    for token in (verb, *verb.ancestors):
        if any(c.dep_ == "neg" or c.dep_ == "advmod" and _word(c) in NEGATORS for c in token.children):
            return True
    return False


def _completes_verb(clause: Token) -> bool:
    """Whether an infinitive completes its verb rather than saying why: it comes right after the verb's object ("will
    provide President Trump | to claim…", "issuing any new orders | to mandate face masks"), or the verb takes one
    ("voted along party lines | to impeach President Trump"). Cut, the verb grants, issues or votes for nothing
    said, or for more than the source says."""
    head = clause.head
    if not _infinitive(clause):
        return False
    return head.lemma_.lower() in TAKES_INFINITIVE or any(
        c.dep_ in ("dobj", "dative") and c.right_edge.i + 1 == clause.left_edge.i for c in head.children)


def _attribution(verb: Token) -> bool:
    """Whether a reporting verb with its subject says who says the rest ("…, the conservative candidate says, …"):
    it reports nothing of its own (no object or clause), so what it reports is outside it."""
    return verb.pos_ in ("VERB", "AUX") and verb.lemma_.lower() in REPORTING and any(
        c.dep_ in ("nsubj", "nsubjpass") for c in verb.children) and not any(
        c.dep_ in ("dobj", "ccomp", "xcomp") for c in verb.children)


def _names_who(prep: Token) -> bool:
    """Whether a preposition right after its verb names who the verb's infinitive is about ("called | on Washington
    | to be firm"): cut, the infinitive loses its subject."""
    return prep.i == prep.head.i + 1 and any(c.dep_ == "xcomp" and c.i > prep.i for c in prep.head.children)


def _says_what_happened(clause: Token) -> bool:
    """Whether a "when" clause after its verb tells the event the rest judges ("was dealt a rare blow Tuesday | when
    voters in Missouri rejected a right-to-work law", "exceeded his authority | when he reversed bans on offshore
    drilling"): cut, the brief keeps the judgement and loses what happened."""
    return clause.i > clause.head.i and _word(clause.left_edge) == "when"


def stems(texts: Iterable[str]) -> frozenset[str]:
    """The first five letters of each word of `texts` (`read.words`): enough to match "smashed" with "smashing" and
    "state" with "states" across outlets' wordings. Figures need no match: none is ever cut (`FIGURES`)."""
    return frozenset(word[:5] for text in texts for word in words(text))


def _told_by_others(source: Doc, unit: tuple[int, int], units: list[tuple[int, int]], told: frozenset[str]) -> bool:
    """Whether most of the phrase's own content words (letters, not stop words; not those of a phrase inside it,
    which may go alone) are among `told` (`stems`)."""
    inner = {i for start, end in units if unit[0] <= start and end <= unit[1] and (start, end) != unit
             for i in range(start, end)}
    content = [_word(t)[:5] for t in source[unit[0]:unit[1]] if t.i not in inner and t.is_alpha and not t.is_stop]
    return bool(content) and sum(w in told for w in content) * 2 >= len(content)


def _infinitive(clause: Token) -> bool:
    """Whether the clause is a "to" infinitive."""
    return any(c.dep_ == "aux" and c.tag_ == "TO" for c in clause.children)


def _absolute(clause: Token) -> bool:
    """Whether a participle clause is the second half of a "with" phrase the parse split in two: "with the death toll
    Saturday climbing to at least 19,882" is not "with the death toll Saturday"."""
    return any(c.dep_ == "prep" and _word(c) == "with" and c.i < clause.i
               and not any(t.text == "," for t in clause.doc[c.right_edge.i + 1:clause.i]) for c in clause.head.children)


def _lasting(prep: Token) -> bool:
    """Whether a prepositional phrase counts a stretch of time ("in 25 years", "for three decades"), which scopes its
    clause: "the first time a Democrat had won a seat there" is false without "in 25 years"."""
    return any(c.dep_ == "pobj" and c.lemma_.lower() in DURATIONS and (c.tag_ == "NNS" or any(
        n.dep_ == "nummod" for n in c.children)) for c in prep.children)


def _scopes(prep: Token) -> bool:
    """Whether a prepositional phrase says how far the claim goes: how often ("at some point in every election
    cycle"), on what terms ("on a case-by-case basis"), or that it is one of several (", among other reasons")."""
    return any(_word(t) in SCOPING for t in prep.subtree) or any(
        c.dep_ == "pobj" and c.lemma_.lower() in TERMS for c in prep.children)


def _shares_object(conj: Token) -> bool:
    """Whether a joined action holds the object of both ("failing to repeal | and replace ObamaCare"): its verb has one,
    and the first verb, a bare or infinitive form, is followed by nothing but the "and" ("She resigned and founded a
    company" joins two actions). Cut, the first verb is left without it."""
    head, after = conj.head, conj.doc[conj.head.i + 1]
    return head.tag_ == "VB" and after.dep_ == "cc" and after.head.i == head.i and any(
        c.dep_ == "dobj" for c in conj.children)


def _listed(conj: Token, cc: Token) -> bool:
    """Whether a joined action is the last of a list ("A, B and C", "of perjury, obstruction of justice, and making
    false statements"), which its cut would leave as the comma splice "A, B"."""
    head = conj.head
    return head.dep_ == "conj" or cc.i > 0 and conj.doc[cc.i - 1].text == "," or any(
        c.dep_ in ("conj", "ccomp", "parataxis") and c.i != conj.i for c in head.children)


def _says_whose(prep: Token) -> bool:
    """Whether a verb's prepositional phrase right after its object completes the object, which the parse cannot
    tell from an adjunct: "sent aid to Ukraine", "threw her support behind Biden", "opens the president up to
    charges", "reversed course on its visa rules", "a leading role in developing a bill", "used him as a source". Only
    a circumstance is an adjunct there: where ("in London"), or what came before or around it
    ("after a chase", "despite calls")."""
    objects = [c for c in prep.head.children if c.dep_ == "dobj" and c.i < prep.i]
    if not any(all(t.dep_ == "prt" for t in prep.doc[o.right_edge.i + 1:prep.i]) for o in objects):
        return False
    if any(t.tag_ in ("JJS", "RBS") and t.i < o.i for o in objects for t in o.subtree):
        return True  # "suspend the most restrictive abortion law in the U.S.": the superlative's scope
    heads = [c for c in prep.children if c.dep_ == "pobj"]
    return not (_word(prep) in CIRCUMSTANCE or _word(prep) in LOCATING and any(c.ent_type_ in WHERE for c in heads))


def _subtree_span(token: Token) -> tuple[int, int] | None:
    """The range [start, end) of the token's subtree, or None where the parse does not write it in one piece (such a
    subtree is left whole)."""
    start, end = token.left_edge.i, token.right_edge.i + 1
    return (start, end) if end - start == sum(1 for _ in token.subtree) else None


def _completes(token: Token) -> bool:
    """Whether `token` is the first word after its verb (and the verb's particle) and the verb has no object ("relied
    on aid", "comes as…", "pushing back on his own chief of staff's comments"), or its object comes after it
    ("called into question the integrity of the election")."""
    head = token.head
    after = [c for c in head.children if c.i > head.i and not c.is_punct and c.dep_ != "prt"]
    return after[:1] == [token] and (token.dep_ == "prep" and any(c.dep_ == "dobj" and c.i > token.i
                                                                   for c in head.children) or not any(
        c.dep_ in ("dobj", "dative", "attr", "acomp", "ccomp", "xcomp") for c in head.children))


def _whole_words(source: Doc, start: int, end: int) -> bool:
    """Whether the range starts and ends between words: a cut "Trump" leaves "a -backed Republican", a cut "-2020"
    leaves "from 2010"."""
    opens = start == 0 or bool(source[start - 1].whitespace_) or source[start].text in (",", ";", "(", "[")
    closes = end == len(source) or bool(source[end - 1].whitespace_) or source[end].text in ",.;:!?)]—–\"”’'"
    return opens and closes


def _protected(source: Doc) -> set[int]:
    """Token indexes no optional phrase may hold: quotations, with their marks; each main action (the root, or what a
    reporting root reports) with its subject's head and its core; the adverbs that narrow a claim (`RESTRICTIVE`);
    and the figures (`FIGURES`): when it happened ("on Sunday", "Tuesday night", "in 2020"), how much and how many
    ("by nearly 10 percent", "$500"), which one ("the first debate"). The reader
    of a brief needs them, and a date's cut saves a word or two (on neus_val subsets, cutting dates cost model mode
    about a point of ROUGE-2; docs/quality.md)."""
    figures = {t.i for t in source if t.ent_type_ == "ORDINAL" or t.ent_type_ in FIGURES and t.pos_ != "ADJ"}  # "daily"
    return _quoted(source) | figures | _narrowed(source) | {
        t.i for action in _actions(source)
        for t in (action, *_core(action), *(c for c in action.children if c.dep_ in ("nsubj", "nsubjpass")))}


def _narrowed(source: Doc) -> set[int]:
    """The adverbs that narrow a claim (`RESTRICTIVE`), with the preposition they narrow when the parse hangs both on
    the verb ("will go [primarily] [to] schools"); not one that narrows another adverb ("only recently")."""
    narrowing = [t for t in source if t.lower_ in RESTRICTIVE and t.pos_ == "ADV" and t.head.pos_ != "ADV"]
    return {t.i for t in narrowing} | {t.i + 1 for t in narrowing if t.i + 1 < len(source)
                                       and source[t.i + 1].dep_ == "prep" and source[t.i + 1].head == t.head}


def _asks(source: Doc) -> bool:
    """Whether the sentence asks a question of its own (a question mark outside quotations): cut, "Who knew about it,
    and why was it not disclosed?" becomes the statement "Who knew about it."."""
    quoted = _quoted(source)
    return any(t.text == "?" and t.i not in quoted for t in source)


def _fragment(source: Doc) -> bool:
    """Whether the sentence has no main clause ("Because Obama's withdrawal led to…", "The suit, which is the first…")
    or was cut off inside a quotation: cut, it reads no better, and what it leans on is not in the brief."""
    text = source.text
    unclosed = text.count("“") != text.count("”") or text.count('"') % 2 == 1  # 'titled “U.S.': split mid-title
    return unclosed or any(root.pos_ not in ("VERB", "AUX") or any(c.dep_ == "mark" for c in root.children)
                           for root in _actions(source))


def _quoted(source: Doc) -> set[int]:
    """Indexes of the tokens that are part of a quotation, its marks included."""
    return {t.i for found in _QUOTATION.finditer(source.text) for t in source
            if t.idx < found.end() and found.start() < t.idx + len(t)}


def _actions(source: Doc) -> list[Token]:
    """The sentence's main actions: its roots. What a root reports ("…, officials said") is its core (`_core`), so
    the report is kept with who makes it."""
    return [t for t in source if t.dep_ == "ROOT"]


def _set_off(source: Doc, start: int, end: int) -> tuple[int, int]:
    """The range with the comma, dash or bracket before it, and the one after it where that pairs with the first (a
    comma with a comma, a dash with a dash: "Broadcasting, which funnels money to NPR and PBS -- a potential move"
    keeps its dash) or the phrase opens the sentence or its clause ("On Monday, police…", "said that although…, the
    decision"), and closes no clause opened before it (`_aside_open`): cut alone, either would be left dangling."""
    opener = source[start - 1].text if start > 0 and source[start - 1].text in _OPENERS else None
    opens_clause = start == 0 or source[start - 1].dep_ in _CLAUSE_OPENERS  # "said that although…, the…"
    if opener is not None:
        start -= 1
    closer = source[end].text if end < len(source) else None
    pairs = closer in _CLOSERS and (_PAIRS.get(opener or "") == closer or opener in _SET_OFF_DASHES
                                    and closer in _SET_OFF_DASHES)
    if (pairs or opener is None and opens_clause and closer in _CLOSERS) and not _aside_open(source, start):
        end += 1
    return start, end


def _aside_follows(source: Doc, start: int) -> bool:
    """Whether another phrase set off by commas comes next, before the verb it belongs to ("John Nosta, who is a
    member of the board, | in addition to his work with the WHO, sat down…"): cut with the comma that opens it, the
    phrase before leaves that one half set off ("John Nosta in addition to his work…, sat down")."""
    if start >= len(source):
        return False
    phrase = source[start]
    while phrase.head.i < start and phrase.head is not phrase and phrase.head.i >= phrase.left_edge.i:
        phrase = phrase.head
    last = phrase.right_edge.i
    return phrase.left_edge.i == start and phrase.head.i > last + 1 and last + 1 < len(source) \
        and source[last + 1].text == ","


def _aside_open(source: Doc, start: int) -> bool:
    """Whether a relative clause set off by a comma ("The legislation, which was co-sponsored by Sen. Tim Kaine, D-Va.,
    comes…") is still open at `start`: the comma that closes the phrase cut there closes that clause too, and stays."""
    commas = [t.i for t in source[:start] if t.text == ","]
    return bool(commas) and commas[-1] + 1 < len(source) and source[commas[-1] + 1].tag_ in _WH


def _laminar(units: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The ranges, widest first, each kept only if it holds or avoids every range kept before it."""
    kept: list[tuple[int, int]] = []
    for start, end in sorted(set(units), key=lambda u: (u[0] - u[1], u[0])):
        if all(end <= s or e <= start or (s <= start and end <= e) for s, e in kept):
            kept.append((start, end))
    return sorted(kept)


def deletion_grammar(source: Doc, told_stems: frozenset[str] = frozenset()) -> str | None:
    """A GBNF grammar (rule `root`) under which a model can write only `source` with at least one of its optional
    phrases cut (`optional_phrases`), each whole, and the rest word for word. None when nothing may be cut, or the
    sentence asks a question or is no whole sentence. (Asked to shorten a sentence and free to keep every phrase,
    SmolLM2 copies four long sentences in five whole.) A phrase that other sources tell too (most of its own content
    words, those of no phrase inside it, among `told_stems`: `stems` of their texts) is part of the story, not an
    aside, and is not cut, nor is a phrase that holds it."""
    found = [] if _asks(source) or _fragment(source) else optional_phrases(source)
    told = [u for u in found if _told_by_others(source, u, found, told_stems)]
    units = [u for u in found if not any(u[0] <= start and end <= u[1] for start, end in told)]
    if not units:
        return None
    rules: dict[str, str] = {}

    def parts(start: int, end: int) -> list[str | tuple[int, int]]:
        """The range as word literals and the widest optional phrases inside it."""
        out: list[str | tuple[int, int]] = []
        i = start
        while i < end:
            inner = max((u for u in units if u[0] == i and u[1] <= end and u != (start, end)), default=None,
                        key=lambda u: u[1])
            if inner is not None:
                out.append(inner)
                i = inner[1]
                continue
            if not source[i].is_space:
                glued = i > 0 and not source[i - 1].whitespace_ and not source[i - 1].is_space
                out.append('"' + _gbnf(("" if glued else " ") + source[i].text) + '"')
            i += 1
        return out

    def rule(kind: str, span: tuple[int, int]) -> str:
        """The name of the rule for the phrase at `span`: with any of its phrases cut (p), or at least one (c)."""
        name = f"{kind}{span[0]}x{span[1]}"
        if name not in rules:
            rules[name] = kept(parts(*span)) if kind == "p" else cut(parts(*span))
        return name

    def kept(sequence: list[str | tuple[int, int]]) -> str:
        return " ".join(p if isinstance(p, str) else f"{rule('p', p)}?" for p in sequence) or '""'

    def cut(sequence: list[str | tuple[int, int]]) -> str:
        """One alternative for each phrase that may be the first one cut: left out, or kept with a cut inside."""
        alternatives = []
        for k, part in enumerate(sequence):
            if isinstance(part, str):
                continue
            inside = [f"{rule('c', part)}?"] if any(part[0] <= u[0] and u[1] <= part[1] and u != part
                                                     for u in units) else []
            alternative = [x for x in (kept(sequence[:k]), *inside, kept(sequence[k + 1:])) if x != '""']
            alternatives.append("( " + (" ".join(alternative) or '""') + " )")
        return " | ".join(alternatives)

    return "root ::= " + cut(parts(0, len(source))) + "\n" + "".join(f"{name} ::= {body}\n" for name, body in rules.items())


def _gbnf(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def as_deletion(written: str) -> str:
    """What a model wrote under `deletion_grammar`, as a sentence: spaces trimmed, a dangling comma, colon or
    semicolon dropped, a capital where a cut opening phrase leaves "the", one full stop at the end ("U.S.", not
    "U.S..")."""
    text = written.strip().lstrip(",;:").rstrip(",;:").rstrip()
    if text.endswith("..") and not text.endswith("..."):
        text = text[:-1]
    text = text[:1].upper() + text[1:]
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
