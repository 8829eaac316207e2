"""Threads per brief (`BRIEF_THREADS`): one against one per core (the libraries' default), quiet and busy.

    .venv/bin/python bench/threads.py --shared ../shared          # extractive briefs, 3 repeats
    .venv/bin/python bench/threads.py --shared ../shared --model  # the model writer too (slow)

Workloads: 200 one-sentence documents (the case that exposed the problem), the five seeds, and one
ECB+ topic (real articles, two events). Conditions: as the machine is, and with twice as many
busy processes as cores spinning beside the brief (other replicas, jobs or tenants on the host).
Each brief runs in a worker thread of its own thread count, as `service/http/lanes.py` runs it, and the
counts alternate within each repeat so that drift on a shared machine hits them alike. Prints the
median seconds of each and the ratio of one per core to one thread; the briefs must be identical
whatever the thread count.
"""

from __future__ import annotations

import argparse
import copy
import json
import multiprocessing
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.pipeline import Pipeline  # noqa: E402
from service.schemas import BriefRequest  # noqa: E402
from service.settings import load_settings  # noqa: E402


def workloads(shared: Path, model: bool) -> dict[str, dict]:  # type: ignore[type-arg]
    seeds = [{"id": p.stem, "text": p.read_text(encoding="utf-8")} for p in sorted((ROOT / "seeds").glob("*.txt"))]
    tiny = [{"id": f"n{i}", "text": f"Note {i}: the council met on day {i} and approved budget line {i * 7}."}
            for i in range(200)]
    ecbplus = shared / "eval" / "ecbplus_dev" / "ecbplus_dev.jsonl"
    articles = [json.loads(line) for line in ecbplus.read_text(encoding="utf-8").splitlines()]
    topic = [{"id": a["id"], "text": a["text"]} for a in articles if a["topic"] == articles[0]["topic"]]
    chosen = {"200 one-sentence documents": {"documents": tiny, "options": {"mode": "extractive"}},
              "seeds": {"documents": seeds, "options": {"mode": "extractive"}},
              f"ECB+ topic {articles[0]['topic']} ({len(topic)} articles)": {"documents": topic,
                                                                           "options": {"mode": "extractive"}}}
    if model:
        chosen["seeds, model writer"] = {"documents": seeds, "options": {"mode": "model"}}
    return chosen


def spin() -> None:
    while True:
        pass


def brief(pipeline: Pipeline, body: dict) -> tuple[float, str]:  # type: ignore[type-arg]
    start = time.perf_counter()
    response = pipeline.run(BriefRequest.model_validate(body))  # applies `pipeline.threads` in this thread
    seconds = time.perf_counter() - start
    return seconds, response.model_dump_json(exclude={"timings_ms"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path("../shared"), help="the shared folder with eval/")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--model", action="store_true", help="also time the model writer on the seeds")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0))
    loaded = Pipeline(load_settings(model="embedded" if args.model else "none", threads=1))
    counts = (1, cores)
    print(f"{cores} cores; thread counts {counts}; {args.repeats} repeats; shared machine, figures are ratios")
    for busy_count in (0, 2 * cores):
        condition = f"{busy_count} busy processes"
        busy = [multiprocessing.Process(target=spin, daemon=True) for _ in range(busy_count)]
        for process in busy:
            process.start()
        variants = {n: copy.copy(loaded) for n in counts}
        workers = {n: ThreadPoolExecutor(1, thread_name_prefix=f"brief-{n}") for n in counts}
        try:
            for n in counts:
                variants[n].threads = n
            for name, body in workloads(args.shared, args.model).items():
                for n in counts:  # warm caches and lazy imports outside the timings
                    workers[n].submit(brief, variants[n], body).result()
                times: dict[int, list[float]] = {n: [] for n in counts}
                outputs: dict[int, str] = {}
                for repeat in range(args.repeats):
                    for n in counts if repeat % 2 == 0 else counts[::-1]:
                        seconds, outputs[n] = workers[n].submit(brief, variants[n], body).result()
                        times[n].append(seconds)
                medians = {n: statistics.median(t) for n, t in times.items()}
                same = len(set(outputs.values())) == 1
                print(f"{condition:>18} | {name:<34} | " + " | ".join(f"{n} thread{'s' * (n > 1)}: {m:7.2f} s"
                                                                     for n, m in medians.items())
                      + f" | {cores} threads / 1 thread: {medians[cores] / medians[1]:5.2f}x | identical: {same}",
                      flush=True)
        finally:
            for process in busy:
                process.kill()
                process.join()
            for worker in workers.values():
                worker.shutdown()


if __name__ == "__main__":
    main()
