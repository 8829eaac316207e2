"""An HTML page's visible text, with the offset in the markup of every character.

Citations must point into the HTML the user sent, and extractors such as trafilatura report
text without offsets. So the page is read a second time here, by a tokenizer that keeps
positions: text between tags is copied, an entity such as `&amp;` stands for its whole reference,
and the contents of scripts, styles, comments and the like are skipped. Block tags become line
breaks. `service/read/article.py` then finds the extractor's paragraphs in this text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from html import unescape

from .offsets import OffsetMap

# Elements whose content is never page text: scripts, styles, inline vector graphics, form controls, the <title>.
_OPAQUE = {name: re.compile(rf"</{name}\s*>", re.I) for name in
           "script style noscript template svg math title textarea select iframe object".split()}
_BLOCKS = ("address|article|aside|blockquote|body|br|caption|dd|details|dialog|div|dl|dt|fieldset|figcaption|figure|"
           "footer|form|h[1-6]|head|header|hr|html|li|main|nav|ol|p|pre|section|summary|table|tbody|td|tfoot|th|"
           "thead|tr|ul")
_OPAQUE_NAMES = "|".join(_OPAQUE)
# A run of tags with only spaces between them is one token: a page is mostly such runs, and
# this loop runs once per token. Attributes are not parsed: a '>' inside a quoted value ends the
# tag early, which only adds text that no extractor reports. Text is what lies between tokens.
_TAG = rf"<(?!(?:{_OPAQUE_NAMES})\b)(?:/?[a-zA-Z]|[!?](?!--))[^>]*>?"
_TOKEN = re.compile(
    rf"(?P<opaque><({_OPAQUE_NAMES})\b[^>]*>)"
    r"|(?P<comment><!--)"
    rf"|(?P<tags>{_TAG}(?:\s*{_TAG})*)"
    r"|(?P<entity>&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);?)", re.I)
_BLOCK_TAG = re.compile(rf"</?(?:{_BLOCKS})\b", re.I)
_SPACE_BETWEEN_TAGS = re.compile(r">\s")
# Every kind of space (and control character, and the bidirectional overrides and isolates, which would reverse
# what a reader sees of a brief) becomes a plain space, one for one, so offsets hold.
_SPACES = {c: " " for c in [*range(0x00, 0x20), 0x7F, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029,
                           *range(0x202A, 0x2030), 0x205F, *range(0x2066, 0x206A), 0x3000]}
_LEADING = re.compile(r"(?:\s|\ufeff|<!--.*?-->|<\?xml[^>]*>)*", re.S)
_DOCUMENT_START = re.compile(r"<(?:!doctype\s+html|html|head|body|meta|title)\b", re.I)
_TAG_START = re.compile(r"<[a-z][a-z0-9-]*[\s/>]", re.I)
_CLOSING_TAG = re.compile(r"</[a-z][a-z0-9-]*\s*>", re.I)
_START_OR_END_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)[^>]*>")
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())


def looks_like_html(text: str) -> bool:
    """True for markup: a page (however many comments or head elements come first) or a fragment
    that opens with a tag and closes one. Prose that mentions `<p>` or `<div>` stays plain text."""
    start = _LEADING.match(text).end()  # type: ignore[union-attr]  # the pattern matches the empty string
    if _DOCUMENT_START.match(text, start):
        return True
    return _TAG_START.match(text, start) is not None and _CLOSING_TAG.search(text) is not None


@dataclass(frozen=True, slots=True)
class PageText:
    """A page's visible text (spaces normalised one for one, a line break per block) and its map."""

    text: str
    offsets: OffsetMap


def page_text(raw: str) -> PageText:
    """Return the visible text of `raw` with, for every character, its offset in `raw`."""
    parts: list[str] = []
    starts: list[int] = []  # the OffsetMap's columns, filled here directly: this loop runs once per tag
    sources: list[int] = []
    whole: list[int] = []
    length, cursor, at_break = 0, 0, True
    while token := _TOKEN.search(raw, cursor):
        start, end = token.span()
        if start > cursor:
            starts.append(length)
            sources.append(cursor)
            whole.append(0)
            parts.append(raw[cursor:start].translate(_SPACES))
            length += start - cursor
            at_break = False
        kind = token.lastgroup
        if kind == "tags":
            separator = ("\n" if _BLOCK_TAG.search(raw, start, end) else
                         " " if _SPACE_BETWEEN_TAGS.search(raw, start, end) else "")
            if separator and not (at_break and separator == "\n"):
                starts.append(length)
                sources.append(start)
                whole.append(0)
                parts.append(separator)
                length += 1
                at_break = separator == "\n"
        elif kind == "entity":
            text = unescape(token.group()).translate(_SPACES)
            starts.append(length)
            sources.append(start)
            whole.append(end - start)
            parts.append(text)
            length += len(text)
            at_break = False
        elif kind == "opaque":
            closing = _OPAQUE[token.group(2).lower()].search(raw, end)
            end = closing.end() if closing else len(raw)
        elif kind == "comment":
            closing_at = raw.find("-->", end)
            end = closing_at + 3 if closing_at >= 0 else len(raw)
        cursor = end
    if cursor < len(raw):
        starts.append(length)
        sources.append(cursor)
        whole.append(0)
        parts.append(raw[cursor:].translate(_SPACES))
    return PageText("".join(parts), OffsetMap(starts, sources, whole))


def nested_at_most(raw: str, depth: int) -> str:
    """`raw` with its nesting cut to `depth` levels and every word of its text kept, for a parser with
    a depth limit (libxml2 drops the rest of the page past its limit).

    An element that holds `depth` levels of markup or more loses its start and end tags, its content
    staying in place. A page nested thousands deep is wrappers around wrappers, so the outer levels
    go and the innermost, which hold the page's own structure and its article, stay. Elements are
    matched as written: one left unclosed (`<p>` without `</p>`) holds what follows it until its
    parent closes, so a page may lose a little more nesting than it had to.
    """
    tags = list(_START_OR_END_TAG.finditer(raw))
    removed = sorted(i for start, end, height in _elements(tags) if height >= depth
                     for i in (start, end) if i is not None)
    parts: list[str] = []
    cursor = 0
    for tag in (tags[i] for i in removed):
        parts += [raw[cursor:tag.start()], " " if _BLOCK_TAG.match(tag.group()) else ""]  # words stay apart
        cursor = tag.end()
    parts.append(raw[cursor:])
    return "".join(parts)


def _elements(tags: list[re.Match[str]]) -> list[tuple[int, int | None, int]]:
    """Each element of the markup as (index in `tags` of its start tag, of its end tag or None, how
    many levels of elements it holds). An end tag closes its element and every element still open
    inside it, as a parser does; one that closes nothing is ignored."""
    found: list[tuple[int, int | None, int]] = []
    open_at: list[tuple[str, int]] = []
    heights: list[int] = []  # per element still open, the levels it holds so far
    open_counts: Counter[str] = Counter()

    def close(end: int | None) -> None:
        name, start = open_at.pop()
        height = heights.pop()
        open_counts[name] -= 1
        found.append((start, end, height))
        if heights:
            heights[-1] = max(heights[-1], height + 1)

    for i, tag in enumerate(tags):
        name = tag.group(2).lower()
        if tag.group(1):
            if open_counts[name]:
                while open_at[-1][0] != name:
                    close(None)
                close(i)
        elif name not in _VOID and not tag.group().endswith("/>"):
            open_at.append((name, i))
            heights.append(0)
            open_counts[name] += 1
    while open_at:
        close(None)
    return found
