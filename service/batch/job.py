"""`brief batch`: a corpus too large for one request through the six stages on Ray, with a request's answers.

    read (Ray Data, every core) ─┬─> copy chain (one actor, partitions in key order)
                                 └─> duplicate groups ─> stories ─> briefs (actor pool) ─> output

Each stage keeps what it finished under `OUT/.work`: stage 1 and the copy check per partition,
grouping and stories once done, the output per part. A job run again over the same folder and
the same input goes on from there; over another input or other settings it is refused.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import ray
import ray.data

from ..errors import InvalidRequest
from ..settings import Settings
from . import grouping, inputs
from .corpus import Corpus
from .grouping import CopyChain, Scored, Thresholds
from .prepare import Reader
from .progress import Progress
from .results import (
    BriefWriter,
    Output,
    Placement,
    StoryRecord,
    document_rows,
    stories_without_briefs,
    story_parts,
)

Group = tuple[int, list[int], float]  # representative, members, similarity


@dataclass(frozen=True)
class Options:
    inputs: tuple[str, ...]
    out: Path
    format: Literal["jsonl", "parquet"] = "jsonl"
    briefs: bool = True
    mode: str | None = None  # the writer, as `brief summarize --mode`; None: the settings' mode
    max_words: int | None = None
    partition_size: int = 2000
    brief_actors: int = 2
    restart: bool = False


@dataclass
class Summary:
    documents: int = 0
    articles: int = 0
    groups: int = 0
    stories: int = 0
    briefs: int = 0
    failed_briefs: int = 0
    left_out: int = 0


def run(options: Options, settings: Settings, progress: Progress) -> Summary:
    """Run (or go on with) the job; Ray must be connected (`cluster.connect`)."""
    files = inputs.input_files(options.inputs)
    parts = inputs.partitions(files, options.partition_size)
    if not parts:
        raise InvalidRequest(f"no documents in {', '.join(map(str, files))}", field="INPUT")
    thresholds = Thresholds.of(settings)
    _claim(options.out, _manifest(files, options, settings, thresholds), options.restart)
    work = options.out / ".work"
    corpus = Corpus(work / "prepared", tuple(p.first_key for p in parts) + (sum(p.count for p in parts),))
    duplicates = _read_and_check_copies(corpus, parts, settings, thresholds, work, progress)
    keys, sizes = _articles(corpus, duplicates)
    groups = _groups(corpus, keys, sizes, work, settings, thresholds, progress)
    records = _stories(corpus, groups, work, settings, thresholds, progress)
    output = Output(options.out, options.format)
    _write_documents(corpus, output, groups, records, duplicates)
    _write_stories(corpus, output, records, options, settings, progress)
    stories = list(output.rows("stories"))
    return Summary(documents=corpus.starts[-1], articles=len(keys), groups=len(groups), stories=len(records),
                   briefs=sum(s.get("brief") is not None for s in stories),
                   failed_briefs=sum("brief_error" in s for s in stories),
                   left_out=sum(d["status"] == "left_out" for d in output.rows("documents")))


def _manifest(files: list[Path], options: Options, settings: Settings, thresholds: Thresholds) -> dict[str, Any]:
    """What the job's results depend on: a rerun must find the same to go on with them."""
    reading = settings.model_dump(mode="json", include={"languages", "max_document_chars", "max_html_bytes",
                                                        "max_total_chars", "embedding_model"})
    writing = settings.model_dump(mode="json", include={"model", "mode", "max_words", "verify_threshold"})
    return {"inputs": [[str(f.resolve()), f.stat().st_size, f.stat().st_mtime_ns] for f in files],
            "partition_size": options.partition_size, "reading": reading, "thresholds": asdict(thresholds),
            "output": {"format": options.format, "briefs": options.briefs, "mode": options.mode,
                       "max_words": options.max_words} | writing}


