"""Fit the same-event model (`service/data/same_event.json`) on two sources of labelled real events at once.

    .venv/bin/python eval/calibrate.py --ecbplus ../shared/eval/ecbplus_dev/ecbplus_dev.jsonl \\
        --allsides ../shared/eval/allsides_dev/articles.jsonl [--write]

Every request of `eval/stories.py` (ECB+ topics, AllSides runs of up to 10 events of a topic,
single-event sets, two-article requests) goes through the engine of /v1/briefs once; the pairs it
scores, with the features their own request gives them, are the training pairs. Seven folds over the
topics of both sources: a logistic model is fitted on the pairs of the other folds, the threshold is
chosen there by average linkage and `eval.stories.objective` (the mean over the sources), and the
held-out topics are scored with both; the held-out figures are printed per source. With --write,
the model fitted on every topic, with the threshold chosen on every topic, is written for the
service to load.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eval.stories import (  # noqa: E402
    Engine,
    add_sources,
    best_threshold,
    cached_articles,
    cross_validated,
    recorded_cache,
    sources_of,
)
from service.group.events import FEATURES  # noqa: E402
from service.pipeline import Pipeline  # noqa: E402
from service.settings import load_settings  # noqa: E402

TARGET = Path(__file__).resolve().parent.parent / "service" / "data" / "same_event.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_sources(parser)
    parser.add_argument("--write", action="store_true", help=f"write the model fitted on all topics to {TARGET}")
    args = parser.parse_args()
    args.neus = None
    sources, _ = sources_of(args)
    pipeline = Pipeline(load_settings(model="none"))
    items = [i for r in sources for t in r.topics.values() for i in t]
    data = Engine(pipeline, cached_articles(pipeline, items, args.cache))
    recorded = recorded_cache(args.cache, data.articles)
    if recorded is not None and recorded.exists():
        data.recorded = pickle.loads(recorded.read_bytes())
    pooled, thresholds = cross_validated(lambda training: data.cluster(data.fit(training)), sources)
    held = {source: {k: round(v, 4) for k, v in tally.scores().items()} for source, tally in pooled.items()}
    print(f"held-out, pooled over {len(thresholds)} folds: {held}; thresholds by fold {thresholds}")
    fitted = data.fit(sources)
    model = replace(fitted, threshold=best_threshold(data.cluster(fitted), sources))
    print("weights:", dict(zip(FEATURES, np.round(model.weights, 3).tolist())), "intercept",
          round(model.intercept, 3), "threshold", model.threshold)
    if args.write:
        fitted_on = "; ".join(f"{r.source}: {len(r.topic_names())} topics, {sum(map(len, r.topics.values()))} articles"
                              for r in sources)
        TARGET.write_text(json.dumps({
            "features": list(FEATURES), "weights": model.weights.round(6).tolist(),
            "intercept": round(model.intercept, 6), "threshold": model.threshold, "fitted_on": fitted_on,
            "cross_validated": held | {"thresholds_by_fold": thresholds}, "date": date.today().isoformat(),
            "command": "eval/calibrate.py " + " ".join(f"--{r.source} <path>" for r in sources) + " --write"},
            indent=2) + "\n", encoding="utf-8")
        print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
