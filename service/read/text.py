"""Stage 1, normalize: raw text or HTML to sentences with spans in the original text.

Invariants: every sentence keeps its `[start, end)` in the document's original `text`. For plain
text `text[start:end]` is the sentence, but for control characters (NUL, a stray carriage
return), which the sentence shows as a space or a line break; for HTML it is the stretch of
markup that holds the sentence. Page furniture never becomes a brief sentence: what opens a
paragraph of it (`data/boilerplate.txt`) takes the paragraph along; a byline, dateline, caption,
credit, promotion or text addressed to a model (`data/furniture.txt`) goes alone; a timestamp line
stays as a sentence of kind `timestamp`, never briefed, because the date it gives tells two events
of one kind apart (stage 3); and a byline, dateline, wire credit, timestamp or section label that
opens a sentence ("By Aaron Humes: The Americas…", "WASHINGTON (Reuters) - The…", "(CNN) - The…",
"May 2, 2013 1:35 pm The…", "Why it matters: The…", `data/labels.txt`) is cut off its span.
A sentence disguised with look-alike letters, punctuation alone or a run of characters without a
space is left out too. A document's first line standing alone as its own paragraph is its title,
with or without a full stop, when it is short, in Title Case, or told again by the sentences after it; a line of its own in Title Case ("Dem Report: NRA Was 'Foreign Asset' for
Russia.") is a heading. A document with no body left, or in a language not briefed, is returned
with `left_out` saying why rather than dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pycld2

from ..types import Document, PageMeta, Sentence, SentenceKind
from .article import PageArticle, read_article
from .html import looks_like_html
from .sentences import LONGEST_WORD, split_sentences
from .words import content_words, same_words, word_set

_HEADING_MAX_WORDS = 20
_LONG_TITLE_MAX_WORDS = 40
_SHOUTED = re.compile(r"\b[a-z][a-z'’-]*\s+([A-Z]{4,})\b")  # a word in capitals right after one in lower case
_LOWER_CASE_WORD = re.compile(r"\b[a-z]+\b")
_RETOLD_SHARE = 0.4
_NEXT_CHARACTERS = 1500  # enough for the two sentences after a first paragraph
_LEDE_WORDS = re.compile(r"\b(?:said(?! to)|says|told|announced|yesterday|today|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day)\b")
_PARAGRAPH_BREAK = re.compile(r"[ \t]*\n[ \t]*\n")
_BYLINE_OPENING = re.compile(r"By\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}\s*[:|–—]\s+(?=[\"“‘'(]?[A-Z])")
_DATELINE_OPENING = re.compile(  # "WASHINGTON (Reuters) - ", "PALM BEACH, Fla. — ", "NEW YORK, May 3 (AP) – "
    r"(?=[A-Z]{3})[A-Z][A-Z.'’-]*(?:\s[A-Z][A-Z.'’-]*){0,3}(?:,\s+[A-Z][\w.]*(?:\s+[A-Z\d][\w.]*){0,2})?"
    r"(?:\s*\([A-Za-z .]{2,30}\))?\s+[-–—]+\s+(?=[\"“‘'(]?[A-Z\d])")
_WIRE_OPENING = re.compile(r"\((?:CNN|AP|AFP|UPI|Reuters|Bloomberg|Axios|CNBC|NPR|BBC|ABC News|CBS News|NBC News|"
                           r"Fox News|The Hill|The Conversation)\)\s*(?:[-–—]+\s*)?(?=[\"“‘'(]?[A-Z])")  # "(CNN) - "
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_STAMP_OPENING = re.compile(  # "May 2, 2013 1:35 pm ", "Posted: Thursday, April 21, 2022, 10:11 pm CST - "
    rf"(?:(?:Posted|Published|Updated)\s*:?\s*)?(?:[A-Z][a-z]+day,?\s+)?{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}[,.]?\s+"
    r"(?:at\s+)?\d{1,2}\s*:\s*\d{2}\s*(?:[AaPp]\.?\s?[Mm]\.?)?(?:\s+[A-Z]{2,4}\b)?\s*[-–—|:.]?\s+"
    r"(?=[\"“‘'(]?[A-Z])")
_TITLE_CASE_MIN_WORDS = 3
_SMALL_WORD = re.compile(r"[a-z]{1,3}|and|from|into|with|over|amid|after|about|than|that|this|upon|onto|says?")
_STAMP_TOKEN = re.compile(r"[^\W_]+")
_STAMP_WORDS = frozenset("""posted published updated last first originally article on at time date edited modified
am pm a m p gmt utc bst cet cest est edt cst cdt mst mdt pst pdt et ct mt pt ist aest jst
monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec st nd rd th""".split())
_TERMINAL = re.compile(r"[.!?…:;\"”’')\]]\s*$")
_LANGUAGE_MIN_CHARS = 60
_LANGUAGE_SAMPLE_CHARS = 1000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# replaced one for one, so offsets hold; with the bidirectional overrides and isolates, which would reverse what a
# reader sees of a brief
_CONTROL_AS_SPACE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_LONE_CARRIAGE_RETURN = re.compile(r"\r(?!\n)")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
_MIXED_SCRIPT_WORD = re.compile(r"\b(?=\w*[a-zA-Z])(?=\w*[\u0370-\u03ff\u0400-\u04ff])\w+")
_GREEK_OR_CYRILLIC = re.compile(r"[\u0370-\u03ff\u0400-\u04ff]")  # a cheap first look before the word test
_LEGACY_CODES = {"iw": "he", "jw": "jv", "in": "id"}  # CLD2 keeps a few pre-2000 ISO codes


def _pattern_lines(name: str) -> list[str]:
    """The patterns of a data file, one a line (`#` opens a comment line)."""
    lines = resources.files("service").joinpath(f"data/{name}").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _alternatives(name: str) -> str:
    """The patterns of a data file as one alternation."""
    return "|".join(f"(?:{line})" for line in _pattern_lines(name))


@lru_cache(maxsize=2)
def _patterns(name: str) -> re.Pattern[str]:
    return re.compile(_alternatives(name), re.IGNORECASE)


def is_boilerplate(sentence: str) -> bool:
    """True for page furniture such as "Listen to this article" or comment-policy footers: the
    paragraph it opens is furniture too."""
    return _patterns("boilerplate.txt").match(sentence.strip(" \t\"“'‘")) is not None


def is_furniture_line(sentence: str) -> bool:
    """True for a byline, dateline, caption, credit, promotion or text addressed to a model: furniture on its own,
    whatever the sentences around it are (a timestamp is told apart first, by `is_timestamp`)."""
    return _furniture().matches(sentence.strip(" \t\"“'‘"))


# A pattern that opens with a word, or with a group of words one of which must be there: `\bearn`, `\bphotos?`
# ("photo": the "s" is optional), `\b(?:sign up|subscribe)`; not a group that is optional itself.
_OPENING_WORDS = re.compile(r"(?:\\b)?(?:\(\?:(?P<words>[a-z][a-z ]*(?:\|[a-z][a-z ]*)*)\)(?![?*{])"
                            r"|(?P<word>[a-z](?:[a-z ]*[a-z])?)(?![?*{]))")
# Letters that IGNORECASE takes for an ASCII one but `str.lower` does not turn into it ("İgnore previous…")
_AS_ASCII = str.maketrans({"İ": "i", "ı": "i", "ſ": "s"})
_NOT_ASCII_LETTERS = re.compile(f"[{''.join(map(chr, _AS_ASCII))}]")


@dataclass(frozen=True)
class _Furniture:
    """`data/furniture.txt`, searched so that most sentences cost a few substring tests: the patterns anchored at the
    start are tried there only, as one; each other pattern on its own, so that one opening with a literal character
    is found by the engine's fast scan, and one opening with words (`_OPENING_WORDS`) only in a sentence that holds
    one of them. The answers are those of searching the file's alternation, about 4 times faster: scanning every
    position for the 26 patterns the file first had was over half of stage 1's time."""

    anchored: re.Pattern[str]
    patterns: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...]  # opening words (or none) and the pattern
    any_opening: re.Pattern[str]  # any of the patterns' opening words: most sentences hold none

    def matches(self, sentence: str) -> bool:
        """Whether any pattern of the file is found in `sentence`."""
        if self.anchored.match(sentence):
            return True
        lowered = (sentence.translate(_AS_ASCII) if _NOT_ASCII_LETTERS.search(sentence) else sentence).lower()
        some_opening = self.any_opening.search(lowered) is not None
        return any((not words or some_opening and any(word in lowered for word in words)) and pattern.search(sentence)
                   for words, pattern in self.patterns)


