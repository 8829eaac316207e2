"""Multi-document summary quality: the service's writers beside peers, on the same inputs and budget.

    .venv/bin/python eval/summaries.py multiling ../shared/eval/multiling2011
    .venv/bin/python eval/summaries.py neus ../shared/eval/neus_val --words 80
    .venv/bin/python eval/summaries.py allsides ../shared/eval/allsides_dev --words 80
    .venv/bin/python eval/summaries.py ecbplus ../shared/eval/ecbplus_dev/ecbplus_dev.jsonl --words 80
    .venv/bin/python eval/summaries.py pages ../shared/eval/extraction_dev --words 80
    .venv/bin/python eval/summaries.py jsonl my-set.jsonl --words 250 --modes extractive
    .venv/bin/python eval/summaries.py convert-multinews test.csv multinews.jsonl
    .venv/bin/python eval/summaries.py checked   # faithful share of eval/data/written_checked.jsonl
    .venv/bin/python eval/summaries.py repeats briefs.jsonl   # hand-checked repeated claims in a --dump

Dataset format (JSONL, one topic a line): {"documents": ["text", ...], "references": ["summary", ...]}; a
document may also be an object with the request's fields (`text`, `title`, `source`, `url`, `published_at`).
NeuS sets are sent as a reader would paste them: each article's title on its first line, then its text.
AllSides articles are sent with their title, outlet, address and date as a feed gives them. ECB+ topics (one
request each) and the real pages of `extraction_dev` (each alone, as HTML) have no reference: their briefs are
read for the readability columns.
`--limit N --seed S` takes a fixed random subset of N topics (the same for every system).
ROUGE-1, ROUGE-2 and ROUGE-Lsum F1 (rouge-score, stemming on; Lsum is the summary-level LCS over
newline-separated sentences), averaged over a topic's references, then over topics. Every system's
output is cut to the same word budget. The service's output for a topic is its stories' briefs,
largest story first. Citations are valid when their span lies inside the cited document and holds
text; "generated kept by verify" is the share of generated sentences that verify kept; "fused from ≥2
sources" is the share of brief sentences, in stories with two or more independent sources, that the
model fused from sentences of two or more of them; "written" the share of brief sentences the model wrote;
"briefs citing one span twice" the share of the service's briefs where two sentences cite one span: the service
itself counts them as one claim (a sentence's support is only sentences that state its claim).
The readability columns (`eval/brief_readability.py`) are counted from each system's own sentences.
"""

from __future__ import annotations

import argparse
import ast
import csv
import itertools
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eval.brief_readability import Readability  # noqa: E402
from service.pipeline import Pipeline  # noqa: E402
from service.read.text import split_sentences  # noqa: E402
from service.runtime.embed import Embedder  # noqa: E402
from service.runtime.nlp import Parser  # noqa: E402
from service.schemas import BriefRequest  # noqa: E402
from service.settings import load_settings  # noqa: E402

Topic = dict[str, list]  # "documents": texts or request documents, "references", "titles"


def load_multiling(folder: Path) -> list[Topic]:
    """MultiLing 2011 as kept by sacrerouge: documents are lists of sentences, references by topic id."""
    references: dict[str, list[str]] = {}
    for line in (folder / "summaries.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item["summarizer_type"] == "reference":
            references.setdefault(item["instance_id"], []).append("\n".join(item["summary"]["text"]))
    topics = []
    for line in (folder / "documents.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        topics.append({"documents": ["\n".join(d["text"]) for d in item["documents"]],
                       "references": references[item["instance_id"]]})
    return topics


