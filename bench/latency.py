"""Latency of one brief of the five seeds, cold and warm, both writers, beside sumy LexRank in the same run.

    .venv/bin/python bench/latency.py [--repeats 5] [--no-model]

Cold: a new Python process that imports the service, loads the models (converted-weights cache
present) and answers one request. Warm: the median of repeated `Pipeline.run` calls in one process.
sumy LexRank runs on the same five texts for the same word budget; the ratio is service / LexRank.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.summaries import sumy_system  # noqa: E402
from service.pipeline import Pipeline  # noqa: E402
from service.schemas import BriefRequest  # noqa: E402
from service.settings import load_settings  # noqa: E402

WORDS = 120
COLD = """
import time, glob, sys
start = time.perf_counter()
from service.pipeline import Pipeline
from service.schemas import BriefRequest
from service.settings import load_settings
pipeline = Pipeline(load_settings(model=sys.argv[1]))
loaded = time.perf_counter()
docs = [{"id": p, "text": open(p, encoding="utf-8").read()} for p in sorted(glob.glob("seeds/*.txt"))]
pipeline.run(BriefRequest.model_validate({"documents": docs, "options": {"mode": sys.argv[2], "max_words": 120}}))
print(f"{loaded - start:.3f} {time.perf_counter() - start:.3f}")
"""


def seeds() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]


def median_seconds(work, repeats: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cold(model: str, mode: str) -> tuple[float, float]:
    out = subprocess.run([sys.executable, "-c", COLD, model, mode], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.split()
    return float(out[-2]), float(out[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-model", action="store_true", help="skip the model writer (slow on CPU)")
    args = parser.parse_args()
    texts = seeds()
    lexrank = sumy_system("lexrank")
    lexrank_s = median_seconds(lambda: lexrank(texts, WORDS), args.repeats)
    request = {"documents": [{"text": t} for t in texts], "options": {"max_words": WORDS}}
    modes = [("extractive", "none")] + ([] if args.no_model else [("model", "embedded")])
    print(f"five seeds, {WORDS}-word budget; sumy LexRank warm median {lexrank_s:.3f} s ({args.repeats} runs)")
    print("| writer | cold: load s | cold: load + first brief s | warm median s | warm / LexRank |")
    print("|---|---|---|---|---|")
    for mode, model in modes:
        load_s, first_s = cold(model, mode)
        pipeline = Pipeline(load_settings(model=model))
        body = BriefRequest.model_validate(request | {"options": {"max_words": WORDS, "mode": mode}})
        pipeline.run(body)  # warm-up
        warm = median_seconds(lambda: pipeline.run(body), args.repeats if mode == "extractive" else 2)
        print(f"| {mode} | {load_s:.2f} | {first_s:.2f} | {warm:.3f} | {warm / lexrank_s:.2f} |", flush=True)


if __name__ == "__main__":
    main()
