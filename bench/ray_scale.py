"""Near-duplicates + stories on Ray (`brief batch --no-briefs`) beside the in-process engine, same corpus, same run;
with `--briefs MODE`, the briefs too (`brief batch` with a pool of `--brief-actors` actors beside `Pipeline.run`).

    .venv/bin/python bench/ray_scale.py --sizes 10000,100000 [--cpus 2] [--partition-size 2000]
    .venv/bin/python bench/ray_scale.py --corpus real --sizes 1141 --briefs extractive
    .venv/bin/python bench/ray_scale.py --corpus real --sizes 150 --briefs model

Corpus: `bench/scale.py`'s synthetic news corpus, or (`--corpus real`) the first documents of AllSides
dev (with title, outlet, address and date) then ECB+ dev (text only), written as JSONL. Each system
runs in its own process tree:

- engine: `Pipeline.group` on one request of every document (normalize on every core, embed,
  near-duplicates, stories), as `bench/scale.py` runs it.
- batch: `brief batch --no-briefs` with a local Ray of `--cpus` cores: the same stages, then every
  document's fate and the stories written out.

Reported: wall seconds and documents per second; for the batch, the seconds of each stage (from its
progress log: read, copies checked after reading, grouped, stories, written); peak memory of each
process (sampled every 0.5 s over the process tree: the driver, Ray's own processes, each worker),
resident (RSS, which counts the pages of Ray's shared object store it read) and its own (USS);
and whether both give the same copy groups and stories (every document's story and group).
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def write_corpus(size: int, shared: Path, path: Path) -> None:
    from bench.scale import build_corpus

    with path.open("w", encoding="utf-8") as handle:
        for n, text in enumerate(build_corpus(size, shared)):
            handle.write(json.dumps({"id": f"d{n}", "text": text}) + "\n")


def write_real(size: int, shared: Path, path: Path) -> None:
    """The first `size` of AllSides dev's articles as a feed gives them, then ECB+ dev's texts."""
    def rows(name: str) -> list[dict[str, str]]:
        return [json.loads(line) for line in (shared / "eval" / name).read_text(encoding="utf-8").splitlines() if line]

    fields = ("id", "title", "text", "source", "url", "published_at")
    documents = [{k: r[k] for k in fields if r.get(k)} for r in rows("allsides_dev/articles.jsonl")]
    documents += [{"id": r["id"], "text": r["text"]} for r in rows("ecbplus_dev/ecbplus_dev.jsonl")]
    path.write_text("".join(json.dumps(d) + "\n" for d in documents[:size]), encoding="utf-8")


def engine_child(source: Path, fates: Path, briefs: str) -> None:
    """The in-process engine on one request of the whole corpus (`Pipeline.group`, or with `briefs` a
    mode, `Pipeline.run`); each document's story and group to `fates`, and each story's brief."""
    import threading as threads

    from service.pipeline import Pipeline, Timer, validate
    from service.schemas import BriefRequest
    from service.settings import load_settings

    documents = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()]
    settings = load_settings(**({"model": "none"} if briefs in ("none", "extractive") else {}),
                             mode="extractive" if briefs == "none" else briefs,
                             max_documents=len(documents), max_total_chars=10**11)
    pipeline = Pipeline(settings)
    request = BriefRequest.model_validate({"documents": documents})
    start = time.perf_counter()
    if briefs == "none":
        timer = Timer(threads.Event())
        grouped = pipeline.group(request, validate(request, settings), pipeline.effective(request), timer)
        timings, written = dict(timer), []
        fate = [(member.id, n, group.representative.id) for n, story in enumerate(grouped.stories, start=1)
                for group in story.groups for member in group.members]
        counts = {"groups": sum(len(s.groups) for s in grouped.stories), "stories": len(grouped.stories)}
    else:
        response = pipeline.run(request)
        timings, written = response.timings_ms, [[s.text for s in story.brief.sentences] for story in response.stories]
        fate = [(d.id, int(d.story_id.removeprefix("story-")), d.duplicate_group) for d in response.documents
                if d.story_id is not None]
        counts = {"groups": sum(len(s.duplicate_groups) for s in response.stories), "stories": len(response.stories)}
    seconds = time.perf_counter() - start
    fates.write_text("".join(json.dumps(row) + "\n" for row in fate), encoding="utf-8")
    fates.with_suffix(".briefs.json").write_text(json.dumps(written), encoding="utf-8")
    print(json.dumps({"seconds": seconds, "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
                     | counts | {f"{k}_s": round(v / 1000, 2) for k, v in timings.items()}))


class Peaks:
    """Peak memory of every process under `root`, sampled until stopped: resident (RSS, which counts the
    pages of Ray's shared object store a process has read) and its own (USS, what it alone holds)."""

    def __init__(self, root: int) -> None:
        self.root = psutil.Process(root)
        self.peaks: dict[str, tuple[float, float]] = {}
        self.total = 0.0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def sample(self) -> None:
        while not self.done.wait(0.5):
            try:
                tree = [self.root, *self.root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            total = 0.0
            for process in tree:
                try:
                    name = " ".join(process.cmdline()[:1]) or process.name()
                    memory = process.memory_full_info()
                except psutil.Error:
                    continue
                rss, uss = memory.rss / 2**20, memory.uss / 2**20
                total += uss
                key = f"{_role(name)} {process.pid}"
                rss_peak, uss_peak = self.peaks.get(key, (0.0, 0.0))
                self.peaks[key] = (max(rss_peak, rss), max(uss_peak, uss))
            self.total = max(self.total, total)

    def stop(self) -> dict[str, tuple[float, float]]:
        """The peaks of each role (the process's command, or its Ray task or actor), the largest process's."""
        self.done.set()
        self.thread.join()
        roles: dict[str, tuple[float, float]] = {}
        for key, (rss, uss) in self.peaks.items():
            role = key.rsplit(" ", 1)[0]
            held = roles.get(role, (0.0, 0.0))
            roles[role] = (max(held[0], rss), max(held[1], uss))
        return roles


def _role(command: str) -> str:
    if command.startswith("ray::"):
        return command.split(".")[0].split("(")[0]  # ray::CopyChain.add -> ray::CopyChain
    return Path(command.split()[0]).name


def run_batch(source: Path, out: Path, cpus: int, partition_size: int, briefs: str, actors: int) -> dict[str, object]:
    command = [sys.executable, "-m", "service", "batch", str(source), "--out", str(out), "--cpus", str(cpus),
               "--partition-size", str(partition_size)]
    command += ["--no-briefs"] if briefs == "none" else ["--mode", briefs, "--brief-actors", str(actors)]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=({} if briefs == "model" else {"BRIEF_MODEL": "none"}) | _env())
    peaks = Peaks(process.pid)
    output, _ = process.communicate()
    seconds = time.perf_counter() - start
    roles = peaks.stop()
    if process.returncode:
        raise SystemExit(f"batch failed:\n{output}")
    return {"seconds": seconds, "stages": _stages(output), "peak_rss_mib": roles, "peak_total_mib": peaks.total,
            "summary": output.strip().splitlines()[-1]}


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}


