"""When two stated values fill the same slot: the words around them, not the numbers, decide.

"37 cartel members were extradited" and "36 cartel members were extradited" fill one slot;
"37 transferred this week" and "92 in total" do not, nor "26 transferred last August". Two values
share a slot when their sentences say the same thing (close embeddings), the words next to the
values agree (the unit after a count, the event before a date), and nothing marks one of them as
another quantity: a total, an earlier or later event, a range, a score or a time of day.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import takewhile
from typing import NamedTuple

import snowballstemmer

from . import currency
from .quantities import CALENDAR, FULL_DATE, NUMBER_WORD, WEEKDAY_ORDER, WEEKDAYS, Value

_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word)


SAME_CLAIM_COSINE = 0.6  # sentences at least this close may state the same claim
CLOSE_CLAIM_COSINE = 0.75  # this close, fewer shared words around the values are enough
SAME_DATE_COSINE = 0.9


class WindowScale(NamedTuple):
    """Cosines of the words around two values (`Mention.window`, the values masked) in one encoder's vectors:
    below `other` they count different things whatever their sentences share; from `same` on they fill one slot."""

    other: float
    same: float


SENTENCE_WINDOWS = WindowScale(0.45, 0.75)  # the sentence model's vectors
# Static vectors distilled from the sentence model: on the 3,696 pairs of agreeing values of the tuning stories
# these two reproduce the slot decision of the sentence model's on 93.4 %, the best pair (docs/quality.md, issue 26).
STATIC_WINDOWS = WindowScale(0.375, 0.8)
WINDOW = 4  # content words looked at on each side of a value
_STOP = frozenset("""a an the of to in on at for by with from and or but as is was were be been being are has have
had that this these those it its he she they his her their them him who whom which what
than into about some such there here also not no nor so if when while where only just up out one all any each other
own same very can could will would should may might must do does did s ' around across near under after before
during since through against among between within without off onto upon via including like toward towards behind
beyond amid despite per cent percent""".split())
# Words that make a number another quantity than a plain count of the event: totals, other times, averages.
_MARKERS = {
    "total": "total overall altogether cumulative combined bringing brings brought tally now career all-time "
             "record".split(),
    "other time": "last previous previously earlier prior before ago next later since until past".split(),
    "rate": "average averaged averages averaging median".split(),  # "averaged 22.8 points" is no count
}
_SO_FAR = frozenset({("so", "far"), ("thus", "far")})
# Prepositions that put a date at the edge of a stretch of time rather than on the event: "came into 2010",
# "through Friday", "by March" say something else of the date than "in 2009" or "on Friday"
_EDGES = frozenset("into through throughout by".split())
_PARTS_OF_TIME = frozenset("early late mid".split())
_CLAUSE_OPENERS = frozenset((",", ";", "that", "which", "who", "whom", "whose", "where"))
# Nouns that scope a count to a stretch of time: "205 yards in the game" is not "4,183 yards this season".
_SCOPES = frozenset("day days week weeks month months year years season seasons game games decade".split())
# "at least 30" allows 37, "nearly 40" allows 37, "about 40" allows 37 to 43
_BOUNDS = {"least": "lower", "more": "lower", "over": "lower", "than": "lower", "nearly": "upper", "almost": "upper",
           "up": "upper", "under": "upper", "fewer": "upper", "less": "upper", "about": "about", "around": "about",
           "approximately": "about", "roughly": "about", "some": "about", "estimated": "about", "close": "about"}
_ABOUT = 0.15
_ROUNDED = frozenset(("count", "money", "percent"))  # kinds a writer rounds; never an age, a rank or a date
# a range's numbers ("between 4 and 7", "between ages 18 and 24", "from 4 to 7", "4-7"), a score's, a time of day;
# "7.6 and 7.5" without "between" is a list
_RANGE_BEFORE = re.compile(r"\bfrom\s+\S*$|\bbetween\s+(?:\S+\s+){0,2}$|\bbetween\s+(?:\S+\s+){1,3}and\s*$"
                           r"|\d\s*(?:-|–|to|:|/)\s*$", re.IGNORECASE)
_RANGE_AFTER = re.compile(r"^\s*(?:-|–|to|or|:|/)\s*[$£€]?\d|^\s*[ap]\.?\s?m\b", re.IGNORECASE)
_AGE_OF = re.compile(r"[\s-]*years?[\s-]*old\s+((?:[a-z]+\s+){0,2}(?:[A-Z][\w'’-]*\s*){1,3})")  # "-year-old Reid"
_AGE_WORDS = frozenset(("-", "year", "years", "old", "year-old", "years-old"))
_CROWDED = 3  # a sentence with more numbers than this is a line of statistics
# Units of measure: two counts in different units ("200 feet", "700 meters") are never the same count.
_MEASURES = frozenset(stem(w) for w in """foot feet meter metre kilometer kilometre km mile yard inch pound kilogram kg
ton tonne hour minute second day week month year degree caliber acre gallon liter litre dollar euro point""".split())
_LABEL_WORDS = 4  # words of the noun phrase that name what a slot counts
_OWNER = 3  # words before a count where a capitalised name says whose it is
_NEAR = 6  # words around a value where a date dates it and a name owns it
_WORDS = re.compile(r"[A-Za-z]{2,}")
_CAPITALISED = re.compile(r"\b[A-Z][\w'’-]+")
_EVERY = re.compile(r"\s+of\s+(?:every|each)\b", re.IGNORECASE)
_DATE_SCOPE = re.compile(r"\s+(?:of\s+)?(this|last|next)\s+(\w+)", re.IGNORECASE)  # "December 15 of this year"




@dataclass(frozen=True, slots=True)
class Context:
    """What sits around one stated value, reduced to what the slot test compares."""

    before: tuple[str, ...]  # stems of the content words before, nearest first
    after: tuple[str, ...]  # stems of the content words after, nearest first
    head: str  # what a count counts: the last word of the noun phrase after it ("cartel members")
    names: frozenset[str]  # capitalised words just before: whose count it is ("Lawson had 16 points")
    markers: frozenset[str]  # "total", "other time" when such words are near, and scope nouns ("season")
    bound: str | None  # "lower" (at least 30), "upper" (nearly 40), "about" (about 40, or a round 2,000)
    excluded: bool  # part of a range, a score, a time of day or a name ("IE 8"): never compared
    anchors: frozenset[str]  # the other dates of the sentence: when the claim happened
    alone: bool  # the only value of its kind in the sentence
    proper: frozenset[str]  # stems of the sentence's capitalised words: names, not events
    crowded: bool  # in a sentence of more than `_CROWDED` numbers: a line of statistics


def _content(tokens: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    words = [stem(t) for t in tokens
             if t[:1].isalpha() and t not in _STOP and t not in _BOUNDS and not NUMBER_WORD.fullmatch(t)]
    return tuple(words[:WINDOW])


def _head(value: Value, sentence: str) -> str:
    """The last word of the noun phrase after the value; for a compound ("73-yard drive") its unit too."""
    words = [t for t in _phrase(value.after) if t[:1].isalpha()]
    head = stem(words[-1]) if words else ""
    if sentence[value.end:value.end + 1] == "-" and value.after[1:2] and value.after[1][:1].isalpha():
        return f"{stem(value.after[1])}-{head}"  # what the compound measures, and of what
    return head


def _clause_before(before: tuple[str, ...]) -> tuple[str, ...]:
    """The words of the value's clause before it, back to a comma, a semicolon or a word that opens a clause
    ("bringing the total ... to"; "so intent on voting in last year's primary that he waited", "he waited")."""
    cut = max((k for k, t in enumerate(before) if t in _CLAUSE_OPENERS), default=-1)
    opened = cut >= 0 and before[cut].isalpha()  # a clause a word opens holds its own time words, however short
    return before[cut + 1:] if opened or len(before) - cut > 3 else before[-8:]


def _clause(after: tuple[str, ...]) -> tuple[str, ...]:
    """The words after a value up to the next punctuation or "and": "20 points and now has" keeps "points"."""
    cut = next((k for k, t in enumerate(after) if t in ("and", "but", "while") or not (t[:1].isalnum() or t == "-")),
               len(after))
    return after[:cut]


def _phrase(after: tuple[str, ...]) -> list[str]:
    phrase: list[str] = []
    for token in after:
        if token in _STOP or not (token[:1].isalnum() or token == "-"):
            break
        phrase.append(token)
    return phrase


def _names(sentence: str, value: Value) -> frozenset[str]:
    """Capitalised words just before the value and in the noun phrase after it."""
    window = " ".join(sentence[:value.start].split()[-_OWNER:])
    at_start = sentence[:value.start].strip() == window.strip()
    phrase = " ".join(sentence[value.end:].split()[:len(_phrase(value.after))])
    words = _CAPITALISED.findall(window)[1 if at_start else 0:] + _CAPITALISED.findall(phrase)
    return frozenset(w[:5].lower() for w in words if w.lower() not in _STOP and w.lower() not in CALENDAR)


def _excluded(value: Value, sentence: str, values: tuple[Value, ...]) -> bool:
    before, after = sentence[:value.start], sentence[value.end:]
    named = value.kind in ("count", "ordinal") and re.search(r"(?<=\S )[A-Z][\w.]*\s$", before) is not None  # "IE 8"
    converted = before.rstrip().endswith("(")  # "10 kilometres (6 miles)": the same value in other units
    words = [w for w in _WORDS.findall(sentence) if w.lower() not in CALENDAR]
    if len(words) < 3:
        return True  # a dateline or a bare figure ("26 September 2013, 10:00 (GMT+05:00)"): no claim
    return bool(_RANGE_BEFORE.search(before) or _RANGE_AFTER.match(after) or named or converted
                or "ago" in value.after[:3]  # "12 days ago": relative to a date the text does not give
                or value.kind == "date" and _EVERY.match(after) is not None  # "the second Tuesday of every month"
                or value.after[:1] and (value.after[0][:1].isdigit() or NUMBER_WORD.fullmatch(value.after[0])))


def person(value: Value, sentence: str) -> list[str]:
    """The capitalised words naming whose age a value is, as written: after "33-year-old", or before "Reid, 33,"."""
    if _AGE_WORDS & set(value.after[:2]):
        words = _AGE_OF.match(sentence[value.end:])
        found = words.group(1).split() if words else []
    else:
        found = re.findall(r"[A-Z][\w'’-]*", " ".join(sentence[:value.start].split()[-2:]))
    return [w for w in found if w[:1].isupper()]


def counted(value: Value, sentence: str) -> str:
    """What a value counts, as the sentence writes it: the noun phrase after it ("cartel members"), at most
    `_LABEL_WORDS` words and up to a preposition ("12 bridges over the Rhône"); empty when no noun follows."""
    end = value.end
    for token in list(takewhile(lambda t: t not in _BOUNDS, _phrase(value.after)))[:_LABEL_WORDS]:
        found = re.compile(re.escape(token), re.IGNORECASE).search(sentence, end)
        if found is None:
            break
        end = found.end()
    return sentence[value.end:end].strip(" -")


def _dates(anchor: Value, value: Value, sentence: str) -> bool:
    """Whether `anchor` says when `value` happened: it opens the sentence ("In 2008, ...") or shares its clause."""
    between = sentence[min(anchor.end, value.end):max(anchor.start, value.start)]
    return len(sentence[:anchor.start].split()) <= 2 or not re.search(r"[,;:()]|\band\b", between)


def _dating(values: tuple[Value, ...], sentence: str) -> set[str]:
    """The time words that complete a date of the sentence: "this" and "year" in "December 15 of this year"."""
    words: set[str] = set()
    for value in values:
        found = _DATE_SCOPE.match(sentence, value.end) if value.kind == "date" else None
        if found and found.group(2).lower() in _SCOPES:
            words |= {found.group(1).lower(), found.group(2).lower()}
    return words


def context(value: Value, sentence: str, values: tuple[Value, ...] = ()) -> Context:
    """The slot features of `value` as stated in `sentence` (`values`: all values of the sentence)."""
    clause = (*_clause_before(value.before[-15:]), *_clause(value.after[:len(_phrase(value.after)) + 2]))
    near = set(clause)
    if value.kind != "date":  # "set for December 15 of this year": the date's words, not the count's
        near -= _dating(values, sentence)
    unit = value.after[1:2] if sentence[value.end:value.end + 1] == "-" else _phrase(value.after)[-1:]
    scopes = {w.removesuffix("s") for w in near - set(unit) if w in _SCOPES} if value.kind != "date" else set()
    if value.before[-2:] == ("total", "of"):  # "a total of 288 candidates" is phrasing, not a running total
        near = near - {"total"}
    other_times = near & set(_MARKERS["other time"])  # "previously" and "since October" are two windows
    markers = frozenset(name for name, words in _MARKERS.items() if near & set(words)) | scopes | other_times
    if _SO_FAR & set(zip(clause, clause[1:])):  # "has so far lost seven soldiers"
        markers |= {"total"}
    if value.kind == "date":
        edge = next((w for w in reversed(value.before[-2:]) if w not in _PARTS_OF_TIME), None)  # "into early 2010"
        if edge in _EDGES and not re.match(r"['’]s\b", sentence[value.end - 2:]):
            markers |= {edge}  # not a thing of that date: "came into Sunday's game"
    bound = next((_BOUNDS[w] for w in reversed(value.before[-3:]) if w in _BOUNDS), None)
    if bound == "lower" and value.before[-1:] == ("than",) and value.before[-2:-1] in (("fewer",), ("less",)):
        bound = "upper"
    if bound is None and value.kind in ("count", "money") and re.fullmatch(r"[1-9]0{2,}", value.value):
        bound = "about"
    anchors = frozenset(v.value for v in values if v.kind == "date" and v != value and _dates(v, value, sentence))
    before, after = _content(list(reversed(value.before))), _content(value.after)
    if value.kind == "age":  # the person: "Reid, 33," or "the 33-year-old Reid"
        names = (w.lower().removesuffix("’s").removesuffix("'s") for w in person(value, sentence))
        before = after = tuple(sorted(stem(name) for name in names))
    return Context(before, after, _head(value, sentence), _names(sentence, value), markers, bound,
                   _excluded(value, sentence, values), anchors, sum(v.kind == value.kind for v in values) <= 1,
                   frozenset(stem(w.lower()) for w in _CAPITALISED.findall(sentence)),
                   value.kind not in ("date", "age") and sum(v.kind != "date" for v in values) > _CROWDED)


def compatible(kind: str, a: str, b: str, bound_a: str | None = None, bound_b: str | None = None) -> bool:
    """Whether two normalised values can both be true of one slot: a date and its month, "at least 30" and 37."""
    if a == b:
        return True
    if kind == "date":
        if (a in WEEKDAYS) != (b in WEEKDAYS):  # "Thursday" where the other source dated the day: its weekday
            weekday, day = (a, b) if a in WEEKDAYS else (b, a)
            return _weekday_of(day) == weekday
        return a.startswith(b) or b.startswith(a) or a.endswith(b) or b.endswith(a)
    low_a, high_a = _interval(float(a), bound_a)
    low_b, high_b = _interval(float(b), bound_b)
    return low_a <= high_b and low_b <= high_a


def agree(a: Value, ca: Context, b: Value, cb: Context, day: date | None = None) -> bool:
    """Whether two stated values can both be true of one slot, as written: `compatible`, and also a round figure
    and a precise one it rounds ("$13 billion", "$13.9 billion"; "five", "four and a half"), and one amount in two
    currencies at the rates of `day`'s month (`currency`; any month of the table when `day` is None)."""
    if a.kind == "money" and a.unit != b.unit:
        return bool(ca.bound or cb.bound) or currency.same_amount(float(a.value), a.unit, float(b.value), b.unit,
                                                                  a.step, b.step, day)
    if a.kind in _ROUNDED and a.step != b.step:
        coarse, fine = (a, b) if a.step > b.step else (b, a)
        places = float(fine.value) / coarse.step  # the precise value, in units of the round one's last digit
        if round(float(coarse.value) / coarse.step) in (math.floor(places + 1e-9), math.floor(places + 0.5)):
            return True  # rounded to the nearest, or cut ("$13 billion" for 13.9)
    return compatible(a.kind, a.value, b.value, ca.bound, cb.bound)