def opening_words(pattern: str) -> tuple[str, ...]:
    """The words one of which every match of `pattern` holds, as `_OPENING_WORDS` reads them; () when none, or when
    the pattern is an alternation of its own ("\\bfoo|bar" matches "bar" alone)."""
    found = _OPENING_WORDS.match(pattern)
    if found is None or _alternation(pattern):
        return ()
    return tuple(found["words"].split("|")) if found["words"] else (found["word"],)


def _alternation(pattern: str) -> bool:
    """Whether `pattern` has a `|` outside every group and character class."""
    depth, escaped, in_class = 0, False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            return True
    return False


@lru_cache(maxsize=1)
def _furniture() -> _Furniture:
    lines = _pattern_lines("furniture.txt")
    at_start = [line.startswith("^") and not _alternation(line) for line in lines]
    anchored = "|".join(f"(?:{line})" for line, start in zip(lines, at_start) if start)
    patterns = tuple((opening_words(line), re.compile(line, re.IGNORECASE))
                     for line, start in zip(lines, at_start) if not start)
    words = sorted({word for opening, _ in patterns for word in opening})
    return _Furniture(re.compile(anchored or r"(?!)", re.IGNORECASE), patterns,
                      re.compile("|".join(map(re.escape, words)) or r"(?!)"))


