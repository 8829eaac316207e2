"""The evaluation harness's own pieces: converters, metrics and baselines on small real inputs."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from eval.stories import Tally, objective
from eval.summaries import convert_multinews, cut, lead, sumy_system
from tests.conftest import seed_documents


def test_multinews_csv_converts_to_jsonl(tmp_path: Path) -> None:
    source = tmp_path / "multinews.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["documents", "summary"])
        writer.writeheader()
        writer.writerow({"documents": repr(["First article, with 'quotes'.", "  ", "Second article."]),
                         "summary": "– Both articles say something."})
    target = tmp_path / "out.jsonl"
    assert convert_multinews(source, target) == 1
    assert json.loads(target.read_text()) == {"documents": ["First article, with 'quotes'.", "Second article."],
                                              "references": ["Both articles say something."]}


def test_cut_keeps_the_budget() -> None:
    assert cut(["one two three", "four five six"], 4) == ["one two three", "four"]
    assert cut(["one two"], 10) == ["one two"]


def test_bcubed_merges_splits_and_pairs_pool_over_requests() -> None:
    tally = Tally()
    tally.request(["a", "a", "b"], [0, 0, 1], "t")
    assert tally.scores()["F1"] == 1.0 and tally.scores()["merges"] == 0.0
    tally.request(["a", "a", "b"], [0, 0, 0], "u")
    scores = tally.scores()
    assert scores["R"] == 1.0 and abs(scores["P"] - (3 + 5 / 3) / 6) < 1e-9 and scores["merges"] == 0.5
    tally.single_event([0, 0, 1])
    tally.single_event([2, 2])
    tally.pair([0, 0], same=True)
    tally.pair([0, 0], same=False)
    assert tally.scores()["splits"] == 0.5 and tally.scores()["pairs"] == 0.5
    assert objective({"F1": 0.9, "merges": 0.0, "splits": 0.0}) == 0.9
    assert objective({"F1": 0.9, "merges": 0.13, "splits": 0.0}) < objective({"F1": 0.9, "merges": 0.0, "splits": 0.15})


def test_peer_baselines_run_on_the_seeds() -> None:
    texts = [d["text"] for d in seed_documents()]
    first = lead(texts, 60)
    assert first[0] == texts[0].split(". ")[0] + "." and len(first) >= 2
    picked = sumy_system("lexrank")(texts, 80)
    assert picked and sum(len(s.split()) for s in picked) <= 80
    assert all(any(s in t for t in texts) for s in picked)
