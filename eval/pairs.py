"""Same-story accuracy on labelled article pairs (tgcontest layout), through the real pipeline.

    .venv/bin/python eval/pairs.py ../shared/eval/tgcontest_pairs/en_train_pool.tsv

Each pair is sent as one two-document request; "same story" means the pipeline put both in one story.
Also prints, for comparison, plain embedding cosine at its best threshold on the same pairs (an oracle
threshold, so an upper bound for that baseline).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.pipeline import Pipeline  # noqa: E402
from service.schemas import BriefRequest  # noqa: E402
from service.settings import load_settings  # noqa: E402


def pair_accuracy(pipeline: Pipeline, path: Path) -> tuple[float, float, float]:
    """The pipeline's same-story accuracy, and embedding cosine's best accuracy with its threshold."""
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    decided, cosines, labels = [], [], []
    for row in rows:
        documents = [{"id": "a", "title": row["INPUT:first_title"], "text": row["INPUT:first_text"]},
                     {"id": "b", "title": row["INPUT:second_title"], "text": row["INPUT:second_text"]}]
        response = pipeline.run(BriefRequest.model_validate({"documents": documents,
                                                              "options": {"mode": "extractive"}}))
        decided.append(any({"a", "b"} <= set(s.document_ids) for s in response.stories))
        first, second = pipeline.embedder.encode([f"{d['title']}. {d['text'][:1000]}" for d in documents])
        cosines.append(float(first @ second))
        labels.append(row["GOLDEN:quality"] == "OK")
    truth = np.array(labels)
    accuracy = float((np.array(decided) == truth).mean())
    best = max((float(((np.array(cosines) >= t) == truth).mean()), float(t)) for t in np.arange(0.3, 1.0, 0.01))
    return accuracy, best[0], best[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", type=Path)
    args = parser.parse_args()
    accuracy, cosine_best, threshold = pair_accuracy(Pipeline(load_settings(model="none")), args.path)
    print(f"pipeline same-story accuracy: {accuracy:.3f}")
    print(f"embedding cosine, best threshold {threshold:.2f} chosen on these pairs: {cosine_best:.3f}")


if __name__ == "__main__":
    main()
