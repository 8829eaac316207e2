"""HTML pages in, the article out: the page shapes that used to lose the article, built here, each
read with citations that point at the sentence in the markup."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from lxml.html import fragment_fromstring

from service.read.align import align
from service.read.html import looks_like_html, page_text
from service.read.text import normalize, split_sentences
from service.types import Document
from tests.conftest import seed_documents

EN = frozenset({"en"})
_LINES = seed_documents()[1]["text"].splitlines()
HEADLINE = _LINES[0]
PARAGRAPHS = [line for line in _LINES[5:] if len(line.split()) > 12]
MENU = "".join(f'<li><a href="/{s.lower()}">{s}</a></li>' for s in ("Home", "World", "Business", "Sport", "Opinion"))
RELATED = "".join(f'<li><a href="/story/{n}">Related: markets rally as {n} firms report profits</a></li>'
                  for n in range(6))
FURNITURE = ("Opinion", "markets rally", "All rights reserved", "newsletter", "Share this article")


def article_markup() -> str:
    return (f"<h1>{HEADLINE}</h1><div class='byline'>By Ana Ruiz</div><div class='share'>Share this article</div>"
            + "".join(f"<p>{p.replace('&', '&amp;')}</p>" for p in PARAGRAPHS))


def furniture_around(article: str) -> str:
    return (f"<div class='menu'><ul>{MENU}</ul></div><div class='content'>{article}</div>"
            f"<div class='related'><h2>More stories</h2><ul>{RELATED}</ul></div>"
            "<div class='promo'>Sign up for our newsletter to get the news first.</div>"
            "<div class='footer'>© 2025 Daily Example. All rights reserved.</div>")


def page(body: str, head: str = "<title>Daily Example</title>") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def visible(fragment: str) -> str:
    """The fragment's text as lxml reads it (tags stripped, entities unescaped): an independent check."""
    return " ".join(fragment_fromstring(f"<div>{fragment}</div>").text_content().split())


def assert_article_read(raw: str) -> Document:
    """Every sentence of the article is read, no furniture is, and each citation holds its sentence."""
    document = normalize(0, "page", raw, EN)
    assert document.is_html and document.left_out is None
    read = {s.text for s in document.sentences}
    expected = {p[s:e] for p in PARAGRAPHS for s, e in split_sentences(p)}
    assert expected <= read
    assert not any(f in text for f in FURNITURE for text in read)
    for sentence in document.sentences:
        assert visible(raw[sentence.start:sentence.end]) == " ".join(sentence.text.split())
    return document


def test_h1_without_article_element_keeps_the_body() -> None:
    assert_article_read(page(furniture_around(article_markup())))


def test_form_wrapped_page_keeps_the_body() -> None:
    state = '<input type="hidden" name="__VIEWSTATE" value="dDwtMTA4MzE0MjEwNTs7Pg==" />'
    assert_article_read(page(f'<form method="post" action="./story.aspx" id="aspnetForm">{state}'
                             f"{furniture_around(article_markup())}</form>"))


def test_unclosed_header_and_aside_keep_the_body() -> None:
    body = furniture_around(article_markup())
    assert_article_read(page(f"<header><nav><ul>{MENU}</ul></nav><aside>Trending now{body}"))


def test_page_opening_with_comments_and_a_long_head_is_html() -> None:
    comment = "<!-- " + "Rendered by the content platform; licence terms apply. " * 60 + "-->\n"
    head = "".join(f'<meta name="m{n}" content="value {n}"><link rel="preload" href="/asset{n}.js">'
                   for n in range(300)) + "<style>" + ".x{color:red}" * 3000 + "</style>"
    raw = comment + page(furniture_around(article_markup()), head=head)
    assert len(raw) > 50_000 and looks_like_html(raw)
    document = assert_article_read(raw)
    assert not any("<" in s.text or "color:red" in s.text for s in document.sentences)


def test_an_article_inside_ten_thousand_wrappers_is_read() -> None:
    """libxml2 gives up past 256 nested elements (2,048 with `huge_tree`) and dropped the article with
    the rest of the page, which was then left out as empty."""
    assert_article_read(page("<div>" * 10_000 + furniture_around(article_markup()) + "</div>" * 10_000))


def test_text_at_every_one_of_three_thousand_levels_is_read() -> None:
    """Nesting with text at each level is cut to what libxml2 reads without losing a paragraph."""
    paragraphs = [f"{p[:-1]} (part {n})." for n in range(150) for p in PARAGRAPHS]
    raw = page("".join(f"<div>{p.replace('&', '&amp;')}" for p in paragraphs) + "</div>" * len(paragraphs))
    assert len(paragraphs) > 2048
    document = normalize(0, "page", raw, EN)
    assert document.left_out is None
    assert {p[s:e] for p in paragraphs for s, e in split_sentences(p)} <= {s.text for s in document.sentences}
    for sentence in document.sentences:
        assert visible(raw[sentence.start:sentence.end]) == " ".join(sentence.text.split())


def test_prose_that_mentions_tags_stays_plain_text() -> None:
    raw = ("Web developers still wrap each paragraph in <p> and lay out pages with <div> elements, the survey found. "
           "About 60 percent of respondents said they never write a closing </div> by hand anymore.")
    document = normalize(0, "prose", raw, EN)
    assert not looks_like_html(raw) and not document.is_html and document.left_out is None
    assert [raw[s.start:s.end] for s in document.sentences] == [s.text for s in document.sentences]
    assert "<p>" in document.sentences[0].text


