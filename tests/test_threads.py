"""Thread counts: a brief's native maths runs on `BRIEF_THREADS` threads in the thread that computes it."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import torch
from threadpoolctl import threadpool_info

from service.pipeline import Pipeline
from service.runtime.threads import thread_count
from service.schemas import BriefRequest
from tests.conftest import seed_documents


def test_a_brief_in_a_fresh_worker_thread_uses_one_thread_everywhere(pipeline: Pipeline) -> None:
    """As `service/http/lanes.py` runs briefs; OpenMP keeps its count per thread, so a new thread is the test."""
    assert pipeline.threads == 1

    def brief_then_look() -> dict[str, object]:
        pipeline.run(BriefRequest.model_validate({"documents": seed_documents()[:2]}))
        return {"torch": torch.get_num_threads(), "tokenizers": os.environ.get("TOKENIZERS_PARALLELISM"),
                "pools": {f"{p['internal_api']} {p['filepath']}": p["num_threads"] for p in threadpool_info()}}

    with ThreadPoolExecutor(1) as worker:
        seen = worker.submit(brief_then_look).result()
    assert seen["torch"] == 1 and seen["tokenizers"] == "false"
    assert seen["pools"] and set(seen["pools"].values()) == {1}, seen["pools"]  # type: ignore[attr-defined]


def test_zero_shares_the_cores_among_concurrent_briefs() -> None:
    cores = len(os.sched_getaffinity(0))
    assert thread_count(0, 1) == cores and thread_count(0, cores * 2) == 1 and thread_count(3, 1) == 3
