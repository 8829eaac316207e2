"""HTML to article text that remembers, for every character, where it came from.

Libraries such as trafilatura or selectolax extract text well but drop source offsets, and a
citation must point into the HTML the user sent. The standard library's `HTMLParser` reports the
position of each event, so each extracted character keeps its `[start, end)` in the raw markup
(an entity such as `&amp;` maps to its whole reference). Page furniture elements are skipped, and
when the page has an `<article>` or `<main>` element only its text (and the `<h1>`) is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser

_SKIPPED = {"script", "style", "noscript", "template", "svg", "head", "nav", "header", "footer",
            "aside", "form", "button", "iframe", "figure", "select", "textarea"}
_BLOCKS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "article", "main",
           "section", "blockquote", "tr", "table", "dd", "dt", "hr", "title", "pre"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "source", "wbr", "col", "area", "base", "embed"}
_HTML_SIGNS = re.compile(r"<(!doctype html|html|body|p|div|article|br|span|h[1-6])\b", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    """True when the text is markup rather than prose that mentions a tag."""
    return len(_HTML_SIGNS.findall(text[:20000])) >= 2 or text.lstrip()[:15].lower().startswith(("<!doctype", "<html"))


@dataclass(frozen=True, slots=True)
class Extracted:
    """Extracted text and, per character, the raw span it came from."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Map `[start, end)` in the extracted text to `[start, end)` in the raw HTML."""
        return self.starts[start], self.ends[end - 1]


class _Extractor(HTMLParser):
    def __init__(self, raw: str) -> None:
        super().__init__(convert_charrefs=False)
        self.line_offsets = [0] + [m.end() for m in re.finditer("\n", raw)]
        self.raw = raw
        self.stack: list[str] = []
        self.skip_depth = 0
        self.chars: list[tuple[str, int, int, bool]] = []  # char, raw start, raw end, in article
        self.article_depth = 0
        self.h1_depth = 0

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.line_offsets[line - 1] + col

    def _emit(self, text: str, start: int, spans: list[tuple[int, int]] | None = None) -> None:
        if self.skip_depth:
            return
        keep = self.article_depth > 0 or self.h1_depth > 0
        for i, char in enumerate(text):
            s, e = spans[i] if spans else (start + i, start + i + 1)
            self.chars.append((" " if char.isspace() else char, s, e, keep))

    def _break(self) -> None:
        if self.chars and self.chars[-1][0] != "\n" and not self.skip_depth:
            pos = self.chars[-1][2]
            self.chars.append(("\n", pos, pos, self.chars[-1][3]))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self._break()
        if tag in _VOID:
            return
        self.stack.append(tag)
        self.skip_depth += tag in _SKIPPED
        self.article_depth += tag in ("article", "main")
        self.h1_depth += tag == "h1"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.stack:
            return
        while self.stack:
            open_tag = self.stack.pop()
            self.skip_depth -= open_tag in _SKIPPED
            self.article_depth -= open_tag in ("article", "main")
            self.h1_depth -= open_tag == "h1"
            if open_tag == tag:
                break
        if tag in _BLOCKS:
            self._break()

    def handle_data(self, data: str) -> None:
        self._emit(data, self._offset())

    def _reference(self, reference: str) -> None:
        start = self._offset()
        end = start + len(reference)
        if not self.raw.startswith(reference, start):  # no closing ';'
            end -= 1
        text = unescape(self.raw[start:end])
        self._emit(text, start, [(start, end)] * len(text))

    def handle_entityref(self, name: str) -> None:
        self._reference(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self._reference(f"&#{name};")


def extract(raw: str) -> Extracted:
    """Return the readable text of an HTML page with a raw span for every character."""
    parser = _Extractor(raw)
    parser.feed(raw)
    parser.close()
    chars = parser.chars
    if any(keep for *_, keep in chars):
        chars = [c for c in chars if c[3] or c[0] == "\n"]
    out: list[tuple[str, int, int]] = []
    for char, start, end, _ in chars:
        if char.isspace():
            if out and (out[-1][0] == "\n" or (out[-1][0] == " " and char == " ")):
                continue
            if out and out[-1][0] == " " and char == "\n":
                out.pop()
        out.append((char, start, end))
    while out and out[0][0].isspace():
        out.pop(0)
    return Extracted("".join(c for c, _, _ in out), tuple(s for _, s, _ in out), tuple(e for _, _, e in out))
