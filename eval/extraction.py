"""Is the article body what gets read from real news pages, and do its citations hold?

    .venv/bin/python eval/extraction.py ../shared/eval/extraction_dev [--show]

For each page (`expected.json`: `file`, `with`, `without` snippets), the service's stage 1
(`normalize`) reads the page as the pipeline does, and other readers read the same page beside it:
trafilatura 2.x with its defaults, readability-lxml and resiliparse's main-content extraction. Printed:
- 'with' found: share of article snippets present in the text read (whitespace-normalised);
- 'without' kept out: share of page-furniture snippets absent from it;
- titles right: the document title equals a headline the page declares (any `<h1>`, `og:title`,
  `twitter:title`, JSON-LD `headline`, `<title>`), whole or cut before a separator (" | ", " - ",
  " – ", " — ", ": ") when the part kept has 3 words or more, and not ending with the site's name;
  a menu label, a byline, a date or "Headline | Site" is wrong;
- citations valid: the cited stretch of HTML, tags stripped and entities unescaped by lxml (not by
  the service's own tokenizer), holds the sentence; exact: it is the sentence, up to whitespace;
- unaligned: characters trafilatura reported that were not found in the page (never cited);
- dates: pages where a publication date was found, and agreement with trafilatura's date (htmldate).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import trafilatura
from lxml.html import HtmlElement, HTMLParser, document_fromstring, fragment_fromstring
from readability import Document as ReadabilityDocument
from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.html import HTMLTree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.read.text import read  # noqa: E402
from service.types import Document  # noqa: E402

EN = frozenset({"en"})
UTF8 = HTMLParser(encoding="utf-8")
_SEPARATOR = re.compile(r"\s+(?:[|\-–—]|::)\s+|:\s+")


def squeeze(text: str) -> str:
    return " ".join(text.split())


def key(text: str) -> str:
    return re.sub(r"\W+", "", text).casefold()


def snippet_scores(text: str, expected: dict[str, list[str]]) -> tuple[int, int]:
    """How many 'with' snippets are in `text`, and how many 'without' snippets are not."""
    flat = squeeze(text)
    return (sum(squeeze(s) in flat for s in expected["with"]),
            sum(squeeze(s) not in flat for s in expected["without"]))


def title_judge(tree: HtmlElement) -> Callable[[str], bool]:
    """Whether a title is right for this page: a declared headline, whole or cut before a
    separator, that does not end with the site's name (`og:site_name`)."""
    headlines = declared_headlines(tree)
    site = key(" ".join(tree.xpath("//meta[@property='og:site_name']/@content")[:1]))

    def right(title: str) -> bool:
        found = key(title)
        return found in headlines and not (site and found != site and found.endswith(site))
    return right


def declared_headlines(tree: HtmlElement) -> set[str]:
    """Keys of every headline the page declares, whole and cut before each separator."""
    values = [h.text_content() for h in tree.iter("h1")] + [t.text_content() for t in tree.iter("title")]
    values += tree.xpath("//meta[@property='og:title' or @name='og:title' or @name='twitter:title']/@content")
    for script in tree.xpath("//script[@type='application/ld+json']"):
        values += re.findall(r'"headline"\s*:\s*"([^"]+)"', script.text_content())
    keys = set()
    for value in (squeeze(v) for v in values):
        keys.add(key(value))
        keys.update(key(value[:m.start()]) for m in _SEPARATOR.finditer(value) if len(value[:m.start()].split()) >= 3)
    keys.discard("")
    return keys


def visible(fragment: str) -> str:
    """The text of an HTML fragment as lxml reads it: tags stripped, entities unescaped."""
    if not fragment.strip():
        return ""
    element = fragment_fromstring(f"<div>{fragment}</div>")
    for opaque in element.xpath(".//script|.//style"):
        opaque.drop_tree()
    return squeeze(element.text_content())


def citation_checks(raw: str, document: Document) -> tuple[int, int, int]:
    """Sentences whose cited span holds them, is them (up to whitespace), and all sentences."""
    holds = exact = 0
    for sentence in document.sentences:
        shown = visible(raw[sentence.start:sentence.end])
        holds += squeeze(sentence.text) in shown
        exact += squeeze(sentence.text) == shown
    return holds, exact, len(document.sentences)


