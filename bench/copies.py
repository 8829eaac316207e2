"""Cost of syndicated copies: one article briefed alone, then with 10, 100 and 1,000 exact copies.

    .venv/bin/python bench/copies.py [--counts 1,10,100,1000]

Each count runs in its own process (so peak RSS is its own), with the models loaded before the
clock starts: the time is one warm extractive `Pipeline.run` of the request. Issue 11's target:
1,000 copies in under 5 s, with memory flat. Articles: seed 001 (the longest seed).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def child(count: int) -> None:
    from service.pipeline import Pipeline
    from service.schemas import BriefRequest
    from service.settings import load_settings

    pipeline = Pipeline(load_settings(model="none"))
    text = sorted((ROOT / "seeds").glob("001_*.txt"))[0].read_text(encoding="utf-8")
    request = BriefRequest.model_validate({"documents": [{"id": f"copy-{n}", "text": text} for n in range(count)],
                                           "options": {"mode": "extractive"}})
    pipeline.run(BriefRequest.model_validate({"documents": [{"text": text}]}))  # warm: first-call costs out
    start = time.perf_counter()
    response = pipeline.run(request)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "stories": len(response.stories), "timings_ms": response.timings_ms,
                      "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counts", default="1,10,100,1000")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    print("| copies | seconds | ratio to one | peak RSS MiB | slowest stages (ms) |")
    print("|---|---|---|---|---|")
    base = None
    for count in (int(c) for c in args.counts.split(",")):
        done = subprocess.run([sys.executable, __file__, "--child", str(count)], capture_output=True, text=True,
                              check=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        base = base or result["seconds"]
        stages = sorted(((k, v) for k, v in result["timings_ms"].items() if k != "total"), key=lambda kv: -kv[1])[:3]
        print(f"| {count} | {result['seconds']:.2f} | {result['seconds'] / base:.1f} | {result['peak_rss_mib']:.0f} | "
              f"{', '.join(f'{k} {v:.0f}' for k, v in stages)} |", flush=True)


if __name__ == "__main__":
    main()