def is_timestamp(sentence: str) -> bool:
    """True for a line of dates and times alone ("Posted: Thursday, April 21, 2022. 10:11 pm CST.", "May 2, 2013
    1: 35 pm."): every word is a date, a time, a time zone or a word that stamps a page."""
    digits = False
    for found in _STAMP_TOKEN.finditer(sentence):  # token by token: a sentence of prose fails at its first word
        token = found.group().lower()
        if token.isdigit():
            digits = True
        elif token not in _STAMP_WORDS and not (token[:-2].isdigit() and token[-2:] in _STAMP_WORDS):
            return False
    return digits


def byline_length(sentence: str) -> int:
    """Characters of a byline, dateline, wire credit, timestamp or section label that opens the sentence ("By Aaron
    Humes: ", "WASHINGTON (Reuters) - ", "(CNN) - ", "May 2, 2013 1:35 pm ", "Why it matters: "), one after
    another, 0 when none does."""
    length = 0
    while found := next((m for p in (_BYLINE_OPENING, _DATELINE_OPENING, _WIRE_OPENING, _STAMP_OPENING,
                                     _label_opening()) if (m := p.match(sentence, length))), None):
        length = found.end()
    return length


@lru_cache(maxsize=1)
def _label_opening() -> re.Pattern[str]:
    """A section label from `data/labels.txt` with its colon, before the capital that opens the rest."""
    return re.compile(rf"(?i:{_alternatives('labels.txt')})\s*:\s+(?=[\"“‘'(]?[A-Z\d])")


def is_title_case(sentence: str) -> bool:
    """Whether every word but the small ones (of, the, and, for…) opens with a capital, as a headline is written."""
    words = [w.strip("\"“”‘’'(),:;.!?") for w in sentence.split()]
    words = [w for w in words if any(c.isalpha() for c in w)]
    return len(words) >= _TITLE_CASE_MIN_WORDS and all(
        not w[0].isalpha() or w[0].isupper() or _SMALL_WORD.fullmatch(w) for w in words)


def has_look_alike_letters(sentence: str) -> bool:
    """True for text disguised with look-alike letters from another script ("Yоur" with a Cyrillic о),
    as spam is; only the sentence goes, the next one on its line may be clean."""
    return _GREEK_OR_CYRILLIC.search(sentence) is not None and _MIXED_SCRIPT_WORD.search(sentence) is not None


def _kind(sentence: str, alone_on_line: bool, first: bool) -> SentenceKind:
    if alone_on_line and len(sentence.split()) <= _HEADING_MAX_WORDS and (
            not _TERMINAL.search(sentence) or is_title_case(sentence)):
        return "title" if first else "heading"
    return "body"


def _title_paragraph(view: str, line_start: int, line_end: int) -> bool:
    """Whether the line is a paragraph of its own with text after it, as a title stands above an article, full stop
    or not: a short one ("Whistleblower says HHS sent workers without gear, training."), one in Title Case, or a long
    one that the article's next sentences tell again without a lede's "said" or weekday ("Trump bans U.S. cruise
    ships from Cuba in dramatic escalation of travel restrictions after tens of thousands of Americans flocked to
    island." over "The Trump administration on Tuesday ended … banning cruise ships"), or one that shouts a word
    as a tabloid headline does ("COVID cases are DECLINING for the first time since June - …")."""
    break_after = _PARAGRAPH_BREAK.match(view, line_end)
    if break_after is None or view[line_end:].strip() == "":
        return False
    line = view[line_start:line_end]
    length = len(line.split())
    after = view[break_after.end():break_after.end() + _NEXT_CHARACTERS]
    return length <= _HEADING_MAX_WORDS or is_title_case(line) or (
        length <= _LONG_TITLE_MAX_WORDS and _LEDE_WORDS.search(line) is None
        and (_told_again(line, after) or _shouts(line, after)))