def _claim(out: Path, manifest: dict[str, Any], restart: bool) -> None:
    """Take the output folder for this job: a new one, or one an earlier run of the same job left."""
    work = out / ".work"
    path = work / "manifest.json"
    if restart:
        for folder in (work, out / "stories", out / "documents"):
            shutil.rmtree(folder, ignore_errors=True)
    if path.exists():
        found = json.loads(path.read_text(encoding="utf-8"))
        if found != manifest:
            differences = "; ".join(_differences(found, manifest)) or "another version of its manifest"
            raise InvalidRequest(f"{out}: holds another batch ({differences}); give "
                                 "another --out, or --restart to start this one over there", field="--out")
        return
    work.mkdir(parents=True, exist_ok=True)
    _save_json(path, manifest)


def _differences(found: dict[str, Any], wanted: dict[str, Any], path: str = "") -> list[str]:
    """How a folder's batch differs from this one: each setting by name with both values, and each input file
    added, left out or changed since."""
    differences = []
    for key in sorted(set(found) | set(wanted)):
        name = f"{path}.{key}" if path else key
        there, here = found.get(key), wanted.get(key)
        if name == "inputs":
            was = {file: rest for file, *rest in there or []}
            now = {file: rest for file, *rest in here or []}
            differences += [f"input {file} is new" for file in now if file not in was]
            differences += [f"input {file} is not given" for file in was if file not in now]
            differences += [f"input {file} has changed" for file in now if file in was and was[file] != now[file]]
            if was == now and there != here:  # the same files, read in another order: other document keys
                differences.append("inputs are given in another order")
        elif isinstance(there, dict) and isinstance(here, dict):
            differences += _differences(there, here, name)
        elif there != here:
            differences.append(f"{name}: {json.dumps(there)} there, {json.dumps(here)} here")
    return differences


def _read_and_check_copies(corpus: Corpus, parts: list[inputs.Partition], settings: Settings,
                           thresholds: Thresholds, work: Path, progress: Progress) -> dict[int, str]:
    """Stage 1 on every core, the copy chain going through the partitions in order as they are read.
    Return the reason of each document whose id an earlier document has."""
    todo = [p for p in parts if not corpus.done(p.number)]
    progress.start("documents read", corpus.starts[-1], sum(p.count for p in parts if corpus.done(p.number)))
    progress.start("copies checked", corpus.starts[-1])
    chain: Any = ray.remote(CopyChain).options(num_cpus=0, max_restarts=3, max_task_retries=3).remote(
        corpus, work / "copies", thresholds.copy)
    checker = _Checker(corpus, parts, chain, progress)
    if todo:
        cores = max(1, int(ray.cluster_resources().get("CPU", 1)))
        described = ray.data.from_items([{"partition": p.to_json()} for p in todo],
                                        override_num_blocks=len(todo))
        read = described.map_batches(Reader, batch_size=1, num_cpus=1,
                                     compute=ray.data.ActorPoolStrategy(size=min(cores, len(todo))),
                                     fn_constructor_kwargs={"settings": settings, "folder": str(corpus.folder),
                                                            "starts": corpus.starts})
        for batch in read.iter_batches(batch_size=None, batch_format="numpy"):
            progress.advance("documents read", int(batch["documents"].sum()))
            checker.feed(wait=False)
    checker.feed(wait=True)
    ray.kill(chain)
    return checker.duplicates


class _Checker:
    """Feeds the copy chain each partition once read, in key order, without the documents whose id came before."""

    def __init__(self, corpus: Corpus, parts: list[inputs.Partition], chain: Any, progress: Progress) -> None:
        self.corpus = corpus
        self.parts = parts
        self.chain = chain
        self.progress = progress
        self.next = 0
        self.pending: ray.ObjectRef | None = None
        self.seen: dict[str, int] = {}
        self.duplicates: dict[int, str] = {}

    def _place(self, key: int) -> str:
        """Where the document of `key` is in the input."""
        return self.parts[int(self.corpus.partition_of(np.array([key]))[0])].place(key)

    def feed(self, wait: bool) -> None:
        while self.next < self.corpus.partitions:
            if self.pending is not None:
                ready, _ = ray.wait([self.pending], timeout=None if wait else 0)
                if not ready:
                    return
                ray.get(self.pending)
                self.pending = None
                starts = self.corpus.starts
                self.progress.advance("copies checked", starts[self.next + 1] - starts[self.next])
                self.next += 1
                continue
            if not self.corpus.done(self.next):
                return
            table = self.corpus.read(self.next, ["key", "id", "reason"])
            repeated = []
            for key, doc_id, reason in zip(*(table[name].to_pylist() for name in ("key", "id", "reason"))):
                if reason is not None and doc_id == inputs.generated_id(key):
                    continue  # a line that is no document: its id is made up, nobody's
                first = self.seen.setdefault(doc_id, key)
                if first != key and reason is None:  # a refused document keeps its own reason
                    self.duplicates[key] = (f"{self.parts[self.next].place(key)}: id: duplicate id {doc_id!r}, the id "
                                            f"of the document at {self._place(first)}")
                    repeated.append(key)
            self.pending = self.chain.add.remote(self.next, repeated)