def _weekday_of(day: str) -> str | None:
    """The weekday of a full date; None for a partial one or a day no calendar has ("February 29, 2025")."""
    try:
        return WEEKDAY_ORDER[date.fromisoformat(day).weekday()] if FULL_DATE.fullmatch(day) else None
    except ValueError:
        return None


def _interval(value: float, bound: str | None) -> tuple[float, float]:
    if bound == "lower":
        return value, float("inf")
    if bound == "upper":
        return 0.0, value
    if bound == "about":
        return value * (1 - _ABOUT), value * (1 + _ABOUT)
    return value, value


def comparable_dates(a: str, b: str) -> bool:
    """Two dates written alike (two years, two days of a month), or a weekday and a day it may name; a year beside
    a day says nothing."""
    if a in WEEKDAYS or b in WEEKDAYS:
        return all(day in WEEKDAYS or FULL_DATE.fullmatch(day) is not None for day in (a, b))
    return a[0].isdigit() and b[0].isdigit() and a.count("-") == b.count("-") and len(a) == len(b)


def comparable(a: Value, ca: Context, b: Value, cb: Context, cosine: float) -> bool:
    """Whether two values of two sentences (embedding `cosine` apart) may fill one slot: the cheap tests first."""
    if a.kind != b.kind or ca.excluded or cb.excluded or cosine < SAME_CLAIM_COSINE:
        return False
    if not currency.known(a.unit, b.unit):  # no rate converts one amount into the other: never compared
        return False
    if a.kind != "age" and ca.markers != cb.markers:  # an age belongs to its person: "another climber, 22-year-old"
        return False
    if a.kind == "date" and not comparable_dates(a.value, b.value):
        return False
    if ca.anchors and cb.anchors and not any(compatible("date", x, y) for x in ca.anchors for y in cb.anchors):
        return False  # dated differently: they speak of different times
    return a.kind in ("age", "date") or not ca.names or not cb.names or bool(ca.names & cb.names)  # "Lawson had 16"