def _stages(log: str) -> dict[str, float]:
    """When each count of the progress log started and reached its total, as seconds from the first line."""
    first: dict[str, datetime] = {}
    last: dict[str, datetime] = {}
    for stamp, name in re.findall(r"^(\S+ \S+) batch (.+?): \d+ of \d+", log, re.M):
        at = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f")
        first.setdefault(name, at)
        last[name] = at
    origin = min(first.values())
    return {name: round((last[name] - origin).total_seconds(), 1) for name in first}


def same_answer(out: Path, fates: Path) -> tuple[bool, int, int]:
    """Whether every document is in the same story and group in both: the documents whose story (the
    set of its documents, whatever its number) or group representative differ, and of those the
    documents whose story number alone differs (a story split or joined elsewhere renumbers the
    smaller ones after it)."""
    batch = {}
    for part in sorted((out / "documents").glob("part-*.jsonl")):
        for line in part.read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            batch[d["id"]] = (int(d["story_id"].removeprefix("story-")), d["duplicate_group"])
    engine = {row[0]: (row[1], row[2]) for row in map(json.loads, fates.read_text(encoding="utf-8").splitlines())}

    def members(fate: dict[str, tuple[int, str]]) -> dict[str, frozenset[str]]:
        stories: dict[int, set[str]] = {}
        for doc, (story, _) in fate.items():
            stories.setdefault(story, set()).add(doc)
        frozen = {story: frozenset(docs) for story, docs in stories.items()}
        return {doc: frozen[story] for doc, (story, _) in fate.items()}

    mine, theirs = members(batch), members(engine)
    differing = sum(doc not in batch or mine[doc] != theirs[doc] or batch[doc][1] != group
                    for doc, (_, group) in engine.items()) + len(set(batch) - set(engine))
    renumbered = sum(doc in batch and batch[doc][0] != story for doc, (story, _) in engine.items())
    return differing == 0, differing, renumbered


