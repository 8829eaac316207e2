"""Extractive responses on fixed real inputs, written to files so that a refactor can be diffed.

    .venv/bin/python eval/snapshot.py OUT_DIR [--shared ../shared] [--topics 10]
    diff -r BEFORE_DIR AFTER_DIR

One request for the seeds and one per `ecbplus_dev` topic (the first `--topics`, in file order), in
extractive mode, through the same `Pipeline.run` as `/v1/briefs`. Timings are dropped: they are
the only part of a response that may change when the code did not.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.pipeline import Pipeline  # noqa: E402
from service.schemas import BriefRequest, DocumentIn  # noqa: E402
from service.settings import load_settings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def requests(shared: Path, topics: int) -> dict[str, BriefRequest]:
    """The seeds, then the first `topics` ECB+ dev topics, each as one request."""
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    found = {"seeds": BriefRequest(documents=[DocumentIn(id=path.stem, text=path.read_text(encoding="utf-8"))
                                              for path in seeds])}
    by_topic: dict[str, list[DocumentIn]] = {}
    for line in (shared / "eval" / "ecbplus_dev" / "ecbplus_dev.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        by_topic.setdefault(f"ecbplus-{item['topic']}", []).append(DocumentIn(id=item["id"], text=item["text"]))
    found.update((name, BriefRequest(documents=docs)) for name, docs in list(by_topic.items())[:topics])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--topics", type=int, default=10)
    args = parser.parse_args()
    pipeline = Pipeline(load_settings(model="none"))
    args.out.mkdir(parents=True, exist_ok=True)
    for name, request in requests(args.shared, args.topics).items():
        request.options.mode = "extractive"
        response = pipeline.run(request).model_dump(mode="json", exclude={"timings_ms"})
        (args.out / f"{name}.json").write_text(json.dumps(response, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(name, len(response["stories"]), "stories", flush=True)


if __name__ == "__main__":
    main()