def load_neus(folder: Path) -> list[Topic]:
    """NeuS: three articles a line (`TITLE=> ... ARTICLE=> ...` joined by ` [SEP] `), the neutral roundup's
    article text as reference."""
    def parts(item: str) -> tuple[str, str]:
        title, _, article = item.partition("ARTICLE=>")
        return title.replace("TITLE=>", "").strip(), article.strip()

    sources = (folder / "val.source").read_text(encoding="utf-8").splitlines()
    targets = (folder / "val.target").read_text(encoding="utf-8").splitlines()
    topics = []
    for source, target in zip(sources, targets):
        articles = [parts(item) for item in source.split(" [SEP] ")]
        topics.append({"documents": [f"{title}\n\n{text}" for title, text in articles],
                       "references": [parts(target)[1]], "titles": [title for title, _ in articles]})
    return topics


def load_allsides(folder: Path) -> list[Topic]:
    """AllSides events: each event's articles as a feed gives them, the editors' roundup as reference."""
    articles = {a["id"]: a for a in map(json.loads, (folder / "articles.jsonl").read_text(encoding="utf-8").splitlines())}
    topics = []
    for event in map(json.loads, (folder / "events.jsonl").read_text(encoding="utf-8").splitlines()):
        members = [articles[i] for i in event["articles"]]
        topics.append({"documents": [{k: a[k] for k in ("id", "title", "text", "source", "url", "published_at")}
                                     for a in members],
                       "references": [event["reference"]], "titles": [a["title"] for a in members]})
    return topics


def load_ecbplus(path: Path) -> list[Topic]:
    """ECB+ as the stories evaluation sends it: one request per topic (two events of one kind), no reference."""
    topics: dict[str, Topic] = {}
    for item in map(json.loads, path.read_text(encoding="utf-8").splitlines()):
        topic = topics.setdefault(item["topic"], {"documents": [], "references": [], "titles": []})
        topic["documents"].append({"id": item["id"], "text": item["text"]})
    return list(topics.values())


def load_pages(folder: Path) -> list[Topic]:
    """The real news pages of `extraction_dev`, each briefed alone as HTML, no reference."""
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    return [{"documents": [{"id": item["file"], "text": (folder / "pages" / item["file"]).read_text(
        encoding="utf-8", errors="replace")}], "references": [], "titles": []} for item in expected]


def text_of(document: str | dict[str, str]) -> str:
    return document if isinstance(document, str) else document["text"]


def subset(topics: list[Topic], limit: int | None, seed: int) -> list[Topic]:
    """A fixed random subset of `limit` topics in their original order (all of them without a limit)."""
    if limit is None or limit >= len(topics):
        return topics
    return [topics[i] for i in sorted(random.Random(seed).sample(range(len(topics)), limit))]


