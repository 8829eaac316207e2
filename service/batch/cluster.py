"""Where a batch runs: a Ray started in this process on this machine's cores, or the cluster at RAY_ADDRESS."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import ray
import ray.data

import service

# Worker processes run one task each on one core: several threads per task would only wait on each other.
WORKER_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "TOKENIZERS_PARALLELISM": "false"}


def connect(cpus: int | None = None) -> None:
    """Join the cluster at RAY_ADDRESS, or start Ray here with `cpus` cores (all of them by default).

    The workers import this process's own `service` package (shipped with the job), so a cluster
    runs the code the command was started with."""
    if ray.is_initialized():
        return
    address = os.environ.get("RAY_ADDRESS") or None
    ray.init(address=address, num_cpus=None if address else (cpus or len(os.sched_getaffinity(0))),
             runtime_env={"py_modules": [str(Path(service.__file__).parent)], "env_vars": WORKER_ENV},
             include_dashboard=False, logging_level=logging.WARNING, log_to_driver=False,
             configure_logging=True)
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # the batch reports its own progress
    context.print_on_execution_start = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)