def test_title_site_and_date_come_from_the_page_metadata() -> None:
    head = ('<title>Sheinbaum defends transfer | Daily Example</title>'
            '<meta property="og:title" content="Sheinbaum defends cartel transfer | Daily Example">'
            '<meta property="og:site_name" content="Daily Example">'
            '<meta property="article:published_time" content="2025-08-13T09:30:00-06:00">'
            '<link rel="canonical" href="https://example.com/world/sheinbaum">')
    document = assert_article_read(page(furniture_around(article_markup()), head=head))
    assert document.headline == document.meta.title == "Sheinbaum defends cartel transfer"
    assert document.meta.site == "Daily Example" and document.meta.url == "https://example.com/world/sheinbaum"
    assert document.meta.published_at == datetime(2025, 8, 13, 9, 30, tzinfo=timezone(timedelta(hours=-6)))


def test_metadata_from_json_ld_alone() -> None:
    head = ('<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [{"@type": "WebSite", '
            '"name": "Daily Example"}, {"@type": "NewsArticle", "headline": "Mexico sends 37 to the US", '
            '"datePublished": "2025-08-12", "publisher": {"@type": "Organization", "name": "Daily Example"}}]}'
            "</script>")
    document = normalize(0, "page", page(furniture_around(article_markup()), head=head), EN)
    assert (document.meta.title, document.meta.site) == ("Mexico sends 37 to the US", "Daily Example")
    assert document.meta.published_at == datetime(2025, 8, 12, tzinfo=timezone.utc)


def test_control_characters_never_reach_the_title() -> None:
    head = "<title>Mexico\x00 sends 37\r to the US</title>"
    document = normalize(0, "page", page(furniture_around(article_markup()), head=head), EN)
    assert document.headline == "Mexico sends 37 to the US"


def test_page_text_maps_every_character_back_to_the_markup() -> None:
    raw = ("<p>Rain &amp; <b>wind</b>&nbsp;hit <a href='/oslo'>Oslo</a>.</p>"
           "<script>var x = '<p>no</p>';</script><p>End</p>")
    read = page_text(raw)
    assert read.text == "Rain & wind hit Oslo.\nEnd\n"
    start = read.text.index("Rain")
    assert read.offsets.span(start, start + len("Rain & wind hit Oslo.")) == (3, raw.index("</p>"))
    ampersand = read.text.index("&")
    assert raw[slice(*read.offsets.span(ampersand, ampersand + 1))] == "&amp;"


@pytest.mark.parametrize("paragraph", ["Rain and wind hit Oslo on Monday.", "“Rain and wind hit Oslo on Monday.”",
                                       "Rain and   wind hit\nOslo on Monday."])
def test_extractor_paragraphs_are_found_despite_spacing_and_quotes(paragraph: str) -> None:
    text = "Menu Home\n“Rain and wind hit Oslo on Monday.” Officials said.\nFooter"
    alignment = align([paragraph], text)
    assert alignment.unaligned == 0
    [(start, end)] = alignment.ranges
    assert text[start:end].strip("“”") == "Rain and wind hit Oslo on Monday."


@pytest.mark.parametrize("ending", ["😀.", "&#x1F600;.", " (AP) ★."])
def test_a_paragraph_ending_in_a_symbol_keeps_its_end_and_stays_a_sentence(ending: str) -> None:
    """A hostile pass found "…by her government 😀." read as "…by her government", a heading that never reached
    the brief: the symbol after a space stopped the paragraph's end from taking its full stop."""
    paragraph = f"President Claudia Sheinbaum said on Wednesday it was an independent decision by her government {ending}"
    raw = (f"<html><body><article><p>Mexico has extradited 37 cartel members to the United States.</p><p>{paragraph}"
           "</p><p>The transfer is the third this year, officials said.</p></article></body></html>")
    [sentence] = [s for s in normalize(0, "a", raw, frozenset({"en"})).sentences if "Sheinbaum" in s.text]
    assert sentence.kind == "body" and raw[sentence.start:sentence.end] == paragraph


def test_a_paragraph_end_never_takes_a_symbol_from_the_next_line() -> None:
    assert [range_ for range_ in align(["Rain hit Oslo. ★"], "Rain hit Oslo.\n\n★ Top stories").ranges] == [(0, 14)]


def test_extractor_text_not_in_the_page_is_counted_and_never_kept() -> None:
    text = "Rain hit Oslo on Monday. Schools closed.\nFooter"
    alignment = align(["Rain hit Oslo on Monday. Trains stopped for hours.", "Schools closed."], text)
    assert alignment.unaligned == len("Trains stopped for hours.")
    assert [text[s:e] for s, e in alignment.ranges] == ["Rain hit Oslo on Monday.", "Schools closed."]


ARTICLE_PAGE = """<!DOCTYPE html><html><head><title>Ignored</title><script>var ad = "Buy now.";</script></head>
<body><nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article><h1>Floods close 40 schools in Valencia</h1>
<p>Heavy rain closed 40 schools in Valencia on Monday, officials said.
Roads into the city were cut for <b>six hours</b> &amp; trains were suspended.</p>
<p>Advertisement</p>
<p>The regional government said classes would resume on Wednesday.</p></article>
<footer>Copyright 2025 Example News</footer></body></html>"""


def test_article_page_is_extracted_and_spans_point_into_the_markup() -> None:
    assert looks_like_html(ARTICLE_PAGE) and not looks_like_html("He wrote <b> in his notes and left.")
    doc = normalize(0, "page", ARTICLE_PAGE, EN)
    assert doc.is_html and doc.left_out is None
    texts = [s.text for s in doc.sentences]
    assert texts[0] == "Floods close 40 schools in Valencia"
    assert "Roads into the city were cut for six hours & trains were suspended." in texts
    assert not any("Buy now" in t or "Home" in t or "Copyright" in t or t == "Advertisement" for t in texts)
    for sentence in doc.sentences:
        cited = ARTICLE_PAGE[sentence.start:sentence.end]
        assert visible(cited) == sentence.text