def _shouts(line: str, after: str) -> bool:
    """Whether the line sets a word in capitals after one in lower case, and the text after it writes that word in
    lower case only: emphasis, as tabloid headlines shout ("cases are DECLINING"), not an acronym ("NATO", "the
    CHIPS Act" over "chips") nor a lede opening in capitals ("THOUSANDS of frightened residents…")."""
    written_low = set(_LOWER_CASE_WORD.findall(after))
    return any(word.lower() in written_low and re.search(rf"\b{word}\b", after) is None
               for word in _SHOUTED.findall(line))


def _told_again(line: str, after: str) -> bool:
    """Whether the first two sentences of `after` hold `_RETOLD_SHARE` of the line's content words (a line with none
    is not). Long NeuS titles (21 to 34 words) hold a median 0.50, first paragraphs of 21 words or more above other
    paragraphs (ledes of AllSides and ECB+) 0.13; with the lede words, 6 of 607 such ledes pass and 7 of 10 such
    titles."""
    words = content_words(line, numbers=False)
    told = content_words(" ".join(after[start:end] for start, end in split_sentences(after)[:2]), numbers=False)
    return bool(words) and len(words & told) >= _RETOLD_SHARE * len(words)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text (CLD2, tens of microseconds), or None when it is unclear; a text
    under 60 characters needs CLD2's reliable verdict."""
    if not text:
        return None
    sample = _CONTROL.sub(" ", text[:_LANGUAGE_SAMPLE_CHARS]).encode("utf-8", "replace")
    try:
        reliable, _, details = pycld2.detect(sample, bestEffort=len(text) >= _LANGUAGE_MIN_CHARS)
    except pycld2.error:
        return None
    code = str(details[0][1]).split("-")[0]
    if code == "un" or (len(text) < _LANGUAGE_MIN_CHARS and not reliable):
        return None
    return _LEGACY_CODES.get(code, code)


def _plain_view(raw: str) -> str:
    """`raw` with control characters as spaces and a lone carriage return as a line break, one for one."""
    return _CONTROL_AS_SPACE.sub(" ", _LONE_CARRIAGE_RETURN.sub("\n", raw))


def one_line(text: str) -> str:
    """A title or name as one clean line: control characters, carriage returns and line breaks become spaces."""
    return " ".join(_CONTROL_AS_SPACE.sub(" ", text).split())


WHY_LEFT_OUT = {"furniture": "page furniture",
                "furniture-line": "a byline, dateline, caption, credit, promotion or text addressed to a model",
                "timestamp": "a timestamp, which dates the text but is never briefed",
                "look-alike": "look-alike letters",
                "symbols": "punctuation and symbols only",
                "run": f"a run of over {LONGEST_WORD} characters without a space"}


@dataclass(frozen=True, slots=True)
class Reading:
    """What stage 1 read: the document, the article of an HTML page (None for plain text), and each
    sentence left out as `(start, end, why)` in the original text, `why` a key of `WHY_LEFT_OUT`.
    `brief extract` shows the last two."""

    document: Document
    article: PageArticle | None
    left_out: tuple[tuple[int, int, str], ...]


def normalize(index: int, doc_id: str, raw: str, languages: frozenset[str], title: str | None = None) -> Document:
    """Return the document's sentences with spans in `raw`, or the reason it is left out."""
    return read(index, doc_id, raw, languages, title).document


