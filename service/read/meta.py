"""What a page says about itself: title, site, publication date and address.

Publishers declare these for search engines and link previews (Open Graph, Twitter cards,
JSON-LD, Dublin Core), and such declarations are far more reliable than guessing from the body,
where the first short line is as often "Share" or a byline as the headline. A declared title
often ends with the site's name ("… | PC Gamer"); that tail is cut when it names the site or when
the page's `<h1>` confirms the shorter title.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from ..types import PageMeta

_TITLE_KEYS = ("twitter:title", "twitter:text:title", "parsely-title", "dc.title", "citation_title")
_SITE_KEYS = ("og:site_name", "apple-mobile-web-app-title", "sitename", "citation_journal_title",
              "dc.publisher", "publisher")
_DATE_KEYS = ("article:published_time", "og:article:published_time", "datepublished", "pub_date", "parsely-pub-date",
              "citation_publication_date", "dc.date", "date")
_SEPARATOR = re.compile(r"\s+(?:[|\-–—:·»]|::)\s+")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ufffd]")  # lxml reads a NUL as U+FFFD


def read_meta(tree: HtmlElement) -> PageMeta:
    """The page's declared title (site name cut off), site, publication date (with a time zone) and URL."""
    metas: dict[str, str] = {}
    for element in tree.iter("meta"):
        key = (element.get("property") or element.get("name") or element.get("itemprop") or "").strip().lower()
        content = _clean(element.get("content") or "")
        if key and content:
            metas.setdefault(key, content)
    article = next(_linked_data(tree), {})
    publisher = article.get("publisher")
    site = _first(*(metas.get(k) for k in _SITE_KEYS), publisher.get("name") if isinstance(publisher, dict) else None)
    canonical = tree.xpath("//link[@rel='canonical']/@href")
    url = _first(metas.get("og:url"), *canonical, article.get("url"))
    title_tag = tree.find(".//title")
    title = _first(metas.get("og:title"), article.get("headline"), *(metas.get(k) for k in _TITLE_KEYS),
                   title_tag.text_content() if title_tag is not None else None)
    headings = [_clean(h.text_content()) for h in tree.iter("h1")]
    dates = (_date(value) for value in (*(metas.get(k) for k in _DATE_KEYS), article.get("datePublished")))
    return PageMeta(title=title and _without_site_name(title, site, url, headings), site=site,
                    published_at=next((d for d in dates if d), None), url=url)


def _clean(text: str) -> str:
    """One line of text: invisible characters removed, control characters and spaces as one space."""
    return " ".join(_CONTROL.sub(" ", _INVISIBLE.sub("", text)).split())


def _first(*values: object) -> str | None:
    return next((_clean(v) for v in values if isinstance(v, str) and _clean(v)), None)


def _date(value: object) -> datetime | None:
    """An ISO 8601 date or time, in UTC when it names no zone; None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _linked_data(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    """JSON-LD items that carry a headline (an article), however they are nested."""
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text_content())
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                if isinstance(item.get("headline"), str):
                    yield item
                stack.extend(v for k, v in item.items() if k in ("@graph", "mainEntity"))


def _key(text: str) -> str:
    return re.sub(r"\W+", "", text).casefold()


def _without_site_name(title: str, site: str | None, url: str | None, headings: list[str]) -> str:
    """Cut the title at a separator when the `<h1>` reads the same as the part before it, or
    drop tail segments that name the site (its declared name, or its host name)."""
    cuts = [m.start() for m in _SEPARATOR.finditer(title)]
    heading_keys = {_key(h) for h in headings if h}
    for cut in cuts:
        if _key(title[:cut]) in heading_keys:
            return title[:cut]
    host = urlsplit(url or "").hostname or ""
    names = {_key(site or "")} | {_key(label) for label in host.split(".")[-3:-1] if len(label) > 3}  # wsvn.com: wsvn
    names.discard("")
    while cuts:
        tail = _key(title[cuts[-1]:])
        if not any(name in tail or tail in name for name in names):
            break
        title = title[:cuts.pop()]
    return title
