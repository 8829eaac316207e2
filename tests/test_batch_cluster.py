"""`brief batch` on a two-node Ray cluster on this machine, joined through RAY_ADDRESS, with a worker killed mid-job.

`ray start --head` and a second `ray start --address` run on loopback with one core each, so the
two readers of stage 1 run one on each node. Both are started with `--block`: stopping these two
processes stops the nodes they started, and nothing else of Ray on this machine.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from bench.server import free_port
from service.batch.results import Output
from service.pipeline import Pipeline
from service.settings import load_settings
from tests.conftest import ROOT, eventually, many_documents, seed_documents
from tests.test_batch import REFUSED, request_answer, write_jsonl

RAY = str(Path(sys.executable).with_name("ray"))


def start_node(folder: Path, name: str, env: dict[str, str], *arguments: str) -> subprocess.Popen[bytes]:
    """One `ray start --block` node, its ports its own (no other Ray on the machine is in the way), once it runs."""
    log = folder / f"{name}.log"
    ports = [f"--{option}={free_port()}" for option in ("node-manager-port", "object-manager-port",
                                                         "dashboard-agent-listen-port", "dashboard-agent-grpc-port",
                                                         "runtime-env-agent-port", "metrics-export-port")]
    with log.open("wb") as output:
        node = subprocess.Popen([RAY, "start", *arguments, *ports, "--num-cpus=1", "--object-store-memory=300000000",
                                 f"--temp-dir={folder / name}",
                                 "--disable-usage-stats", "--block"], stdout=output, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
    eventually(lambda: "Ray runtime started" in log.read_text() or node.poll() is not None, within=120)
    assert node.poll() is None, log.read_text()
    return node


def stop_nodes(nodes: list[subprocess.Popen[bytes]]) -> None:
    """Ask the nodes to stop; a head that takes its time (half a minute) is stopped with its process group."""
    for node in nodes:
        node.terminate()
    for node in nodes:
        try:
            node.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(node.pid, signal.SIGKILL)
            node.wait(timeout=30)


@pytest.fixture(scope="module")
def cluster_env(temporary_home: Path) -> Iterator[dict[str, str]]:
    """The environment of a client of the cluster: RAY_ADDRESS and the token the nodes were started with."""
    folder = Path(tempfile.mkdtemp(prefix="ray-", dir="/tmp"))  # short: Ray's socket paths must fit in 107 bytes
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")} | {
        "RAY_AUTH_MODE": "token", "BRIEF_CACHE_DIR": str(load_settings().cache_dir)}  # the models already converted
    subprocess.run([RAY, "get-auth-token", "--generate"], env=env, check=True, capture_output=True, timeout=60)
    port = free_port()
    nodes: list[subprocess.Popen[bytes]] = []
    try:
        nodes.append(start_node(folder, "head", env, "--head", f"--port={port}", "--node-ip-address=127.0.0.1",
                                "--include-dashboard=false", f"--dashboard-port={free_port()}"))
        nodes.append(start_node(folder, "worker", env, f"--address=127.0.0.1:{port}", "--node-ip-address=127.0.0.1"))
        yield env | {"RAY_ADDRESS": f"127.0.0.1:{port}"}
    finally:
        stop_nodes(nodes)
        shutil.rmtree(folder, ignore_errors=True)


def ray_workers(name: str) -> list[psutil.Process]:
    """This cluster's worker processes running actor class `name` (Ray names them `ray::Class...`)."""
    return [p for p in psutil.process_iter(["cmdline"]) if (p.info["cmdline"] or [""])[0].startswith(f"ray::{name}")]


def test_two_nodes_and_a_worker_killed_mid_job(cluster_env: dict[str, str], pipeline: Pipeline, tmp_path: Path) -> None:
    """The copy chain's actor is killed once it has checked the first partition: Ray starts it again, it
    rebuilds its index from the partitions it saved, and the job ends with a request's stories and every
    document accounted for."""
    eventually(lambda: subprocess.run([RAY, "status"], env=cluster_env, capture_output=True, text=True,
                                      timeout=60).stdout.count("node_") == 2, within=60)  # both nodes joined
    documents = seed_documents() + many_documents(300)
    source = write_jsonl(tmp_path / "in.jsonl", documents, [line for line, _ in REFUSED])
    out, log = tmp_path / "out", tmp_path / "batch.log"
    with log.open("wb") as output:
        job = subprocess.Popen([sys.executable, "-m", "service", "batch", str(source), "--out", str(out),
                                "--no-briefs", "--partition-size", "20"], cwd=ROOT, stdout=output,
                               stderr=subprocess.STDOUT, env=cluster_env | {"BRIEF_MODEL": "none"})
    copies = out / ".work" / "copies"
    try:
        eventually(lambda: (copies / "part-00000.npz").exists() or job.poll() is not None, within=240)
        assert job.poll() is None, log.read_text()
        chain = ray_workers("CopyChain")
        assert len(chain) == 1 and not (copies / "part-00015.npz").exists()
        chain[0].kill()
        assert job.wait(timeout=300) == 0, log.read_text()
    finally:
        if job.poll() is None:
            job.kill()
    stories, fates = request_answer(pipeline, documents)
    written = list(Output(out, "jsonl").rows("documents"))
    assert list(Output(out, "jsonl").rows("stories")) == stories
    assert written[:len(documents)] == [fates[d["id"]] for d in documents]
    assert [(d["status"], reason in d["reason"]) for d, (_, reason) in zip(written[len(documents):], REFUSED)] == \
        [("left_out", True)] * len(REFUSED)
    assert "documents read: 309 of 309" in log.read_text()
