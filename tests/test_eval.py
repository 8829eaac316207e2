"""The evaluation harness's own pieces: converters, metrics and baselines on small real inputs."""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import pytest

from eval.brief_readability import Readability
from eval.stories import Tally, batches, objective
from eval.summaries import checked_repeats, checked_share, convert_multinews, cut, lead, sumy_system
from service.pipeline import Pipeline
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


def test_readability_counts_what_a_reader_would_strike(pipeline: Pipeline) -> None:
    """Issue 24's figures, counted from a brief's own sentences: a headline, furniture, an opener with nothing to
    point at, and one claim told twice."""
    titles = ["Tara Reid checks into rehab"]
    article = "Tara Reid has checked into Promises Treatment Center. She said she needed a break."
    brief = ["He said they would leave.", "Tara Reid checks into rehab.", "Posted: Thursday, April 21, 2022. 10:11 pm CST.",
             "Tara Reid has checked into Promises Treatment Center.",
             "Tara Reid checked herself into Promises Treatment Center.", "It is unclear how long she will stay."]
    readability = Readability(pipeline.embedder, pipeline.parser)
    readability.add(brief, titles, [article])
    figures = readability.figures()
    assert readability.headlines == 1 and readability.furniture == 1 and readability.unresolved == 1
    assert readability.same_claim_pairs == 1 and figures["headline"] == 1 / 6
    readability.add(["Tara Reid has checked into Promises Treatment Center.", "She said she needed a break."], titles,
                    [article])  # "She" follows the sentence it follows in the article, after the name
    assert readability.unresolved == 1


def test_readability_counts_a_bare_noun_of_an_earlier_event_as_an_unresolved_opener(pipeline: Pipeline) -> None:
    """"The move is an escalation…" names no move; "The move by the court…" does, and so does the sentence after
    the one it follows in its article."""
    article = "The court struck down the waiver on Monday. The move surprised lawyers on both sides."
    readability = Readability(pipeline.embedder, pipeline.parser)
    readability.add(["The move is an escalation of the state's legal battle.",
                     "The move by the court surprised the governor's lawyers."], [], [article])
    assert readability.unresolved == 1
    readability.add(["The court struck down the waiver on Monday.", "The move surprised lawyers on both sides."], [],
                    [article])
    assert readability.unresolved == 1


def test_readability_counts_a_lead_in_whose_list_is_not_in_the_brief(pipeline: Pipeline) -> None:
    article = "Here are figures Kirby provided, by branch:\n\nArmy: 40% fully vaccinated with 57% with one dose."
    readability = Readability(pipeline.embedder, pipeline.parser)
    readability.add(["Here are figures Kirby provided, by branch:"], [], [article])
    assert readability.unresolved == 1
    readability.add(["Here are figures Kirby provided, by branch:", "Army: 40% fully vaccinated with 57% with one dose."],
                    [], [article])
    assert readability.unresolved == 1


def test_readability_counts_a_sentence_cut_off_before_its_end(pipeline: Pipeline) -> None:
    readability = Readability(pipeline.embedder, pipeline.parser)
    readability.add(["As The Post's Philip Rucker, Robert Costa and", "The vote is set for Friday.",
                     '"We will win," she said.', "Here are the figures:"], [], [])
    assert readability.fragments == 1 and readability.figures()["fragment"] == 1 / 4


def test_the_faithful_share_of_hand_checked_sentences(tmp_path: Path) -> None:
    path = tmp_path / "checked.jsonl"
    path.write_text("".join(json.dumps({"origin": origin, "verdict": verdict}) + "\n"
                            for origin, verdict in (("fused", True), ("fused", False), ("compressed", True))))
    assert checked_share(path) == "2/3 faithful (0.667): compressed 1/1, fused 1/2"


def test_repeated_claims_are_counted_from_hand_checked_pairs_in_either_order(tmp_path: Path) -> None:
    checked, dump = tmp_path / "checked.jsonl", tmp_path / "briefs.jsonl"
    checked.write_text("".join(json.dumps({"a": a, "b": b, "same_claim": verdict}) + "\n"
                               for a, b, verdict in (("A one.", "A again.", True), ("A one.", "B.", False))))
    briefs = [("model", ["A again.", "A one.", "B."]), ("extractive", ["A one.", "C."])]
    dump.write_text("".join(json.dumps({"mode": mode, "sentences": [{"text": t} for t in texts]}) + "\n"
                            for mode, texts in briefs))
    assert checked_repeats(dump, checked).splitlines() == [
        "extractive: 0 pairs tell one claim twice, of 1 pairs within briefs (1 not checked)",
        "model: 1 pairs tell one claim twice, of 3 pairs within briefs (1 not checked)"]


ECBPLUS = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "ecbplus_dev" / "ecbplus_dev.jsonl"


@pytest.mark.skipif(not ECBPLUS.exists(), reason="the ECB+ dev set is not beside the checkout")
def test_desk_batches_give_a_request_s_stories_on_two_ecbplus_topics(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """`eval/stories.py batches`, the command behind docs/quality.md's batch table, on ECB+ topics 3 and 9."""
    items = [line for line in ECBPLUS.read_text(encoding="utf-8").splitlines() if json.loads(line)["topic"] in ("3", "9")]
    chosen = tmp_path / "two-topics.jsonl"
    chosen.write_text("\n".join(items) + "\n", encoding="utf-8")
    batches(argparse.Namespace(ecbplus=chosen, cache=None, size=7, seed=0))
    table = [line.strip("| ").split(" | ") for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    rows = {cells[0]: cells[1:] for cells in table[1:]}
    assert set(rows) == {"one request per topic", f"one request of {len(items)}", "one desk collection, batches of 7, order of seed 0"}
    assert all(cells[2] == "0" for cells in rows.values())  # no story spans the two topics
    assert abs(float(rows["one desk collection, batches of 7, order of seed 0"][0]) - float(rows["one request per topic"][0])) <= 0.01
