"""What the disagreements stage costs: its share of a warm extractive brief of the five seeds, and its growth
with the number of similar documents in one story.

    .venv/bin/python bench/disagreements.py [--repeats 7] [--similar 250,500,1000]

Each `Pipeline.run` reports its stages in `timings_ms`; the stage's share is its median time over the
median time of the rest of the same runs (the brief without it), so machine noise hits both alike.
The similar documents (`similar_reports`) are short reports of one storm by different people, each
stating the same counts and days in its own words; the stage should grow linearly with their number.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.pipeline import Pipeline  # noqa: E402
from service.schemas import BriefRequest  # noqa: E402
from service.settings import load_settings  # noqa: E402

_CLAIMS = ["The storm left {homes} homes without power in Perth on Monday, said {name} of the utility.",
           "{homes} homes in Perth lost power when the storm hit on Monday, {name} told reporters.",
           "Some {homes} homes in Perth were without electricity after the storm on Monday, according to {name}.",
           "The storm on Monday cut power to {homes} homes across Perth, {name} said."]
_ROADS = ["Police closed {roads} roads around Perth, {name} said.",
          "{roads} roads in Perth remained closed on Tuesday, said {name}.",
          "Crews led by {name} were clearing {roads} blocked roads near Perth."]
_ASIDES = ["{name} spent the night in the {place} with her family.", "A fallen tree blocked the road to the {place}, {name} said.",
           "{name} handed out soup to neighbours from the {place}.", "Volunteers led by {name} cleared the yard of the {place}."]
_PLACES = "bakery library school clinic garage church market station harbour stadium museum pharmacy".split()
_SYLLABLES = "ka lo mi ren sa tu vel dor ni pa ris go".split()


def _name(n: int) -> str:
    """A distinct made-up surname for each `n` below 12**4, so that no two reports share a sentence."""
    return "".join(_SYLLABLES[n // 12 ** k % 12] for k in range(4)).capitalize()


def similar_reports(count: int, homes: int = 412, roads: int = 23) -> list[dict[str, str]]:
    """`count` reports of one storm that agree on every value, each in its own words and with its own witnesses."""
    rng = random.Random(0)
    reports = []
    for n in range(count):
        names = iter(_name(4 * n + k) for k in range(4))
        asides = [a.format(name=next(names), place=rng.choice(_PLACES)) for a in rng.sample(_ASIDES, 2)]
        text = " ".join([rng.choice(_CLAIMS).format(homes=homes, name=next(names)), asides[0],
                         rng.choice(_ROADS).format(roads=roads, name=next(names)), asides[1]])
        reports.append({"id": f"report-{n}", "text": text})
    return reports


def _stage_ms(pipeline: Pipeline, documents: list[dict[str, str]], repeats: int) -> tuple[float, float]:
    """Median ms of the disagreements stage and of the rest of the brief, warm."""
    request = BriefRequest.model_validate({"documents": documents, "options": {"mode": "extractive"}})
    pipeline.run(request)  # warm-up
    stage, rest = [], []
    for _ in range(repeats):
        timings = pipeline.run(request).timings_ms
        stage.append(timings["disagreements"])
        rest.append(timings["total"] - timings["disagreements"])
    return statistics.median(stage), statistics.median(rest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--similar", default="250,500,1000", help="numbers of similar reports, comma-separated")
    args = parser.parse_args()
    pipeline = Pipeline(load_settings(model="none"))
    seeds = [{"id": p.stem[:3], "text": p.read_text(encoding="utf-8")} for p in sorted((ROOT / "seeds").glob("*.txt"))]
    stage_ms, rest_ms = _stage_ms(pipeline, seeds, args.repeats)
    print(f"five seeds, extractive, warm, median of {args.repeats} runs")
    print("| brief without the stage ms | disagreements stage ms | added |")
    print("|---|---|---|")
    print(f"| {rest_ms:.1f} | {stage_ms:.1f} | {stage_ms / rest_ms:.1%} |")
    print(f"\nsimilar reports of one storm, extractive, warm, median of {args.repeats} runs")
    print("| reports | disagreements stage ms | ms per report |")
    print("|---|---|---|")
    for count in map(int, args.similar.split(",")):
        stage_ms, _ = _stage_ms(pipeline, similar_reports(count), args.repeats)
        print(f"| {count} | {stage_ms:.1f} | {stage_ms / count:.2f} |", flush=True)


if __name__ == "__main__":
    main()
