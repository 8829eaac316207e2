"""The article of an HTML page, as exact stretches of the page, and what the page says about itself.

trafilatura decides what the article is: it is the best-measured open extractor for news pages
(see docs/quality.md) and keeps navigation, teasers, bylines in menus and comment threads out.
It reports text without offsets, so its paragraphs are found again in the page's own visible text
(`align.py` over `html.page_text`), and only what is found is kept. Every character of the
article therefore has an exact place in the markup the user sent.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import trafilatura
from lxml.etree import ErrorTypes, ParserError, strip_elements
from lxml.html import HtmlElement, HTMLParser, document_fromstring

from ..types import PageMeta
from .align import align
from .html import nested_at_most, page_text
from .meta import read_meta
from .offsets import OffsetMap

# trafilatura's own parser settings, and `huge_tree`: libxml2 stops reading at 256 nested elements without
# it (2,048 with it), and drops the rest of the page, article included.
_PARSER_OPTIONS = {"collect_ids": False, "default_doctype": False, "encoding": "utf-8", "remove_comments": True,
                   "remove_pis": True, "huge_tree": True}
# Deeper nesting than libxml2 reads is cut to this depth: a page nested so deep is wrappers around wrappers.
_MAX_DEPTH = 512
_SPACE_RUN = re.compile(r" *\n[ \n]*| {2,}")
_NEVER_TEXT = ("script", "style", "noscript", "svg", "template")
# A page without an article is an outcome here (the document is left out, with its reason), not a
# warning for the service's logs; trafilatura logs it as "discarding data" on every such page.
logging.getLogger("trafilatura").setLevel(logging.ERROR)


@dataclass(frozen=True, slots=True)
class PageArticle:
    """The article of a page: its paragraphs, one per line with spaces collapsed; `unaligned` counts the characters
    of the extractor's output that were not found in the page (and so are not in `text`)."""

    text: str
    paragraphs: tuple[tuple[int, int], ...]
    meta: PageMeta
    unaligned: int
    to_page: OffsetMap
    to_raw: OffsetMap

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Map `[start, end)` in the article text to `[start, end)` in the raw HTML."""
        return self.to_raw.span(*self.to_page.span(start, end))


def read_article(raw: str) -> PageArticle:
    """The article of the page `raw`, with its metadata; empty when the page has no article."""
    page = page_text(raw)
    try:
        tree = _parse(raw)
    except ParserError:  # nothing but comments or whitespace
        return PageArticle("", (), PageMeta(), 0, OffsetMap(), page.offsets)
    meta = read_meta(tree)  # before extraction, which prunes the tree, and before JSON-LD scripts go
    strip_elements(tree, *_NEVER_TEXT, with_tail=False)  # trafilatura drops them too, after copying them several times
    found = trafilatura.extract(tree, include_comments=False) or ""
    alignment = align(found.splitlines(), page.text)
    text, to_page, paragraphs = _joined(page.text, alignment.ranges)
    return PageArticle(text, paragraphs, meta, alignment.unaligned, to_page, page.offsets)


def _parse(raw: str) -> HtmlElement:
    """The page's tree, parsed once for the metadata and the extractor; a page nested deeper than
    libxml2 reads is parsed again with its outer levels of tags left out (their text stays)."""
    parser = HTMLParser(**_PARSER_OPTIONS)  # one per page: its error log is this page's alone
    tree = document_fromstring(raw.encode("utf-8", "replace"), parser=parser)
    if any(error.type == ErrorTypes.ERR_RESOURCE_LIMIT for error in parser.error_log):
        tree = document_fromstring(nested_at_most(raw, _MAX_DEPTH).encode("utf-8", "replace"), parser=parser)
    return tree


def _joined(page: str, ranges: tuple[tuple[int, int], ...]) -> tuple[str, OffsetMap, tuple[tuple[int, int], ...]]:
    """The stretches `ranges` of the page text, one per line with runs of spaces collapsed, the map
    back to the page text, and where each stretch lies in the result."""
    parts: list[str] = []
    to_page = OffsetMap()
    paragraphs: list[tuple[int, int]] = []
    length = previous_end = 0
    for start, end in ranges:
        start, previous_end = max(start, previous_end), end  # a quote both paragraphs claim goes to the first
        if parts:
            to_page.add(length, start)
            parts.append("\n")
            length += 1
        paragraph_start, cursor = length, start
        for run in _SPACE_RUN.finditer(page, start, end):
            to_page.add(length, cursor)
            parts += [page[cursor:run.start()], "\n" if "\n" in run.group() else " "]
            length += run.start() - cursor + 1
            cursor = run.end()
        to_page.add(length, cursor)
        parts.append(page[cursor:end])
        length += end - cursor
        paragraphs.append((paragraph_start, length))
    return "".join(parts), to_page, tuple(paragraphs)
