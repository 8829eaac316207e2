"""Reading an HTML page: the service's extraction beside trafilatura alone, in the same run.

    .venv/bin/python bench/extraction.py [--repeats 15] [--pages ../shared/eval/extraction_dev/pages]

The page is built here: a 1 MB news page shaped like real ones (most of its bytes are inline
styles and scripts; a header menu, a sidebar of teasers, a comment thread and a footer around a
ten-paragraph article made of the seeds). Timed, interleaved so that load on the machine hits all
alike, median of `--repeats`:
- trafilatura: `trafilatura.extract(page)`, the extractor alone, as a user would call it;
- extraction: `read_article(page)`, what the service adds to it included (parsing once for
  metadata and extractor, the page's own text with offsets, aligning the extractor's paragraphs);
- stage 1: `normalize(page)`, extraction plus sentences, furniture filter and language.
With `--pages`, the same three on the largest page of that folder, and over all its pages, summed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import trafilatura

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.read.article import read_article  # noqa: E402
from service.read.text import normalize  # noqa: E402

EN = frozenset({"en"})
MEGABYTE = 1_000_000


def news_page(size: int = MEGABYTE) -> str:
    """A news page of about `size` bytes around an article made of the seeds' paragraphs."""
    seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    paragraphs = [line for line in seeds[1].splitlines()[1:] if len(line.split()) > 8]
    teasers = [line.split(".")[0] for text in seeds for line in text.splitlines() if len(line.split()) > 8]
    menu = "".join(f'<li class="menu-item"><a href="/section/{n}">Section {n}</a></li>' for n in range(300))
    sidebar = "".join(f'<div class="teaser"><a href="/story/{n}"><img src="/i/{n}.jpg" alt=""><h3>{t}</h3></a>'
                      f'<span class="date">2 hours ago</span></div>' for n, t in enumerate(teasers * 3))
    comments = "".join(f'<li class="comment"><b>reader{n}</b><p>{teasers[n % len(teasers)]}, I think.</p></li>'
                       for n in range(60))
    head = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Mexico sends 26 cartel figures to '
            'the U.S. | Example News</title><meta property="og:title" content="Mexico sends 26 cartel figures to '
            'the U.S."><meta property="og:site_name" content="Example News"><meta property="article:published_time" '
            'content="2025-08-12T14:05:00Z">')
    body = (f'</head><body><div id="page"><header><nav><ul>{menu}</ul></nav></header><main><article>'
            f'<h1>Mexico sends 26 cartel figures to the U.S.</h1><p class="byline">By Staff</p>'
            + "".join(f"<p>{p.replace('&', '&amp;')}</p>" for p in paragraphs)
            + f'</article><aside>{sidebar}</aside><section class="comments"><ol>{comments}</ol></section></main>'
            f'<footer>{menu}</footer></div></body></html>')
    rules = (f".c{n} .item-{n}>a:hover{{color:#{n % 4096:03x};margin:{n % 9}px}}" for n in range(10**6))
    calls = (f'window.ads.push({{"slot":"s{n}","sizes":[[300,250],[728,90]],"targeting":{{"pos":{n}}}}});'
             for n in range(10**6))
    filler: list[str] = []
    room = size - len((head + body).encode("utf-8"))
    while True:  # a style and a script block in turn, about 20 kB each, as pages inline them
        block = (f"<style>{' '.join(next(rules) for _ in range(400))}</style>" if len(filler) % 2 else
                 f"<script>{' '.join(next(calls) for _ in range(200))}</script>")
        if len(block) > room:
            break
        filler.append(block)
        room -= len(block)
    return head + "".join(filler) + " " * room + body


def interleaved(readers: dict[str, Callable[[str], object]], pages: list[str],
                repeats: int) -> dict[str, tuple[float, float]]:
    """Median wall and CPU seconds of each reader over all `pages`, the readers taking turns in every
    repeat. Reading is single-threaded, so on a busy machine CPU time is the closer estimate of
    what a quiet one takes."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in readers}
    for _ in range(repeats):
        for name, read in readers.items():
            wall, cpu = time.perf_counter(), time.process_time()
            for page in pages:
                read(page)
            times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    return {name: (statistics.median(w for w, _ in values), statistics.median(c for _, c in values))
            for name, values in times.items()}


def report(title: str, pages: list[str], repeats: int) -> None:
    readers: dict[str, Callable[[str], object]] = {
        "trafilatura": lambda page: trafilatura.extract(page),
        "extraction": read_article,
        "stage 1": lambda page: normalize(0, "page", page, EN),
    }
    for read in readers.values():  # warm-up: imports, caches
        read(pages[0])
    medians = interleaved(readers, pages, repeats)
    size = sum(len(p.encode("utf-8")) for p in pages) / MEGABYTE
    print(f"\n{title}: {len(pages)} page(s), {size:.2f} MB, median of {repeats} runs")
    print("| reader | wall ms | CPU ms | CPU ms per MB | CPU / trafilatura's |")
    print("|---|---|---|---|---|")
    for name, (wall, cpu) in medians.items():
        print(f"| {name} | {wall * 1000:.1f} | {cpu * 1000:.1f} | {cpu * 1000 / size:.1f} | "
              f"{cpu / medians['trafilatura'][1]:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--pages", type=Path, help="a folder of real .html pages to time as well")
    args = parser.parse_args()
    page = news_page()
    article = read_article(page)
    print(f"built page: {len(page.encode('utf-8'))} bytes; article read: {len(article.text)} characters in "
          f"{len(article.paragraphs)} paragraphs, {article.unaligned} unaligned; title {article.meta.title!r}")
    report("1 MB news page", [page], args.repeats)
    if args.pages:
        files = sorted(args.pages.glob("*.html"), key=lambda p: p.stat().st_size)
        real = [p.read_bytes().decode("utf-8", "replace") for p in files]
        report(f"largest real page, {files[-1].name}", real[-1:], args.repeats)
        report(f"real pages in {args.pages}", real, max(args.repeats // 5, 1))


if __name__ == "__main__":
    main()