def read(index: int, doc_id: str, raw: str, languages: frozenset[str], title: str | None = None) -> Reading:
    """`normalize`, with the article and the sentences left out of briefs (timestamps too), which `brief extract`
    shows. Where the request gives the `title`, a first paragraph is the title only if it says the same ("A federal
    judge in Texas issued an order Wednesday blocking the state's six-week abortion ban." is the lede under "Federal
    judge issues order blocking Texas' 6-week abortion ban")."""
    is_html = looks_like_html(raw)
    article = read_article(raw) if is_html else None
    view = article.text if article else _plain_view(raw)
    sentences: list[Sentence] = []
    left_out: list[tuple[int, int, str]] = []
    spans = split_sentences(view)
    stamps: list[Sentence] = []  # timestamp lines ("PUBLISHED: THURSDAY, MAY 2, 2013, 1: 32 PM")
    furniture_line = title_line = -1
    for start, end in spans:
        line_start = view.rfind("\n", 0, start) + 1
        piece = view[start:end]
        opens_line = view[line_start:start].strip() == ""
        raw_start, raw_end = article.raw_span(start, end) if article else (start, end)
        why = "furniture" if line_start == furniture_line else _why_left_out(piece)
        if why == "timestamp":  # kept, never briefed: it dates the text for stage 3
            stamps.append(Sentence(index, len(sentences) + len(stamps), piece, raw_start, raw_end, "timestamp"))
        if why is not None:
            furniture_line = line_start if why == "furniture" and opens_line else furniture_line
            left_out.append((raw_start, raw_end, why))
            continue
        if byline := byline_length(piece):
            left_out.append((*(article.raw_span(start, start + byline) if article else (start, start + byline)),
                             "furniture-line"))
            start += byline
            piece = view[start:end]
            raw_start = article.raw_span(start, end)[0] if article else start
        line_end = view.find("\n", end) % (len(view) + 1)  # the text's end when no line break follows
        alone = opens_line and view[end:line_end].strip() == ""
        if not sentences and _title_paragraph(view, line_start, line_end) and (
                title is None or same_words(word_set(view[line_start:line_end]), word_set(title))):
            title_line = line_start
        if line_start == title_line:
            kind: SentenceKind = "heading" if sentences else "title"
        else:
            kind = _kind(piece, alone, first=not sentences)
        sentences.append(Sentence(index, len(sentences) + len(stamps), piece, raw_start, raw_end, kind))
    body = [s.text for s in sentences if s.kind == "body"]
    language = detect_language(" ".join(body or [s.text for s in sentences]))
    reason = _left_out_reason(body, sentences, Counter(why for *_, why in left_out), language, languages, is_html)
    in_order = tuple(sorted((*sentences, *stamps), key=lambda s: s.index))
    document = Document(index, doc_id, raw, in_order, language, is_html, reason,
                        article.meta if article else PageMeta())
    return Reading(document, article, tuple(left_out))


def _why_left_out(sentence: str) -> str | None:
    """Why the sentence is no part of the article (a key of `WHY_LEFT_OUT`), or None. Furniture takes
    the rest of the paragraph it opens with it; the others go alone."""
    if not _LETTER_OR_DIGIT.search(sentence):
        return "symbols"
    if len(sentence) > LONGEST_WORD and len(sentence.split()) == 1:  # split_sentences leaves such runs alone
        return "run"
    if is_boilerplate(sentence):
        return "furniture"
    if is_timestamp(sentence):
        return "timestamp"
    if is_furniture_line(sentence):
        return "furniture-line"
    if has_look_alike_letters(sentence):
        return "look-alike"
    return None


def _left_out_reason(body: list[str], sentences: list[Sentence], dropped: Counter[str], language: str | None,
                     languages: frozenset[str], is_html: bool) -> str | None:
    """Why the document takes no part in any story, or None. Each reason opens with a fixed word (a metric label)."""
    if language is not None and language not in languages:
        return f"language '{language}' not supported (briefed: {', '.join(sorted(languages))})"
    if body:
        return None
    if sentences:
        return (f"headline only: {len(sentences)} line(s) that read as a title or heading, and no sentence of "
                "body text to brief")
    dropped["furniture"] += dropped.pop("furniture-line", 0) + dropped.pop("timestamp", 0)
    if dropped["run"] and not dropped["furniture"]:
        return f"unreadable: no words, only runs of over {LONGEST_WORD} characters without a space"
    if dropped["symbols"] and not dropped["furniture"]:
        return "symbols only: no letters or digits, only punctuation and symbols"
    if dropped["look-alike"] and not dropped["furniture"]:
        return ("look-alike letters: every sentence mixes Latin letters with Greek or Cyrillic ones that look the "
                "same, as text disguised from spam filters does")
    removed = [what for what, found in (("markup", is_html), ("page furniture", dropped["furniture"]),
                                        ("sentences in look-alike letters", dropped["look-alike"])) if found]
    if not removed:
        return "empty after cleaning: only control characters and spaces, no text"
    return f"empty after cleaning: no article text left after removing {' and '.join(removed)}"
