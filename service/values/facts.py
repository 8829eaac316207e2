"""Checkable facts in a sentence: numbers, dates and names.

Stories use them to tell apart events that embeddings merge (26 transferred vs 37 transferred);
verify uses them to reject generated sentences whose facts are not in the cited evidence.
Number words become digits ("twenty-six" → 26, "third" → 3rd) through text2num.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from text_to_num import alpha2digit

_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?:st|nd|rd|th)?(?:\s?%)?")
_NAME = re.compile(r"[A-ZÀ-Þ][\w’'\-]*(?:\s+(?:(?:de|del|la|van|von|al|bin|of|the)\s+)?[A-ZÀ-Þ][\w’'\-]*)*")
MONTH_ORDER = tuple("january february march april may june july august september october november december".split())
WEEKDAY_ORDER = tuple("monday tuesday wednesday thursday friday saturday sunday".split())
MONTHS = frozenset(MONTH_ORDER)
_DAY_NAMES = MONTHS | frozenset(WEEKDAY_ORDER)
_YEAR = re.compile(r"^(1[89]|20)\d\d$")
_CONNECTORS = frozenset(("of", "the", "de", "del", "la", "van", "von", "al", "bin"))
_POSSESSIVE = re.compile(r"[’']s$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Facts:
    numbers: frozenset[str]
    dates: frozenset[str]
    names: frozenset[str]

    def __or__(self, other: Facts) -> Facts:
        return Facts(self.numbers | other.numbers, self.dates | other.dates, self.names | other.names)


EMPTY = Facts(frozenset(), frozenset(), frozenset())


def _normalize_number(token: str) -> str:
    token = token.replace(" ", "")
    return token.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+", token.rstrip("%")) else token


@lru_cache(maxsize=65536)
def extract_facts(sentence: str) -> Facts:
    """Return the numbers, dates and name words stated in one sentence."""
    numbers: set[str] = set()
    dates: set[str] = set()
    names: set[str] = set()
    for match in _NUMBER.finditer(alpha2digit(sentence, "en")):
        token = _normalize_number(match.group())
        (dates if _YEAR.match(token) else numbers).add(token)
    for _, words in _name_runs(sentence):
        for word in words:
            if word in _DAY_NAMES:
                dates.add(word)
            elif _is_name_word(word):
                names.add(word)
    return Facts(frozenset(numbers), frozenset(dates), frozenset(names))


def _name_runs(sentence: str) -> Iterator[tuple[list[str], list[str]]]:
    """Each run of capitalised words: its words as written (without a possessive 's) and as facts compare them."""
    for match in _NAME.finditer(sentence):
        written = [_POSSESSIVE.sub("", w.strip("’'-")) for w in match.group().split()]
        words = [w.strip("’'-").lower().removesuffix("’s").removesuffix("'s") for w in match.group().split()]
        at_start = match.start() == len(sentence) - len(sentence.lstrip(" \"“‘'("))
        if at_start and words[0] in _STARTERS:  # "On Monday", "The Senate": the first word is no name
            written, words, at_start = written[1:], words[1:], False
        if words and not (at_start and len(words) == 1):  # a capitalised first word is usually not a name
            yield written, words


def _is_name_word(word: str) -> bool:
    return len(word) > 1 and word not in _CONNECTORS and word not in _DAY_NAMES


def names_as_written(sentences: list[str], wanted: frozenset[str] | set[str]) -> list[str]:
    """The names of the sentences as they write them ("New Zealand", "Mt Cook") that hold any of the `wanted`
    name words (`Facts.names`), each once, in order of appearance."""
    found: dict[str, None] = {}
    for sentence in sentences:
        for written, words in _name_runs(sentence):
            kept = [n for n, word in enumerate(words) if _is_name_word(word)]
            if kept and wanted & {words[n] for n in kept}:
                found.setdefault(" ".join(written[kept[0]:kept[-1] + 1]))
    return list(found)


_STARTERS = frozenset("""a an the this that these those it its he she they we i you his her their our there here
but and or so as at in on of for with by from to after before when while during if since although though because
however meanwhile also yet still then now today yesterday according what who which where how why some many most all
both each one no not more other such than officials""".split())


def claimed_names(sentence: str) -> frozenset[str]:
    """Name words a sentence asserts, including a capitalised first word that is not a common starter."""
    names = set(extract_facts(sentence).names)
    first = re.match(r"[\s\"“‘'(]*([A-ZÀ-Þ][\w’'\-]*)", sentence)
    if first:
        word = first.group(1).strip("’'-").lower().removesuffix("’s").removesuffix("'s")
        if word not in _STARTERS and word not in _DAY_NAMES:
            names.add(word)
    return frozenset(names)


_COUNTED = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)*)\s+((?:[A-Za-z][\w-]*\s+){0,2}[A-Za-z][\w-]*)")


@lru_cache(maxsize=65536)
def counts(sentence: str) -> frozenset[tuple[str, str]]:
    """(count, counted word) pairs a sentence states: "37 suspected cartel members" gives (37, suspected),
    (37, cartel), (37, member). Ordinals, years and small counts are left out; plurals are folded."""
    found = set()
    for match in _COUNTED.finditer(alpha2digit(sentence, "en")):
        number = _normalize_number(match.group(1))
        if _YEAR.match(number) or (number.isdigit() and int(number) <= 10):
            continue
        for word in match.group(2).lower().split():
            if len(word) >= 4:
                found.add((number, word.removesuffix("s")))
    return frozenset(found)


def facts_of(sentences: list[str]) -> Facts:
    """Union of the facts of several sentences."""
    result = EMPTY
    for sentence in sentences:
        result = result | extract_facts(sentence)
    return result