def _articles(corpus: Corpus, duplicates: dict[int, str]) -> tuple[np.ndarray, np.ndarray]:
    """The keys of the documents that take part in stories, in order, and their shingle counts."""
    keys, sizes = [], []
    for partition in range(corpus.partitions):
        table = corpus.read(partition, ["key", "reason", "fingerprint"])
        table = table.filter(pc.is_null(table["reason"]))
        found = table["key"].to_numpy()
        kept = ~np.isin(found, np.fromiter(duplicates, dtype=np.int64))
        keys.append(found[kept])
        sizes.append(pc.list_value_length(table["fingerprint"]).to_numpy()[kept])
    return np.concatenate(keys).astype(np.int64), np.concatenate(sizes).astype(np.int64)


def _groups(corpus: Corpus, keys: np.ndarray, sizes: np.ndarray, work: Path, settings: Settings,
            thresholds: Thresholds, progress: Progress) -> list[Group]:
    path = work / "groups.parquet"
    progress.start("documents grouped", len(keys))
    if path.exists():
        groups = [(r["representative"], r["members"], r["similarity"]) for r in pq.read_table(path).to_pylist()]
        progress.advance("documents grouped", len(keys))
        return groups
    earlier, later = grouping.copy_pairs(work / "copies", corpus.partitions)
    groups = grouping.duplicate_groups(corpus, keys, sizes, earlier, later, settings, thresholds,
                                       lambda placed: progress.advance("documents grouped", placed))
    _save_table(path, pa.Table.from_pylist([{"representative": r, "members": m, "similarity": s}
                                                    for r, m, s in groups]))
    return groups


def _stories(corpus: Corpus, groups: list[Group], work: Path, settings: Settings, thresholds: Thresholds,
             progress: Progress) -> list[StoryRecord]:
    path = work / "stories.json"
    progress.start("groups in stories", len(groups))
    if not path.exists():
        reps = np.array([rep for rep, _, _ in groups], dtype=np.int64)
        scored = grouping.score_pairs(corpus, reps, grouping.common_phrases(corpus, work / "copies"), settings)
        clusters = grouping.cluster(len(groups), scored, thresholds.story)
        _save_json(path, [asdict(r) for r in _records(clusters, groups, scored)])
    records = [StoryRecord(r["number"], [(rep, members, similarity) for rep, members, similarity in r["groups"]],
                           [(link[0], link[1]) if link else None for link in r["links"]])
               for r in json.loads(path.read_text(encoding="utf-8"))]
    progress.advance("groups in stories", len(groups))
    return records


def _records(clusters: list[list[int]], groups: list[Group], scored: Scored) -> list[StoryRecord]:
    """The stories as `engine.MemoryStore.stories` tells them: groups by their first member, each with its
    strongest link inside the story (the first such pair on a tie), largest stories first."""
    story = np.empty(len(groups), dtype=np.int64)
    for n, members in enumerate(clusters):
        story[members] = n
    best: dict[int, tuple[float, int]] = {}
    same = story[scored.firsts] == story[scored.seconds]
    for a, b, s in zip(scored.firsts[same].tolist(), scored.seconds[same].tolist(), scored.scores[same].tolist()):
        for group, other in ((a, b), (b, a)):
            if group not in best or s > best[group][0]:
                best[group] = (s, other)
    found = []
    for members in clusters:
        ordered = sorted(members, key=lambda g: min(groups[g][1]))
        links = [(groups[best[g][1]][0], round(best[g][0], 4)) if g in best else None for g in ordered]
        found.append(([(groups[g][0], sorted(groups[g][1]), groups[g][2]) for g in ordered], links))
    found.sort(key=lambda s: (-sum(len(m) for _, m, _ in s[0]), -len(s[0]), min(s[0][0][1])))
    return [StoryRecord(n, list(story_groups), links) for n, (story_groups, links) in enumerate(found, start=1)]