def same_slot(a: Value, ca: Context, b: Value, cb: Context, cosine: float, window: float,
              scale: WindowScale = SENTENCE_WINDOWS) -> bool:
    """Whether two `comparable` values fill one slot, their sentences `cosine` apart and the words around them
    `window` (on the `scale` of the vectors it was measured with)."""
    if window < scale.other:
        return False  # the words around the values differ: "hit by seven bullets", "loaded with four bullets"
    if ca.crowded or cb.crowded:  # a line of statistics: only the same words around the same unit tell one slot
        return window >= scale.same and bool(ca.head) and ca.head == cb.head
    if window >= scale.same:
        return True  # the words around the values say the same: "the 12th actor to take up", "the 12th actor to play"
    shared = len(set(ca.before[:3]) & set(cb.before[:3])) + len(set(ca.after[:3]) & set(cb.after[:3]))
    if a.kind == "date":  # the event a date dates sits on either side: "fell ... on Saturday", "On Saturday, ... fell"
        around = _shared_around(ca, cb, 4)
        events = around - ca.proper - cb.proper  # "killed", "arrested": names alone do not make one event
        return len(around) >= 2 and cosine >= SAME_DATE_COSINE or (
            len(around) >= 3 and len(events) >= 2 and cosine >= CLOSE_CLAIM_COSINE)
    if a.kind == "age":  # one person, even spelled two ways ("Rait", "Raite")
        return any(x[:4] == y[:4] for x in ca.before for y in cb.before)
    if a.kind in ("money", "percent") and ca.alone and cb.alone and cosine >= CLOSE_CLAIM_COSINE:
        return True  # the currency or the percent sign is the unit: one sum in two close sentences is one sum
    measured = ca.head in _MEASURES or cb.head in _MEASURES or "-" in ca.head + cb.head
    if ca.alone and cb.alone and cosine >= CLOSE_CLAIM_COSINE and shared >= 1 and not measured:
        return True  # paraphrases that each state one such count state the same one ("37 members", "37 inmates")
    # words shared on either side: "celebrate the 96th anniversary of the Interior Department", "visited the
    # Interior Department to commemorate its 160th anniversary"
    either_side = len(_shared_around(ca, cb, 3))
    return bool(ca.head) and ca.head == cb.head and (
        shared >= 2 or either_side >= 2 or (shared >= 1 and cosine >= CLOSE_CLAIM_COSINE))


def _shared_around(ca: Context, cb: Context, words: int) -> set[str]:
    """The content words within `words` of each value, on either side, that both contexts have."""
    return {*ca.before[:words], *ca.after[:words]} & {*cb.before[:words], *cb.after[:words]}
