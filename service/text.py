"""Stage 1, normalize: raw text or HTML to sentences with spans in the original text.

Invariants: every sentence keeps its `[start, end)` in the document's original `text`, and for
plain text `text[start:end] == sentence.text`. Page furniture (see `data/boilerplate.txt`) never
becomes a sentence. A document with no body left, or in a language not briefed, is returned with
`left_out` set rather than dropped.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import blingfire
import pycld2

from .html import extract, looks_like_html
from .types import Document, Sentence, SentenceKind

_HEADING_MAX_WORDS = 20
_TERMINAL = re.compile(r"[.!?…:;\"”’')\]]\s*$")
_LANGUAGE_MIN_CHARS = 60
_LANGUAGE_SAMPLE_CHARS = 1000
_TRIMMED_LINE = re.compile(r"\S(?:[^\n]*\S)?")  # a line's text without its surrounding whitespace
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LEGACY_CODES = {"iw": "he", "jw": "jv", "in": "id"}  # CLD2 keeps a few pre-2000 ISO codes
# blingfire ends a sentence after a title before a name ("Dr. | Jones said"); such pieces are rejoined.
_ENDS_WITH_TITLE = re.compile(r"(?:^|\s)(?:Dr|Mr|Mrs|Ms|Prof|Gen|Sen|Rep|Gov|Lt|Col|Capt|Cmdr|Sgt|Rev|Hon|Pres|Supt|Insp)\.$")


@lru_cache(maxsize=1)
def _boilerplate() -> re.Pattern[str]:
    lines = resources.files("service").joinpath("data/boilerplate.txt").read_text(encoding="utf-8").splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def is_boilerplate(sentence: str) -> bool:
    """True for page furniture such as "Listen to this article" or comment-policy footers."""
    return _boilerplate().match(sentence.strip(" \t\"“'‘")) is not None


def _pieces(text: str) -> list[str]:
    """Sentences by blingfire, with pieces cut after a title rejoined to what follows."""
    pieces: list[str] = []
    for piece in blingfire.text_to_sentences(text).split("\n"):
        if pieces and _ENDS_WITH_TITLE.search(pieces[-1]):
            pieces[-1] = f"{pieces[-1]} {piece}"
        else:
            pieces.append(piece)
    return pieces


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return `[start, end)` of each sentence, never crossing a line break, whitespace trimmed.

    The whole text goes to the segmenter in one call (line breaks as spaces, so offsets hold);
    a sentence that spans lines is then cut at each line break, as a headline must be.
    """
    flat = text.replace("\n", " ")
    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in _pieces(flat):
        piece = piece.strip()
        if not piece:
            continue
        found = flat.find(piece, cursor)
        end = found + len(piece)
        if found < 0:  # the segmenter altered the text: keep the rest of the line whole
            line_end = text.find("\n", cursor)
            found, end = cursor, line_end if line_end >= 0 else len(text)
        spans += [(found + line.start(), found + line.end()) for line in _TRIMMED_LINE.finditer(text[found:end])]
        cursor = max(cursor, end)
    return spans


def _kind(sentence: str, alone_on_line: bool, first: bool) -> SentenceKind:
    if alone_on_line and len(sentence.split()) <= _HEADING_MAX_WORDS and not _TERMINAL.search(sentence):
        return "title" if first else "heading"
    return "body"


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text (CLD2, tens of microseconds), or None when it is too short or unclear."""
    if len(text) < _LANGUAGE_MIN_CHARS:
        return None
    sample = _CONTROL.sub(" ", text[:_LANGUAGE_SAMPLE_CHARS]).encode("utf-8", "replace")
    try:
        code = pycld2.detect(sample, bestEffort=True)[2][0][1]
    except pycld2.error:
        return None
    code = code.split("-")[0]
    return None if code == "un" else _LEGACY_CODES.get(code, code)


def normalize(index: int, doc_id: str, raw: str, languages: frozenset[str]) -> Document:
    """Return the document's sentences with spans in `raw`, or the reason it is left out."""
    is_html = looks_like_html(raw)
    extracted = extract(raw) if is_html else None
    view = extracted.text if extracted else raw
    sentences: list[Sentence] = []
    spans = split_sentences(view)
    dropped_line = -1
    for position, (start, end) in enumerate(spans):
        line_start = view.rfind("\n", 0, start) + 1
        piece = view[start:end]
        if line_start == dropped_line:
            continue
        opens_line = view[line_start:start].strip() == ""
        if is_boilerplate(piece):
            dropped_line = line_start if opens_line else dropped_line
            continue
        line_end = view.find("\n", end)
        alone = opens_line and view[end:line_end if line_end >= 0 else len(view)].strip() == ""
        raw_start, raw_end = extracted.raw_span(start, end) if extracted else (start, end)
        kind = _kind(piece, alone, first=not sentences and position == 0)
        sentences.append(Sentence(index, len(sentences), piece, raw_start, raw_end, kind))
    body_text = " ".join(s.text for s in sentences if s.kind == "body")
    language = detect_language(body_text)
    left_out = None
    if not body_text:
        left_out = "empty after cleaning: no article text left once markup and page furniture were removed"
    elif language is not None and language not in languages:
        left_out = f"language '{language}' not supported (briefed: {', '.join(sorted(languages))})"
    return Document(index, doc_id, raw, tuple(sentences), language, is_html, left_out)