def _write_documents(corpus: Corpus, output: Output, groups: list[Group], records: list[StoryRecord],
                     duplicates: dict[int, str]) -> None:
    count = corpus.starts[-1]
    story = np.zeros(count, dtype=np.int64)
    representative, via = np.full(count, -1, dtype=np.int64), np.full(count, -1, dtype=np.int64)
    score = np.full(count, np.nan)
    for record in records:
        for (rep, members, similarity), link in zip(record.groups, record.links):
            story[members] = record.number
            representative[members] = rep
            via[members], score[members] = rep, similarity
            via[rep], score[rep] = (link[0], link[1]) if link is not None else (-1, np.nan)
    reps = np.array([rep for rep, _, _ in groups], dtype=np.int64)
    ids: dict[int, str] = {}
    for partition in np.unique(corpus.partition_of(reps)).tolist():
        table = corpus.read(partition, ["key", "id"], keys=reps.tolist())
        ids.update(zip(table["key"].to_pylist(), table["id"].to_pylist()))
    placement = ray.put(Placement(story, representative, via, score, ids))
    todo = [p for p in range(corpus.partitions) if not output.done("documents", p)]
    for partition, rows in zip(todo, ray.get([document_rows.remote(corpus, p, placement, duplicates) for p in todo])):
        output.write("documents", partition, rows)


def _write_stories(corpus: Corpus, output: Output, records: list[StoryRecord], options: Options, settings: Settings,
                   progress: Progress) -> None:
    """The stories in numbered parts: with their briefs, written by a pool of actors, or without."""
    parts = story_parts(records)
    todo = [n for n in range(len(parts)) if not output.done("stories", n)]
    name = "briefs written" if options.briefs else "stories written"
    progress.start(name, len(records), len(records) - sum(len(parts[n]) for n in todo))
    if not todo:
        return
    tables = dict(zip(todo, corpus.scatter([np.unique([k for record in parts[n] for k in record.keys()])
                                            for n in todo])))
    if not options.briefs:
        for n, rows in zip(todo, ray.get([stories_without_briefs.remote(parts[n], *tables[n]) for n in todo])):
            output.write("stories", n, rows)
            progress.advance(name, len(rows))
        return
    pool: list[Any] = [ray.remote(BriefWriter).options(num_cpus=1, max_restarts=3, max_task_retries=3).remote(
        settings, options.mode or settings.mode, options.max_words)
        for _ in range(max(1, min(options.brief_actors, len(todo))))]
    running: dict[ray.ObjectRef, tuple[Any, int]] = {}
    queue = list(todo)
    for actor in pool:
        if queue:
            n = queue.pop(0)
            running[actor.write.remote(parts[n], *tables.pop(n))] = (actor, n)
    while running:
        done, _ = ray.wait(list(running), num_returns=1)
        actor, n = running.pop(done[0])
        rows = ray.get(done[0])
        output.write("stories", n, rows)
        progress.advance(name, len(rows))
        if queue:
            n = queue.pop(0)
            running[actor.write.remote(parts[n], *tables.pop(n))] = (actor, n)
    for actor in pool:
        ray.kill(actor)


def _save_json(path: Path, value: Any) -> None:
    """Write a stage's result at once or not at all."""
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(value), encoding="utf-8")
    os.replace(partial, path)


def _save_table(path: Path, table: pa.Table) -> None:
    partial = path.with_suffix(".partial")
    pq.write_table(table, partial)
    os.replace(partial, path)
