"""Fit the same-event model (`service/data/same_event.json`) on labelled real events, by cross-validation over topics.

    .venv/bin/python eval/calibrate.py ../shared/eval/ecbplus_dev/ecbplus_dev.jsonl [--write]

For each topic (one request, as a user would send it) the service reads the articles exactly as
/v1/briefs does and computes the pairwise features of `service/group/events.py` for every pair; a pair
is positive when both articles report the same event. Seven folds of topics: a logistic model is
fitted on the pairs of six (whole topics, single-event sets and two-article requests, including
pairs across topics, each pair with the features its own request gives it), the threshold is chosen on those six by clustering
them with the service's average linkage, and the held-out fold is scored with both.
The printed figures are those held-out scores, pooled. With --write, the model fitted on every
topic, with the threshold chosen on every topic, is written for the service to load.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eval.stories import (  # noqa: E402
    Clusterer,
    Item,
    Requests,
    best_setting,
    by_topic,
    cross_validated,
    load,
    memoized,
)
from service.group.events import FEATURES, Reports, SameEventModel  # noqa: E402
from service.pipeline import Pipeline, Timer, validate  # noqa: E402
from service.schemas import BriefRequest  # noqa: E402
from service.settings import load_settings  # noqa: E402

TARGET = Path(__file__).resolve().parent.parent / "service" / "data" / "same_event.json"


class PairData:
    """Every pair's features in every request, each with the request-level weights its own request gives."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.cache: dict[tuple[str, ...], np.ndarray] = {}

    def features(self, items: list[Item]) -> np.ndarray:
        key = tuple(i["id"] for i in items)
        if key not in self.cache:
            request = BriefRequest.model_validate({"documents": [{"id": i["id"], "text": i["text"]} for i in items]})
            _, articles = self.pipeline.read(request, validate(request, self.pipeline.settings),
                                             Timer(threading.Event()))
            if len(articles) != len(items):
                raise SystemExit(f"{len(items) - len(articles)} articles left out of {key}; labels need all")
            firsts, seconds = np.triu_indices(len(articles), 1)
            self.cache[key] = Reports(articles, self.pipeline.static).features(firsts, seconds)
        return self.cache[key]

    def fit(self, requests: Requests) -> SameEventModel:
        """Logistic regression on every pair of every request: whole topics, single-event sets and
        two-article requests, so that the probability holds for small requests as for large ones."""
        from sklearn.linear_model import LogisticRegression

        rows, labels = [], []
        for items in requests.all():
            rows.append(self.features(items))
            firsts, seconds = np.triu_indices(len(items), 1)
            labels.append(np.array([items[i]["story"] == items[j]["story"] for i, j in zip(firsts, seconds)]))
        regression = LogisticRegression(max_iter=5000).fit(np.concatenate(rows), np.concatenate(labels))
        return SameEventModel(regression.coef_[0], float(regression.intercept_[0]), threshold=0.5)

    def clusterer(self, model: SameEventModel) -> dict[str, Clusterer]:
        def scores(items: list[Item]) -> np.ndarray:
            matrix = np.eye(len(items))
            firsts, seconds = np.triu_indices(len(items), 1)
            matrix[firsts, seconds] = matrix[seconds, firsts] = model.probability(self.features(items))
            return matrix
        return {"model": memoized(scores)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", type=Path)
    parser.add_argument("--write", action="store_true", help=f"write the model fitted on all topics to {TARGET}")
    args = parser.parse_args()
    requests = Requests.of(by_topic(load(args.path)))
    data = PairData(Pipeline(load_settings(model="none")))
    pooled, chosen = cross_validated(lambda names: data.clusterer(data.fit(requests.only(names))), requests)
    held = {k: round(v, 4) for k, v in pooled.scores().items()}
    thresholds = [t for _, t in chosen]
    print(f"held-out, pooled over {len(chosen)} folds: {held}; thresholds by fold {thresholds}")
    fitted = data.fit(requests)
    _, threshold = best_setting(data.clusterer(fitted), requests)
    model = replace(fitted, threshold=threshold)
    print("weights:", dict(zip(FEATURES, np.round(model.weights, 3).tolist())), "intercept",
          round(model.intercept, 3), "threshold", threshold)
    topics = requests.topics
    if args.write:
        TARGET.write_text(json.dumps({
            "features": list(FEATURES), "weights": model.weights.round(6).tolist(),
            "intercept": round(model.intercept, 6), "threshold": threshold,
            "fitted_on": f"{args.path.name}: {len(topics)} topics, {sum(map(len, topics.values()))} articles",
            "cross_validated": held | {"thresholds_by_fold": thresholds}, "date": date.today().isoformat(),
            "command": "eval/calibrate.py " + str(args.path) + " --write"}, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
