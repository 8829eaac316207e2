"""Cached model folders: keyed by content, built in a private folder, renamed into place once."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

from service.runtime.cache import cached, content_key


def _prepare(cache: Path, source: Path, barrier: Any, results: Any) -> None:
    def build(folder: Path) -> None:
        (folder / "weights.bin").write_bytes(source.read_bytes() * 1000)
        barrier.wait(30)  # both processes are mid-build at this point
        (folder / "done").write_text("ok")

    results.put(str(cached(cache, "model", source, build, marker="done")))


def test_two_processes_preparing_at_once_get_one_complete_folder(tmp_path: Path) -> None:
    source = tmp_path / "model.gguf"
    source.write_bytes(b"weights")
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [context.Process(target=_prepare, args=(tmp_path / "cache", source, barrier, results)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    folders = {results.get(timeout=5), results.get(timeout=5)}
    assert len(folders) == 1
    [folder] = [Path(f) for f in folders]
    assert (folder / "done").read_text() == "ok" and (folder / "weights.bin").stat().st_size == 7000
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [folder.name]  # no partial folder left


def test_the_key_follows_the_content_not_the_size(tmp_path: Path) -> None:
    source = tmp_path / "model.gguf"
    source.write_bytes(b"weights-a")
    first = content_key(source)
    source.write_bytes(b"weights-b")  # same size, other content
    assert content_key(source) != first
    built: list[Path] = []
    folder = cached(tmp_path / "cache", "model", source, lambda f: (built.append(f), (f / "done").touch()), "done")
    assert cached(tmp_path / "cache", "model", source, lambda f: built.append(f), "done") == folder
    assert len(built) == 1 and folder.name == f"model-{content_key(source)}"
