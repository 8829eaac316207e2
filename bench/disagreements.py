"""What the disagreements stage adds to a warm extractive brief of the five seeds, measured in the same runs.

    .venv/bin/python bench/disagreements.py [--repeats 7]

Each `Pipeline.run` reports its stages in `timings_ms`; the stage's share is its median time over the
median time of the rest of the same runs (the brief without it), so machine noise hits both alike.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.pipeline import Pipeline  # noqa: E402
from service.schemas import BriefRequest  # noqa: E402
from service.settings import load_settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    documents = [{"id": p.stem[:3], "text": p.read_text(encoding="utf-8")} for p in sorted((ROOT / "seeds").glob("*.txt"))]
    request = BriefRequest.model_validate({"documents": documents, "options": {"mode": "extractive"}})
    pipeline = Pipeline(load_settings(model="none"))
    pipeline.run(request)  # warm-up
    stage, rest = [], []
    for _ in range(args.repeats):
        timings = pipeline.run(request).timings_ms
        stage.append(timings["disagreements"])
        rest.append(timings["total"] - timings["disagreements"])
    stage_ms, rest_ms = statistics.median(stage), statistics.median(rest)
    print(f"five seeds, extractive, warm, median of {args.repeats} runs")
    print("| brief without the stage ms | disagreements stage ms | added |")
    print("|---|---|---|")
    print(f"| {rest_ms:.1f} | {stage_ms:.1f} | {stage_ms / rest_ms:.1%} |")


if __name__ == "__main__":
    main()
