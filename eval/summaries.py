"""Multi-document summary quality: the service's writers beside peers, on the same inputs and budget.

    .venv/bin/python eval/summaries.py multiling ../shared/eval/multiling2011
    .venv/bin/python eval/summaries.py jsonl my-set.jsonl --words 250 --modes extractive
    .venv/bin/python eval/summaries.py convert-multinews test.csv multinews.jsonl

Dataset format (JSONL, one topic a line): {"documents": ["text", ...], "references": ["summary", ...]}.
ROUGE-1, ROUGE-2 and ROUGE-Lsum F1 (rouge-score, stemming on; Lsum is the summary-level LCS over
newline-separated sentences), averaged over a topic's references, then over topics. Every system's
output is cut to the same word budget. The service's output for a topic is its stories' briefs,
largest story first. Citations are valid when their span lies inside the cited document and holds
text; "generated kept by verify" is the share of generated sentences that verify kept; "fused from ≥2
sources" is the share of brief sentences, in stories with two or more independent sources, that the
model fused from sentences of two or more of them.
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.pipeline import Pipeline  # noqa: E402
from service.read.text import split_sentences  # noqa: E402
from service.runtime.embed import Embedder  # noqa: E402
from service.schemas import BriefRequest  # noqa: E402
from service.settings import load_settings  # noqa: E402

Topic = dict[str, list[str]]


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


def load_jsonl(path: Path) -> list[Topic]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


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


def service_system(pipeline: Pipeline, mode: str, stats: dict[str, list[float]],
                   story_threshold: float | None) -> Callable[[list[str], int], list[str]]:
    def summarize(documents: list[str], words: int) -> list[str]:
        options = {"mode": mode, "max_words": words, "story_threshold": story_threshold}
        request = BriefRequest.model_validate({"documents": [{"text": d} for d in documents], "options": options})
        response = pipeline.run(request)
        texts = {d.id: documents[n] for n, d in enumerate(response.documents)}
        out = []
        for story in response.stories:
            brief = story.brief
            for sentence in brief.sentences:
                valid = any(0 <= c.start < c.end <= len(texts[c.document_id])
                            and texts[c.document_id][c.start:c.end].strip() for c in sentence.citations)
                stats["valid"].append(float(valid))
                out.append(sentence.text)
                if story.sources >= 2:
                    stats["fused"].append(float(sentence.origin == "fused" and sentence.sources >= 2))
            stats["kept"] += [1.0] * sum(s.origin != "copied" for s in brief.sentences) + [0.0] * len(brief.rejected)
        return out

    return summarize


def evaluate(topics: list[Topic], words: int, modes: list[str],
             story_threshold: float | None) -> Iterator[tuple[str, dict[str, float]]]:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    pipeline = Pipeline(load_settings(model="embedded" if "model" in modes else "none"))
    systems: dict[str, Callable[[list[str], int], list[str]]] = {}
    stats: dict[str, dict[str, list[float]]] = {}
    for mode in modes:
        stats[mode] = {"valid": [], "kept": [], "fused": []}
        systems[f"service {mode}"] = service_system(pipeline, mode, stats[mode], story_threshold)
    systems |= {"lead": lead, "sumy LexRank": sumy_system("lexrank"), "sumy TextRank": sumy_system("textrank"),
                "embedding centroid": centroid(pipeline.embedder)}
    for name, system in systems.items():
        scores: dict[str, list[float]] = {"R1": [], "R2": [], "RLsum": [], "words": [], "seconds": []}
        for topic in topics:
            start = time.perf_counter()
            summary = cut(system(topic["documents"], words), words)
            scores["seconds"].append(time.perf_counter() - start)
            text = "\n".join(summary)
            per_ref = [scorer.score(reference, text) for reference in topic["references"]]
            for key, metric in (("R1", "rouge1"), ("R2", "rouge2"), ("RLsum", "rougeLsum")):
                scores[key].append(float(np.mean([s[metric].fmeasure for s in per_ref])))
            scores["words"].append(len(text.split()))
        row = {k: float(np.mean(v)) for k, v in scores.items()}
        mode = name.removeprefix("service ")
        if mode in stats:
            row |= {key: float(np.mean(values)) if values else float("nan") for key, values in stats[mode].items()}
        yield name, row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("multiling", "jsonl"):
        command = sub.add_parser(name)
        command.add_argument("path", type=Path)
        command.add_argument("--words", type=int, default=250)
        command.add_argument("--modes", default="extractive,model", help="service writer modes to evaluate")
        command.add_argument("--story-threshold", type=float, default=None,
                             help="request option story_threshold; a low value such as 0.05 briefs each topic as one "
                                  "story, which is what topic-level references expect")
    convert = sub.add_parser("convert-multinews")
    convert.add_argument("source", type=Path)
    convert.add_argument("target", type=Path)
    args = parser.parse_args()
    if args.command == "convert-multinews":
        print(f"wrote {convert_multinews(args.source, args.target)} topics to {args.target}")
        return
    topics = load_multiling(args.path) if args.command == "multiling" else load_jsonl(args.path)
    print(f"{len(topics)} topics, {args.words}-word budget, ROUGE F1 (stemmed), mean over references then topics, "
          f"story_threshold {args.story_threshold or 'default'}")
    print("| system | ROUGE-1 | ROUGE-2 | ROUGE-Lsum | words | valid citations | generated kept by verify | "
          "fused from ≥2 sources | s/topic |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, row in evaluate(topics, args.words, args.modes.split(","), args.story_threshold):
        shares = [f"{row[key]:.3f}" if key in row and row[key] == row[key] else "-" for key in ("valid", "kept", "fused")]
        print(f"| {name} | {row['R1']:.4f} | {row['R2']:.4f} | {row['RLsum']:.4f} | {row['words']:.0f} | "
              f"{' | '.join(shares)} | {row['seconds']:.2f} |", flush=True)


if __name__ == "__main__":
    main()
