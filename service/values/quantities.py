"""Typed values stated in a sentence: counts, ordinals, money, percentages, ages and dates.

Each value keeps its `[start, end)` in the sentence and the words around it, because the same
number means different things in different places ("37 transferred" and "92 in total"): the
claims stage compares those words, never the bare numbers. Values are normalised so that
"thirty-seven", "37" and "37.0" compare equal, "2,000" is 2000 and "$2.5 million" is 2500000.
Money keeps its currency ("£88m" is 88000000 GBP) and every number the precision it is written
with ("$13 billion" to the billion, "13.9 billion" to the hundred million), so that a round figure
is not taken to deny a precise one. Weekdays and "yesterday"/"today" become calendar dates when the
article's publication date is given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

from text_to_num import alpha2digit

from .facts import MONTH_ORDER, WEEKDAY_ORDER

Kind = Literal["count", "ordinal", "money", "percent", "age", "date"]

_UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
          "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand")
_ORDINALS = ("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
             "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth thirtieth fortieth fiftieth")
_ORDINAL_WORDS = frozenset(_ORDINALS.split())
NUMBER_WORD = re.compile(rf"(?:{'|'.join(_UNITS.split() + _ORDINALS.split())})(?:-\w+)?")
_WORD = rf"(?:{'|'.join(_UNITS.split())}|{'|'.join(_ORDINALS.split())})"
_SCALES = {"thousand": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12}
# ISO 4217 codes of the currencies a sign or a word names; a bare "$" is taken for US dollars
_CURRENCIES = {"$": "USD", "us$": "USD", "a$": "AUD", "au$": "AUD", "c$": "CAD", "ca$": "CAD", "nz$": "NZD",
               "hk$": "HKD", "£": "GBP", "€": "EUR", "dollar": "USD", "dollars": "USD", "euro": "EUR", "euros": "EUR",
               "yen": "JPY", "yuan": "CNY"}
_VALUE = re.compile(
    rf"(?<![\w.,/:$£€-])(?P<currency>(?:(?:US|AU?|CA?|NZ|HK)(?=\$))?[$£€]\s?)?"
    rf"(?:(?P<digits>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<suffix>st|nd|rd|th)?"
    rf"|(?P<words>{_WORD}(?:(?:\s+and\s+|[\s-]+){_WORD})*))"
    rf"(?P<half>(?:\s+|-)and(?:\s+|-)a(?:\s+|-)half)?"
    rf"(?:[\s-]?(?P<scale>{'|'.join(_SCALES)})\b)?(?P<percent>\s?%|\s(?:percent|per\s+cent)\b)?"
    rf"(?P<unit>\s(?:dollars?|euros?|yen|yuan)\b)?"
    rf"(?![\w]|[.,:/-]\d|-(?:{_WORD})\b)", re.IGNORECASE)
_EXACT_BELOW = 100  # "20 points", "minus 17 degrees": a whole number under 100 is written as counted, not rounded
_AGE_AFTER = re.compile(r"^\s?-?\s?years?\s?-?\s?old\b", re.IGNORECASE)
_AGE_BEFORE = re.compile(r"(?:\baged?\s|[A-Z][a-z]+,\s)$")
_MONTH = {m: n for n, m in enumerate(MONTH_ORDER, start=1)} | {
    m[:3]: n for n, m in enumerate(MONTH_ORDER, start=1)} | {"sept": 9}
WEEKDAYS = frozenset(WEEKDAY_ORDER)
FULL_DATE = re.compile(r"\d{4}-\d\d-\d\d")  # a date with year, month and day, as `values_in` writes it
CALENDAR = WEEKDAYS | frozenset(MONTH_ORDER)
_DATE = re.compile(
    r"\b(?:(?P<month>" + "|".join(sorted(_MONTH, key=len, reverse=True)) + r")\.?"
    r"(?:\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?)?"
    r"(?:,?\s+(?P<year>(?:19|20)\d\d))?|(?P<day2>\d{1,2})\s+(?P<month2>" + "|".join(MONTH_ORDER) + r")"
    r"(?:\s+(?P<year2>(?:19|20)\d\d))?|(?P<weekday>" + "|".join(WEEKDAY_ORDER) + r")(?:['’]s)?"
    r"|(?P<relative>yesterday)|(?<![$£€\d,.])(?P<alone>(?:19|20)\d\d)(?![\d%]|[.,]\d|s\b))\b", re.IGNORECASE)
_FUTURE = re.compile(r"\b(?:will|shall|next|is (?:due|set|scheduled|expected) to|are (?:due|set|scheduled|expected) "
                     r"to)\b|['’]ll\b", re.IGNORECASE)  # in a weekday's clause: the day is still to come
_TOKEN = re.compile(r"\d[\d,.]*\d|\w[\w’'-]*|[^\w\s]")


@dataclass(frozen=True, slots=True)
class Value:
    """One typed value in a sentence: `text[start:end]` is how the sentence writes it."""

    kind: Kind
    value: str  # normalised: "37", "2500000", "2005-03-11", "tuesday", "2005-03"
    start: int
    end: int
    before: tuple[str, ...]  # lower-cased tokens before the value, nearest last
    after: tuple[str, ...]  # lower-cased tokens after it, nearest first
    unit: str = ""  # the currency of an amount of money (ISO 4217: "USD", "EUR"), else empty
    step: float = 1.0  # the precision it is written with: 1e9 for "$13 billion", 0.5 for "four and a half"


def _number(text: str) -> float | None:
    converted = alpha2digit(text.lower().replace(" and ", " "), "en", threshold=0)
    digits = re.fullmatch(r"(\d+(?:\.\d+)?)(?:st|nd|rd|th)?", converted.replace(",", ""))  # "two three": no number
    return float(digits.group(1)) if digits else None


def _plain(number: float) -> str:
    return str(int(number)) if number == int(number) else f"{number:g}"


def _step(match: re.Match[str], scale: float) -> float:
    """The precision a number is written with: its last digit's place ("13.9" 0.1, "2,000" 1000, "420" 10), in
    units of its scale; a half for "four and a half"; 1 for a whole number under `_EXACT_BELOW` or in words."""
    if match.group("half"):
        return 0.5 * scale
    digits = (match.group("digits") or "").replace(",", "")
    if "." in digits:
        return 10.0 ** -len(digits.split(".")[1]) * scale
    zeros = len(digits) - len(digits.rstrip("0")) if digits.strip("0") else 0
    return 10.0 ** zeros * scale if scale > 1 or int(digits or 0) >= _EXACT_BELOW else float(scale)


def _currency(match: re.Match[str]) -> str:
    """The ISO 4217 code of the sign before an amount or the word after it; empty for a plain number."""
    sign = (match.group("currency") or "").strip().lower()
    word = (match.group("unit") or "").strip().lower()
    return _CURRENCIES.get(sign) or _CURRENCIES.get(word, "")


Found = tuple[Kind, str, int, int, str, float]  # kind, value, start, end, currency, precision


def _numbers(sentence: str, taken: list[tuple[int, int]]) -> list[Found]:
    found: list[Found] = []
    for match in _VALUE.finditer(sentence):
        start, end = match.span()
        if any(s < end and start < e for s, e in taken):
            continue
        raw = match.group("digits") or match.group("words")
        number = _number(raw)
        if number is None or (match.group("words") and raw.lower() == "one"):
            continue  # "one" is mostly a pronoun ("one of the", "no one"), not a count
        scale = (match.group("scale") or "").lower()
        currency = _currency(match)
        if scale in ("m", "mn", "bn") and not currency:
            continue
        number = (number + (0.5 if match.group("half") else 0)) * _SCALES.get(scale, 1)
        kind: Kind = "count"
        if currency:
            kind = "money"
        elif match.group("percent"):
            kind = "percent"
        elif match.group("suffix") or (match.group("words") and re.split(r"[\s-]", raw.lower())[-1] in _ORDINAL_WORDS):
            kind = "ordinal"
        elif _AGE_AFTER.match(sentence[end:]) or (_AGE_BEFORE.search(sentence[:start]) and
                                                   sentence[end:end + 1] in (",", ")") and 10 <= number < 110):
            kind = "age"
        found.append((kind, _plain(number), start, end, currency, _step(match, _SCALES.get(scale, 1.0))))
    return found


def _dates(sentence: str, published: date | None) -> list[Found]:
    found: list[Found] = []
    weekday_end = None  # where the weekday just found ends: a date right after it names that day again
    for match in _DATE.finditer(sentence):
        g = match.groupdict()
        if g["weekday"] and not g["weekday"][0].isupper():
            continue
        if g["weekday"] or g["relative"]:
            ahead = bool(g["weekday"]) and _FUTURE.search(sentence[:match.start()].split(",")[-1]) is not None
            found.append(("date", _resolve(match.group("weekday") or match.group("relative"), published, ahead),
                          *match.span(), "", 1.0))
            weekday_end = match.end() if g["weekday"] else None
            continue
        month_name, day, year = g["month"] or g["month2"], g["day"] or g["day2"], g["year"] or g["year2"] or g["alone"]
        if month_name and (not month_name[0].isupper() or (len(month_name) <= 4 and not (day or year))):
            continue  # "may", "mar" and "march" as verbs; "Jan" alone as a name
        month = _MONTH[month_name.lower()] if month_name else None
        if day and not 1 <= int(day) <= 31:
            continue
        value = "-".join([year or "????"] + ([f"{month:02d}"] if month else []) + ([f"{int(day):02d}"] if day else []))
        value = value.removeprefix("????-") if not year else value
        start = match.start()
        if day and weekday_end is not None and re.fullmatch(r",?\s*", sentence[weekday_end:start]):
            _, weekday, start, *_ = found.pop()  # "Tuesday, January 20, 2026" names one day
            value = weekday if not year and weekday.endswith(value) else value  # "Tuesday, Jan. 20" keeps its year
        found.append(("date", value, start, match.end(), "", 1.0))
        weekday_end = None
    return found


def _resolve(word: str, published: date | None, ahead: bool = False) -> str:
    """A weekday or relative day as a date: the last such day on or before publication, or the first on or after
    it when the clause speaks of the future ("Biden will travel to Tulsa on Monday")."""
    word = word.lower().removesuffix("'s").removesuffix("’s")
    if published is None:
        return word
    back = 1 if word == "yesterday" else (published.weekday() - WEEKDAY_ORDER.index(word)) % 7
    back = -((WEEKDAY_ORDER.index(word) - published.weekday()) % 7) if ahead else back
    try:
        return (published - timedelta(days=back)).isoformat()
    except OverflowError:  # a day before 1 January of year 1: no calendar date names it
        return word


def _context(sentence: str, start: int, end: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    before = tuple(t.lower() for t in _TOKEN.findall(sentence[:start]))
    after = tuple(t.lower() for t in _TOKEN.findall(sentence[end:]))
    return before, after


@lru_cache(maxsize=65536)
def values_in(sentence: str, published: date | None = None) -> tuple[Value, ...]:
    """Every typed value the sentence states, in order of position."""
    dates = _dates(sentence, published)
    found = dates + _numbers(sentence, [(s, e) for _, _, s, e, *_ in dates])
    return tuple(Value(kind, value, start, end, *_context(sentence, start, end), unit, step)
                 for kind, value, start, end, unit, step in sorted(found, key=lambda f: f[2]))