def same_briefs(out: Path, fates: Path) -> tuple[int, int]:
    """Of the engine's stories, how many the batch briefed in the same sentences; and how many there are."""
    written = {int(row["id"].removeprefix("story-")): [s["text"] for s in row["brief"]["sentences"]]
               for part in sorted((out / "stories").glob("part-*.jsonl"))
               for row in map(json.loads, part.read_text(encoding="utf-8").splitlines()) if row.get("brief")}
    engine = json.loads(fates.with_suffix(".briefs.json").read_text(encoding="utf-8"))
    return sum(written.get(n) == sentences for n, sentences in enumerate(engine, start=1)), len(engine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--cpus", type=int, default=2)
    parser.add_argument("--partition-size", type=int, default=2000)
    parser.add_argument("--corpus", choices=["synthetic", "real"], default="synthetic")
    parser.add_argument("--briefs", choices=["none", "extractive", "model"], default="none",
                        help="write briefs in this mode too (none: near-duplicates and stories only)")
    parser.add_argument("--brief-actors", type=int, default=2)
    parser.add_argument("--engine-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine_child:
        engine_child(Path(args.engine_child[0]), Path(args.engine_child[1]), args.engine_child[2])
        return
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="ray-scale-") as folder:
            source, fates = Path(folder) / "corpus.jsonl", Path(folder) / "fates.jsonl"
            (write_real if args.corpus == "real" else write_corpus)(size, args.shared, source)
            start = time.perf_counter()
            engine = subprocess.run([sys.executable, __file__, "--engine-child", str(source), str(fates), args.briefs],
                                    capture_output=True, text=True, check=True, cwd=ROOT)
            engine_wall = time.perf_counter() - start
            result = json.loads(engine.stdout.strip().splitlines()[-1])
            batch = run_batch(source, Path(folder) / "out", args.cpus, args.partition_size, args.briefs,
                              args.brief_actors)
            same, differing, renumbered = same_answer(Path(folder) / "out", fates)
            print(f"## {size:,} documents")
            print(f"engine: {result['seconds']:.1f} s in {'group' if args.briefs == 'none' else 'run'}() "
                  f"({engine_wall:.1f} s with start-up), "
                  f"{size / result['seconds']:.0f} docs/s, peak RSS {result['peak_rss_mib']:.0f} MiB, "
                  f"{result['groups']} groups, {result['stories']} stories, stages "
                  f"{ {k: v for k, v in result.items() if k.endswith('_s')} }")
            print(f"batch: {batch['seconds']:.1f} s wall (Ray start included), {size / batch['seconds']:.0f} docs/s, "
                  f"stage ends {batch['stages']}")
            peaks = sorted(batch["peak_rss_mib"].items(), key=lambda kv: -kv[1][1])  # type: ignore[attr-defined]
            print("batch peak MiB per process, RSS (object-store pages included) / USS (its own): "
                  + ", ".join(f"{role} {rss:.0f} / {uss:.0f}" for role, (rss, uss) in peaks)
                  + f"; USS of all together {batch['peak_total_mib']:.0f}")
            print(f"batch: {batch['summary']}")
            print(f"same copy groups and stories as the engine: {same} ({differing} documents in another story or "
                  f"group, {renumbered} with another story number)", flush=True)
            if args.briefs != "none":
                alike, stories = same_briefs(Path(folder) / "out", fates)
                print(f"briefs in the same sentences as the engine's: {alike} of {stories} stories", flush=True)


if __name__ == "__main__":
    main()
