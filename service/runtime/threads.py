"""How many threads the native maths of one brief uses: chosen here, once, for every library.

torch, the BLAS libraries under numpy and faiss, faiss's OpenMP and the tokenizers' rayon pool
each start as many threads as the machine has cores. A brief already runs in a worker thread of
its own (`BRIEF_MAX_CONCURRENCY` of them), and its steps are many small matrix products, so on a
machine whose cores are busy those pools mostly wait for each other: 200 one-sentence documents
took 20 times longer with the libraries' defaults than with one thread each, for the same output
(`bench/threads.py`, `docs/performance.md`).

OpenMP keeps its thread count per calling thread, so `use_threads` is applied in every thread
that computes briefs; it does the work once per thread.
"""

from __future__ import annotations

import os
import threading

_applied = threading.local()
_interop = threading.Lock()  # torch's inter-op pool can be sized once per process, before it starts


def thread_count(setting: int, concurrency: int) -> int:
    """The setting, or with 0 the cores shared among the briefs computed at once."""
    return setting or max(1, len(os.sched_getaffinity(0)) // concurrency)


def use_threads(threads: int) -> None:
    """Limit torch, BLAS, faiss and the tokenizers to `threads` threads in the calling thread."""
    if getattr(_applied, "threads", None) == threads:
        return
    import faiss
    import torch
    from threadpoolctl import threadpool_limits

    os.environ["TOKENIZERS_PARALLELISM"] = "true" if threads > 1 else "false"  # read at each batch
    os.environ.setdefault("RAYON_NUM_THREADS", str(threads))  # the tokenizers' pool, if not yet started
    torch.set_num_threads(threads)  # torch's own threads pick this up, whichever thread runs an op
    with _interop:
        if torch.get_num_interop_threads() != 1:
            torch.set_num_interop_threads(1)  # a brief is one sequence of ops: none run side by side
    threadpool_limits(threads)  # BLAS process-wide, OpenMP for this thread
    faiss.omp_set_num_threads(threads)
    _applied.threads = threads