def readability_text(raw: str) -> str:
    summary = ReadabilityDocument(raw).summary()
    return visible(summary) if summary.strip() else ""


# Other readers, run on the same pages: their text, and their title when they give one. (Speed: bench/extraction.py.)
PEERS: dict[str, tuple[Callable[[str], str], Callable[[str], str] | None]] = {
    "trafilatura 2.x (defaults)": (lambda raw: trafilatura.extract(raw) or "",
                                   lambda raw: trafilatura.extract_metadata(raw).title or ""),
    "readability-lxml": (readability_text, lambda raw: ReadabilityDocument(raw).short_title()),
    "resiliparse (main content)": (lambda raw: extract_plain_text(HTMLTree.parse(raw), main_content=True), None),
}


class Scores:
    """Running sums for one reader: snippets found and kept out, titles right."""

    def __init__(self) -> None:
        self.found = self.kept_out = self.titles = 0

    def add(self, text: str, page: dict[str, list[str]], title_right: bool) -> None:
        found, kept_out = snippet_scores(text, page)
        self.found += found
        self.kept_out += kept_out
        self.titles += title_right


def evaluate(folder: Path, show: bool) -> None:
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    scores = {name: Scores() for name in ("service, every sentence", "service, body sentences only", *PEERS)}
    holds = exact = sentences = unaligned = dates = both = agree = 0
    for page in expected:
        raw = (folder / "pages" / page["file"]).read_bytes().decode("utf-8", "replace")
        right = title_judge(document_fromstring(raw.encode("utf-8"), parser=UTF8))
        reading = read(0, page["file"], raw, EN)
        document, article = reading.document, reading.article
        every = " ".join(s.text for s in document.sentences)
        scores["service, every sentence"].add(every, page, right(document.headline))
        scores["service, body sentences only"].add(" ".join(s.text for s in document.body), page,
                                                   right(document.headline))
        for name, (extract, title) in PEERS.items():
            scores[name].add(extract(raw), page, title is not None and right(title(raw)))
        checked = citation_checks(raw, document)
        holds, exact, sentences = holds + checked[0], exact + checked[1], sentences + checked[2]
        unaligned += article.unaligned if article else 0
        found_date, peer_date = document.meta.published_at, trafilatura.extract_metadata(raw).date
        dates += found_date is not None
        if found_date and peer_date:
            both += 1
            agree += abs((found_date.date() - date.fromisoformat(peer_date)).days) <= 1
        if show:
            print(f"{page['file']}\n  title: {document.headline!r} ({'right' if right(document.headline) else 'WRONG'})"
                  f"\n  source: {document.meta.site!r}  date: {document.meta.published_at}")
            print("".join(f"  missing: {s!r}\n" for s in page["with"] if squeeze(s) not in squeeze(every)) +
                  "".join(f"  kept furniture: {s!r}\n" for s in page["without"] if squeeze(s) in squeeze(every)),
                  end="")
    pages, with_count, without_count = len(expected), sum(len(p["with"]) for p in expected), \
        sum(len(p["without"]) for p in expected)
    print(f"{pages} pages, {with_count} 'with' and {without_count} 'without' snippets\n")
    print("| reader | 'with' found | 'without' kept out | titles right |")
    print("|---|---|---|---|")
    for name, score in scores.items():
        titles = f"{score.titles / pages:.3f}" if name.startswith("service") or PEERS[name][1] else "-"
        print(f"| {name} | {score.found / with_count:.3f} | {score.kept_out / without_count:.3f} | {titles} |")
    print(f"\ncitations: {sentences} sentences, valid (span holds the sentence) {holds / sentences:.3f}, "
          f"exact {exact / sentences:.3f}")
    print(f"unaligned characters of trafilatura output, never cited: {unaligned}")
    print(f"publication date found on {dates} of {pages} pages; within a day of trafilatura's (htmldate) on "
          f"{agree} of the {both} pages where both found one")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, nargs="?", default=Path("../shared/eval/extraction_dev"))
    parser.add_argument("--show", action="store_true", help="Print each page's title, date and failed snippets.")
    args = parser.parse_args()
    evaluate(args.folder, args.show)


if __name__ == "__main__":
    main()
