"""Throughput and memory of near-duplicates + stories on synthetic news corpora, beside datasketch LSH alone.

    .venv/bin/python bench/scale.py --sizes 1000,10000,100000 [--time-limit 600]

Corpus: the five seeds, the 30 MultiLing articles and the 70 tgcontest articles as bases. An "event"
is a lead window of one base followed by background paragraphs of two others, its numbers shifted.
Each event is published several times with realistic perturbations: syndicated copies, inserted
boilerplate, a trimmed lead, a changed headline, light word edits. Each (system, size) runs in its own process,
so peak RSS is its own; a run past the time limit is reported as such.

- service: normalize + embed + near-duplicates + stories (`Pipeline.group`), extractive settings.
- datasketch: MinHash (128 permutations) over word 5-shingles + MinHashLSH insert and query, alone.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BOILERPLATE = ["Advertisement", "Listen to this article", "Sign up for our newsletter to get the news first.",
               "Read more: the stories our editors picked today."]
EDITS = {"said": "stated", "also": "additionally", "government": "administration", "officials": "authorities"}


def bases(shared: Path) -> list[str]:
    from eval.summaries import load_multiling

    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    texts += [d for topic in load_multiling(shared / "eval" / "multiling2011") for d in topic["documents"]]
    with (shared / "eval" / "tgcontest_pairs" / "en_train_pool.tsv").open(encoding="utf-8") as handle:
        pairs = list(csv.DictReader(handle, delimiter="\t"))
    return texts + [f"{row[f'INPUT:{side}_title']}\n{row[f'INPUT:{side}_text']}" for row in pairs
                    for side in ("first", "second")]


def paragraphs(text: str, sentences_each: int = 3) -> list[str]:
    """The text's lines, a long single-line text (the tgcontest layout) cut into paragraphs of a few sentences."""
    from service.read.text import split_sentences

    out = []
    for line in (line for line in text.splitlines() if line.strip()):
        spans = split_sentences(line)
        out += [line[spans[i][0]:spans[min(i + sentences_each, len(spans)) - 1][1]]
                for i in range(0, len(spans), sentences_each)]
    return out


def build_corpus(size: int, shared: Path, seed: int = 0) -> list[str]:
    """`size` articles: events derived from the bases, each published in 1-6 perturbed versions.

    An event opens with a window of one base (its lead, 3 paragraphs) and goes on with background
    paragraphs from two other bases, its numbers shifted: events are distinct texts, and events that
    share a lead window are the same story told again.
    """
    rng = random.Random(seed)
    sources = [paragraphs(text) for text in bases(shared)]
    corpus: list[str] = []
    event = 0
    while len(corpus) < size:
        lead = sources[event % len(sources)]
        start = rng.randrange(max(1, len(lead) - 3))
        shift = rng.randrange(1, 50)
        body = lead[start:start + 3]
        for other in rng.sample(sources, 2):
            at = rng.randrange(max(1, len(other) - 2))
            body += other[at:at + 2]
        body = [re.sub(r"\d+", lambda m: str(int(m.group()) + shift), line) for line in body]
        for _ in range(rng.randint(1, 6)):
            version = list(body)
            kind = rng.randrange(5)
            if kind == 1:
                version.insert(rng.randrange(len(version) + 1), rng.choice(BOILERPLATE))
            elif kind == 2 and len(version) > 3:
                version = version[1:]
            elif kind == 3:
                version = [f"Update {rng.randrange(1000)}: {version[0][:80]}"] + version
            elif kind == 4:
                version = [" ".join(EDITS.get(w, w) for w in line.split(" ")) for line in version]
            corpus.append("\n".join(version))
        event += 1
    return corpus[:size]


def run_service(corpus: list[str]) -> dict[str, float]:
    from service.pipeline import Pipeline, Timer, validate
    from service.schemas import BriefRequest
    from service.settings import load_settings

    settings = load_settings(model="none", max_documents=len(corpus), max_total_chars=10**10)
    pipeline = Pipeline(settings)
    request = BriefRequest.model_validate({"documents": [{"text": t} for t in corpus]})
    start = time.perf_counter()
    timer = Timer(threading.Event())
    grouped = pipeline.group(request, validate(request, settings), pipeline.effective(request), timer)
    return {"seconds": time.perf_counter() - start, "stories": len(grouped.stories),
            "groups": sum(len(s.groups) for s in grouped.stories)} | {f"{k}_s": v / 1000 for k, v in timer.items()}


def shingles(text: str) -> set[str]:
    """Word 5-grams, as a user of datasketch would write them."""
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i:i + 5]) for i in range(max(1, len(words) - 4))}


def run_datasketch(corpus: list[str]) -> dict[str, float]:
    from datasketch import MinHash, MinHashLSH

    start = time.perf_counter()
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    hashes = MinHash.bulk([[s.encode() for s in shingles(t)] for t in corpus], num_perm=128)
    pairs = 0
    for i, minhash in enumerate(hashes):
        pairs += len(lsh.query(minhash))
        lsh.insert(i, minhash)
    return {"seconds": time.perf_counter() - start, "candidate_pairs": pairs}


def child(system: str, size: int, shared: Path) -> None:
    corpus = build_corpus(size, shared)
    result = {"service": run_service, "datasketch": run_datasketch}[system](corpus)
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--time-limit", type=float, default=600)
    parser.add_argument("--systems", default="datasketch,service")
    parser.add_argument("--child", nargs=2, metavar=("SYSTEM", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.shared)
        return
    print("| system | documents | seconds | docs/s | peak RSS MiB | detail |")
    print("|---|---|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        for system in args.systems.split(","):
            command = [sys.executable, __file__, "--child", system, str(size), "--shared", str(args.shared)]
            try:
                done = subprocess.run(command, capture_output=True, text=True, timeout=args.time_limit, check=True)
            except subprocess.TimeoutExpired:
                print(f"| {system} | {size} | > {args.time_limit:.0f} | - | - | did not finish within the limit |",
                      flush=True)
                continue
            r = json.loads(done.stdout.strip().splitlines()[-1])
            detail = {k: (round(v, 2) if isinstance(v, float) else v) for k, v in r.items()
                      if k not in ("seconds", "peak_rss_mib")}
            print(f"| {system} | {size} | {r['seconds']:.1f} | {size / r['seconds']:.0f} | {r['peak_rss_mib']:.0f} | "
                  f"{detail} |", flush=True)


if __name__ == "__main__":
    main()
