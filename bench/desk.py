"""The news desk: adding articles to one collection in batches, beside a fresh request of each batch.

    .venv/bin/python bench/desk.py --documents 10000 --batch 1000

Corpus: `bench/scale.py`'s synthetic real-text news (events told in several perturbed versions), in
order, so later batches bring copies and rewrites of earlier events. Each batch is added through the
desk's core (`Desk.add`: stages 1-3 on the new documents against the stored collection, and the
database writes), and the same documents run as a fresh request through the same stages
(`Pipeline.group`: stages 1-3 on the batch alone). The two alternate which goes first. Briefs are
not in either time: the desk writes them in the background (the worker is not started here, as
with BRIEF_MODEL=none its briefs are extractive), so the stories of the first page get theirs at
the end, before `GET /v1/collections/{name}/stories` is timed in process (ASGI, no network).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scale import build_corpus  # noqa: E402

GETS = 21


def rss_mib() -> tuple[float, float]:
    """This process's resident memory now, and its peak so far."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--every", type=int, default=1, help="print every Nth batch (and the first and last)")
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from service.desk import briefs, records, store, views
    from service.http.app import create_app
    from service.pipeline import Pipeline, Timer, validate
    from service.schemas import BriefRequest
    from service.settings import load_settings

    corpus = build_corpus(args.documents, args.shared)
    folder = tempfile.mkdtemp(prefix="bench-desk-")
    settings = load_settings(model="none", database_url=f"sqlite:///{folder}/desk.db", max_documents=args.batch,
                             max_total_chars=10**9, desk_debounce=0)
    pipeline = Pipeline(settings)
    desk = Desk(settings, pipeline)  # no worker: no brief is written while adding
    print(f"corpus: {len(corpus):,} articles, {len(set(corpus)):,} distinct texts; database {folder}/desk.db")
    print("| batch | stored | add s | fresh s | add / fresh | total add s | stories | RSS MiB | peak RSS MiB |")
    print("|---|---|---|---|---|---|---|---|---|")
    ratios, total = [], 0.0
    batches = range(0, len(corpus), args.batch)
    for number, start in enumerate(batches, start=1):
        request = BriefRequest.model_validate(
            {"documents": [{"id": f"a{start + k}", "text": t} for k, t in enumerate(corpus[start:start + args.batch])]})

        def add() -> float:
            began = time.perf_counter()
            desk.add("wire", request)
            return time.perf_counter() - began

        def fresh() -> float:
            began = time.perf_counter()
            pipeline.group(request, validate(request, settings), pipeline.effective(request), Timer(threading.Event()))
            return time.perf_counter() - began

        if number % 2:
            added, alone = add(), fresh()
        else:
            alone, added = fresh(), add()
        total += added
        ratios.append(added / alone)
        if number % args.every == 0 or number in (1, len(batches)):
            with desk.sessions() as session:
                stored, stories = store.counts(session, store.collection(session, "wire").id)
            now, peak = rss_mib()
            print(f"| {number} | {stored:,} | {added:.2f} | {alone:.2f} | {added / alone:.2f} | {total:.1f} | "
                  f"{stories:,} | {now:.0f} | {peak:.0f} |", flush=True)
    print(f"\nadd / fresh per batch: median {statistics.median(ratios):.2f}, max {max(ratios):.2f}; "
          f"total add {total:.1f} s")

    with desk.sessions() as session:
        first_page, _ = views.page(session, store.collection(session, "wire").id, views.PAGE, None)
        due = [(s.id, s.changes) for s in first_page]
    began = time.perf_counter()
    for story, changes in due:  # the first page as readers see it: with its briefs
        briefs.rewrite(desk.sessions, pipeline, story, changes, records.utcnow())
    print(f"briefs of the first page's {len(due)} stories written in {time.perf_counter() - began:.1f} s")
    client = TestClient(app)
    times = []
    for _ in range(GETS):
        began = time.perf_counter()
        response = client.get("/v1/collections/wire/stories")
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200 and response.json()["stories"], response.text
    print(f"GET /v1/collections/wire/stories (first page, {len(response.json()['stories'])} stories, "
          f"{len(response.content) / 1024:.0f} KiB): median {statistics.median(times):.1f} ms over {GETS} calls, "
          f"max {max(times):.1f} ms; peak RSS {rss_mib()[1]:.0f} MiB")


if __name__ == "__main__":
    main()