def records(path: Path) -> list[dict[str, Any]]:
    """The JSON objects of a JSON Lines file, blank lines skipped."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def checked_share(path: Path) -> str:
    """The faithful share of hand-checked written sentences (`eval/data/written_checked.jsonl`), by origin."""
    items = records(path)
    by_origin: dict[str, list[bool]] = {}
    for item in items:
        by_origin.setdefault(item["origin"], []).append(bool(item["verdict"]))
    parts = [f"{origin} {sum(v)}/{len(v)}" for origin, v in sorted(by_origin.items())]
    faithful = sum(bool(item["verdict"]) for item in items)
    return f"{faithful}/{len(items)} faithful ({faithful / max(len(items), 1):.3f}): " + ", ".join(parts)


def checked_repeats(dump: Path, checked: Path) -> str:
    """Pairs of sentences of one brief that hand-checked pairs (`eval/data/same_claim_checked.jsonl`) say tell one
    claim, by mode, and the pairs of a brief that no one has checked yet: read those before trusting the count.
    (Pairs the file marks `"read": false` were taken as two claims for being far apart, not read.)"""
    verdicts = {frozenset((item["a"], item["b"])): bool(item["same_claim"]) for item in records(checked)}
    repeats: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    unchecked: Counter[str] = Counter()
    for brief in records(dump):
        mode = brief["mode"]
        for a, b in itertools.combinations([s["text"] for s in brief["sentences"]], 2):
            pairs[mode] += 1
            if (verdict := verdicts.get(frozenset((a, b)))) is None:
                unchecked[mode] += 1
            repeats[mode] += bool(verdict)
    return "\n".join(f"{mode}: {repeats[mode]} pairs tell one claim twice, of {pairs[mode]} pairs within briefs "
                     f"({unchecked[mode]} not checked)" for mode in sorted(pairs))


def convert_multinews(source: Path, target: Path) -> int:
    """Multi-News CSV (`documents` a Python list literal, `summary` opening with "– ") to the JSONL format."""
    csv.field_size_limit(sys.maxsize)
    count = 0
    with source.open(encoding="utf-8", newline="") as handle, target.open("w", encoding="utf-8") as out:
        for row in csv.DictReader(handle):
            documents = [d.strip() for d in ast.literal_eval(row["documents"]) if d.strip()]
            summary = row["summary"].strip().removeprefix("–").strip()
            out.write(json.dumps({"documents": documents, "references": [summary]}, ensure_ascii=False) + "\n")
            count += 1
    return count


def sentences_of(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def cut(sentences: list[str], words: int) -> list[str]:
    """Sentences in order until `words` words; the last one is cut mid-way if needed."""
    out, used = [], 0
    for sentence in sentences:
        tokens = sentence.split()
        if used + len(tokens) > words:
            if words - used > 0:
                out.append(" ".join(tokens[: words - used]))
            break
        out.append(sentence)
        used += len(tokens)
    return out


class _Tokenizer:
    """sumy's tokenizer interface over the service's sentence splitter (sumy's own needs NLTK data downloads)."""

    language = "english"

    def to_sentences(self, paragraph: str) -> list[str]:
        return sentences_of(paragraph)

    def to_words(self, sentence: str) -> list[str]:
        import re

        return re.findall(r"\w+", sentence)


def sumy_system(name: str) -> Callable[[list[str], int], list[str]]:
    from sumy.nlp.stemmers import Stemmer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    def summarize(documents: list[str], words: int) -> list[str]:
        summarizer = {"lexrank": LexRankSummarizer, "textrank": TextRankSummarizer}[name](Stemmer("english"))
        summarizer.stop_words = get_stop_words("english")
        parsed = PlaintextParser.from_string("\n\n".join(documents), _Tokenizer()).document
        low, high = 1, len(parsed.sentences)
        while low < high:  # most sentences whose total fits the budget
            middle = (low + high + 1) // 2
            picked = [str(s) for s in summarizer(parsed, middle)]
            low, high = (middle, high) if sum(len(s.split()) for s in picked) <= words else (low, middle - 1)
        return [str(s) for s in summarizer(parsed, max(low, 1))]

    return summarize


def lead(documents: list[str], words: int) -> list[str]:
    """First sentences of each document in turn."""
    split = [sentences_of(d) for d in documents]
    out = []
    for depth in range(max(len(s) for s in split)):
        out += [s[depth] for s in split if depth < len(s)]
        if sum(len(x.split()) for x in out) >= words:
            break
    return out


def centroid(embedder: Embedder) -> Callable[[list[str], int], list[str]]:
    """Sentences closest to the centroid of all sentence embeddings, skipping near-repeats."""

    def summarize(documents: list[str], words: int) -> list[str]:
        sentences = [s for d in documents for s in sentences_of(d) if len(s.split()) >= 6]
        vectors = embedder.encode(sentences)
        mean = vectors.mean(axis=0)
        chosen: list[int] = []
        for i in np.argsort(-(vectors @ (mean / np.linalg.norm(mean)))):
            if chosen and float((vectors[chosen] @ vectors[i]).max()) >= 0.9:
                continue
            chosen.append(int(i))
            if sum(len(sentences[k].split()) for k in chosen) >= words:
                break
        return [sentences[k] for k in chosen]

    return summarize


Summarize = Callable[[list, int], list[list[str]]]  # one brief a story (peers: one brief)


def service_system(pipeline: Pipeline, mode: str, stats: dict[str, list[float]], story_threshold: float | None,
                   dump: list[dict[str, object]] | None = None) -> Summarize:
    def summarize(documents: list[str | dict[str, str]], words: int) -> list[list[str]]:
        options = {"mode": mode, "max_words": words, "story_threshold": story_threshold}
        given = [{"text": d} if isinstance(d, str) else d for d in documents]
        response = pipeline.run(BriefRequest.model_validate({"documents": given, "options": options}))
        texts = {d.id: text_of(documents[n]) for n, d in enumerate(response.documents)}
        out = []
        for story in response.stories:
            brief = story.brief
            out.append([s.text for s in brief.sentences])
            for sentence in brief.sentences:
                valid = any(0 <= c.start < c.end <= len(texts[c.document_id])
                            and texts[c.document_id][c.start:c.end].strip() for c in sentence.citations)
                stats["valid"].append(float(valid))
                stats["written"].append(float(sentence.origin != "copied"))
                if story.sources >= 2:
                    stats["fused"].append(float(sentence.origin == "fused" and sentence.sources >= 2))
            stats["kept"] += [1.0] * sum(s.origin != "copied" for s in brief.sentences) + [0.0] * len(brief.rejected)
            spans = [{(c.document_id, c.start, c.end) for c in s.citations} for s in brief.sentences]
            stats["one span twice"].append(float(any(spans[i] & spans[j] for i in range(len(spans))
                                                     for j in range(i + 1, len(spans)))))
            if dump is not None:
                dump.append({"mode": mode, "story": story.id, "writer": brief.writer, "written": brief.written,
                             "sentences": [{"text": s.text, "origin": s.origin, "support": s.support,
                                            "cited": [texts[c.document_id][c.start:c.end] for c in s.citations]}
                                           for s in brief.sentences],
                             "rejected": [{"text": r.text, "reason": r.reason} for r in brief.rejected]})
        return out

    return summarize


def evaluate(topics: list[Topic], words: int, modes: list[str], story_threshold: float | None,
             dump: list[dict[str, object]] | None = None, with_peers: bool = True) -> Iterator[tuple[str, dict[str, float]]]:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    pipeline = Pipeline(load_settings(model="embedded" if "model" in modes else "none"))
    parser = Parser()
    systems: dict[str, Summarize] = {}
    stats: dict[str, dict[str, list[float]]] = {}
    for mode in modes:
        stats[mode] = {"valid": [], "kept": [], "fused": [], "written": [], "one span twice": []}
        systems[f"service {mode}"] = service_system(pipeline, mode, stats[mode], story_threshold, dump)
    peers: dict[str, Callable[[list[str], int], list[str]]] = {
        "lead": lead, "sumy LexRank": sumy_system("lexrank"), "sumy TextRank": sumy_system("textrank"),
        "embedding centroid": centroid(pipeline.embedder)}
    systems |= {name: (lambda documents, words, peer=peer: [peer([text_of(d) for d in documents], words)])
                for name, peer in peers.items() if with_peers}
    for name, system in systems.items():
        scores: dict[str, list[float]] = {"R1": [], "R2": [], "RLsum": [], "words": [], "seconds": []}
        readability = Readability(pipeline.embedder, parser)
        for topic in topics:
            start = time.perf_counter()
            briefs = system(topic["documents"], words)
            scores["seconds"].append(time.perf_counter() - start)
            for brief in briefs:
                readability.add(brief, topic.get("titles", []), [text_of(d) for d in topic["documents"]])
            summary = cut([sentence for brief in briefs for sentence in brief], words)
            text = "\n".join(summary)
            per_ref = [scorer.score(reference, text) for reference in topic["references"]]
            for key, metric in (("R1", "rouge1"), ("R2", "rouge2"), ("RLsum", "rougeLsum")):
                if per_ref:  # sets without a reference are read for readability alone
                    scores[key].append(float(np.mean([s[metric].fmeasure for s in per_ref])))
            scores["words"].append(len(text.split()))
        row = {k: float(np.mean(v)) if v else float("nan") for k, v in scores.items()} | readability.figures()
        mode = name.removeprefix("service ")
        if mode in stats:
            row |= {key: float(np.mean(values)) if values else float("nan") for key, values in stats[mode].items()}
        for what, examples in readability.examples.items():
            for example in examples[:3]:
                print(f"  {name} {what}: {example[:200]}", file=sys.stderr)
        yield name, row


COLUMNS = (("valid", "valid citations"), ("kept", "generated kept by verify"), ("fused", "fused from ≥2 sources"),
           ("written", "written by the model"), ("headline", "headlines"), ("furniture", "furniture"),
           ("unresolved", "unresolved openers"), ("fragment", "fragments"),
           ("one span twice", "briefs citing one span twice"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    loaders = {"multiling": load_multiling, "neus": load_neus, "allsides": load_allsides, "ecbplus": load_ecbplus,
               "pages": load_pages, "jsonl": records}
    for name in loaders:
        command = sub.add_parser(name)
        command.add_argument("path", type=Path)
        command.add_argument("--words", type=int, default=250)
        command.add_argument("--modes", default="extractive,model", help="service writer modes to evaluate")
        command.add_argument("--story-threshold", type=float, default=None,
                             help="request option story_threshold; a low value such as 0.05 briefs each topic as one "
                                  "story, which is what topic-level references expect")
        command.add_argument("--limit", type=int, default=None, help="a fixed random subset of this many topics")
        command.add_argument("--seed", type=int, default=24)
        command.add_argument("--dump", type=Path, default=None, help="write the service's briefs here (JSONL)")
        command.add_argument("--no-peers", action="store_true", help="the service alone (while trying a change)")
    checked = sub.add_parser("checked", help="the faithful share of hand-checked model-written sentences")
    checked.add_argument("path", type=Path, nargs="?", default=Path(__file__).resolve().parent / "data" /
                         "written_checked.jsonl")
    repeats = sub.add_parser("repeats", help="hand-checked repeated claims within the briefs of a --dump")
    repeats.add_argument("dump", type=Path)
    repeats.add_argument("--checked", type=Path, default=Path(__file__).resolve().parent / "data" /
                         "same_claim_checked.jsonl")
    convert = sub.add_parser("convert-multinews")
    convert.add_argument("source", type=Path)
    convert.add_argument("target", type=Path)
    args = parser.parse_args()
    if args.command == "checked":
        print(checked_share(args.path))
        return
    if args.command == "repeats":
        print(checked_repeats(args.dump, args.checked))
        return
    if args.command == "convert-multinews":
        print(f"wrote {convert_multinews(args.source, args.target)} topics to {args.target}")
        return
    topics = subset(loaders[args.command](args.path), args.limit, args.seed)
    print(f"{len(topics)} topics, {args.words}-word budget, ROUGE F1 (stemmed), mean over references then topics, "
          f"story_threshold {args.story_threshold or 'default'}" + (f", subset seed {args.seed}" if args.limit else ""))
    print("| system | ROUGE-1 | ROUGE-2 | ROUGE-Lsum | words | " + " | ".join(title for _, title in COLUMNS)
          + " | same-claim pairs | s/topic |")
    print("|---" * (len(COLUMNS) + 7) + "|")
    dump: list[dict[str, object]] | None = [] if args.dump else None
    for name, row in evaluate(topics, args.words, args.modes.split(","), args.story_threshold, dump,
                              not args.no_peers):
        shares = [f"{row[key]:.3f}" if key in row and row[key] == row[key] else "-" for key, _ in COLUMNS]
        rouge = " | ".join(f"{row[key]:.4f}" if row[key] == row[key] else "-" for key in ("R1", "R2", "RLsum"))
        print(f"| {name} | {rouge} | {row['words']:.0f} | {' | '.join(shares)} | {row['same-claim pairs']:.0f} | "
              f"{row['seconds']:.2f} |", flush=True)
    if args.dump and dump is not None:
        args.dump.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in dump), encoding="utf-8")


if __name__ == "__main__":
    main()
