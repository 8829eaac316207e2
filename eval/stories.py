"""Story clustering quality: the service's stories beside TF-IDF and embedding agglomerative peers.

    .venv/bin/python eval/stories.py labelled.jsonl
    .venv/bin/python eval/stories.py --builtin ../shared     # seeds + MultiLing 2011 topics, labelled below

Labelled format (JSONL): {"id": "...", "text": "...", "story": "label", "topic": "optional label"}.
Prints adjusted Rand index, B-cubed precision/recall/F1, stories found, and the rate at which two
documents of the same topic but different stories are put together (same-topic merges). The peers
get the threshold that scores best on the data itself (an oracle, so an upper bound for them); the
service runs with its defaults. With --builtin, also the same-story accuracy on tgcontest pairs.

The built-in set: seeds 000-003 (one event), seed 004 (an earlier event of the same topic), and the
30 MultiLing 2011 WikiNews articles, each of the 3 topics one label (those topics follow one story
over months, so the label is coarse: a split there counts against recall).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from itertools import combinations
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eval.pairs import pair_accuracy  # noqa: E402
from eval.summaries import load_multiling  # noqa: E402
from service.pipeline import Pipeline  # noqa: E402
from service.schemas import BriefRequest  # noqa: E402
from service.settings import load_settings  # noqa: E402

Item = dict[str, str]


def builtin(shared: Path) -> list[Item]:
    items = [{"id": p.stem, "text": p.read_text(encoding="utf-8"), "topic": "mexico-transfers",
              "story": "transfer-26" if p.name.startswith("004") else "transfer-37"}
             for p in sorted((shared / "seeds").glob("*.txt"))]
    for n, topic in enumerate(load_multiling(shared / "eval" / "multiling2011")):
        items += [{"id": f"M{n}-{k}", "text": text, "topic": f"M{n}", "story": f"M{n}"}
                  for k, text in enumerate(topic["documents"])]
    return items


def bcubed(truth: list[str], found: list[int]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 over items."""
    n = len(truth)
    precision = recall = 0.0
    for i in range(n):
        same_found = [j for j in range(n) if found[j] == found[i]]
        same_truth = [j for j in range(n) if truth[j] == truth[i]]
        both = sum(1 for j in same_found if truth[j] == truth[i])
        precision += both / len(same_found)
        recall += both / len(same_truth)
    precision, recall = precision / n, recall / n
    return precision, recall, 2 * precision * recall / (precision + recall)


def same_topic_merge_rate(items: list[Item], found: list[int]) -> float:
    pairs = [(i, j) for i, j in combinations(range(len(items)), 2)
             if items[i].get("topic") and items[i].get("topic") == items[j].get("topic")
             and items[i]["story"] != items[j]["story"]]
    return sum(found[i] == found[j] for i, j in pairs) / len(pairs) if pairs else float("nan")


def agglomerative(vectors: np.ndarray, threshold: float) -> list[int]:
    from sklearn.cluster import AgglomerativeClustering

    model = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                    distance_threshold=1 - threshold)
    return [int(x) for x in model.fit_predict(vectors)]


def best_threshold(vectors: np.ndarray, truth: list[str]) -> tuple[list[int], float]:
    from sklearn.metrics import adjusted_rand_score

    candidates = [(agglomerative(vectors, t), t) for t in np.arange(0.05, 0.96, 0.05)]
    return max(candidates, key=lambda c: adjusted_rand_score(truth, c[0]))


def report(name: str, items: list[Item], found: list[int], note: str = "") -> None:
    from sklearn.metrics import adjusted_rand_score

    truth = [item["story"] for item in items]
    precision, recall, f1 = bcubed(truth, found)
    print(f"| {name} | {adjusted_rand_score(truth, found):.3f} | {precision:.3f} | {recall:.3f} | {f1:.3f} | "
          f"{len(set(found))} ({len(set(truth))} true) | {same_topic_merge_rate(items, found):.3f} | {note} |")


def run(items: list[Item]) -> Pipeline:
    pipeline = Pipeline(load_settings(model="none"))
    request = BriefRequest.model_validate({"documents": [{"id": i["id"], "text": i["text"]} for i in items],
                                           "options": {"mode": "extractive"}})
    response = pipeline.run(request)
    story_of = {doc_id: n for n, story in enumerate(response.stories) for doc_id in story.document_ids}
    found = [story_of.get(item["id"], -1 - k) for k, item in enumerate(items)]
    print("| method | ARI | B3 precision | B3 recall | B3 F1 | stories | same-topic merges | note |")
    print("|---|---|---|---|---|---|---|---|")
    report("service (defaults)", items, found)
    from sklearn.feature_extraction.text import TfidfVectorizer

    tfidf = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform([i["text"] for i in items])
    peers: dict[str, Callable[[], np.ndarray]] = {
        "TF-IDF + agglomerative": lambda: tfidf.toarray(),
        "MiniLM cosine + agglomerative": lambda: pipeline.embedder.encode([i["text"][:2000] for i in items]),
    }
    truth = [item["story"] for item in items]
    for name, vectors in peers.items():
        found, threshold = best_threshold(vectors(), truth)
        report(name, items, found, f"oracle threshold {threshold:.2f}")
    return pipeline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", type=Path, nargs="?", help="labelled JSONL")
    parser.add_argument("--builtin", type=Path, metavar="SHARED", help="the shared/ folder: seeds + MultiLing")
    args = parser.parse_args()
    if args.builtin:
        items = builtin(args.builtin)
    elif args.path:
        items = [json.loads(line) for line in args.path.read_text(encoding="utf-8").splitlines() if line.strip()]
    else:
        parser.error("give a labelled JSONL file or --builtin SHARED")
    print(f"{len(items)} documents, {len({i['story'] for i in items})} stories")
    pipeline = run(items)
    if args.builtin:
        pairs = args.builtin / "eval" / "tgcontest_pairs" / "en_train_pool.tsv"
        accuracy, cosine_best, threshold = pair_accuracy(pipeline, pairs)
        print(f"\ntgcontest same-story accuracy: service {accuracy:.3f}; MiniLM cosine at its best threshold "
              f"{threshold:.2f} (oracle) {cosine_best:.3f}")


if __name__ == "__main__":
    main()
