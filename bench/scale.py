"""Throughput and memory of near-duplicates + stories on synthetic news corpora, beside datasketch LSH alone.

    .venv/bin/python bench/scale.py --sizes 1000,10000,100000 [--time-limit 600]

Corpus: the five seeds and the 30 MultiLing articles as bases. Each base yields "events": a window of
its sentences with its numbers shifted (a different count is a different event). Each event is
published several times with realistic perturbations: syndicated copies, inserted boilerplate, a
trimmed lead, a changed headline, light word edits. Each (system, size) runs in its own process,
so peak RSS is its own; a run past the time limit is reported as such.

- service: normalize + embed + near-duplicates + stories (`Pipeline.group`), extractive settings.
- datasketch: MinHash (128 permutations) over word 5-shingles + MinHashLSH insert and query, alone.
"""

from __future__ import annotations

import argparse
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
    return texts + [d for topic in load_multiling(shared / "eval" / "multiling2011") for d in topic["documents"]]


def build_corpus(size: int, shared: Path, seed: int = 0) -> list[str]:
    """`size` articles: events derived from the bases, each published in 1-6 perturbed versions."""
    rng = random.Random(seed)
    sources = [[line for line in text.splitlines() if line.strip()] for text in bases(shared)]
    corpus: list[str] = []
    event = 0
    while len(corpus) < size:
        lines = sources[event % len(sources)]
        start = rng.randrange(max(1, len(lines) - 6))
        shift = event // len(sources) + 1
        body = [re.sub(r"\d+", lambda m: str(int(m.group()) + shift), line) for line in lines[start:start + 12]]
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
    from service.pipeline import Pipeline, Timer, effective_settings, validate
    from service.schemas import BriefRequest
    from service.settings import load_settings

    settings = load_settings(model="none", max_documents=len(corpus), max_total_chars=10**10)
    pipeline = Pipeline(settings)
    request = BriefRequest.model_validate({"documents": [{"text": t} for t in corpus]})
    start = time.perf_counter()
    timer = Timer(threading.Event())
    grouped = pipeline.group(request, validate(request, settings), effective_settings(request, settings), timer)
    return {"seconds": time.perf_counter() - start, "stories": len(grouped.stories),
            "groups": sum(len(s.groups) for s in grouped.stories)} | {f"{k}_s": v / 1000 for k, v in timer.items()}


def run_datasketch(corpus: list[str]) -> dict[str, float]:
    from datasketch import MinHash, MinHashLSH

    from service.dedup import shingles

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
