import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.server import free_port
from service.cli import main as cli_module
from service.cli.files import build_request
from service.cli.main import cli
from service.desk.store import COLLECTION_NAME_RULE
from service.pipeline import Pipeline
from service.settings import load_settings
from tests.conftest import SEEDS, SHORT_REPORT


@pytest.fixture(autouse=True)
def shared_pipeline(monkeypatch: pytest.MonkeyPatch, pipeline: Pipeline) -> None:
    """Reuse the session's loaded models instead of loading them per command (the CLI code path is unchanged)."""
    import service.pipeline

    monkeypatch.setattr(service.pipeline, "Pipeline", lambda settings: pipeline)


def test_request_from_folder_uses_file_stems() -> None:
    documents = build_request((str(SEEDS),), load_settings()).documents
    assert [d.id for d in documents] == sorted(p.stem for p in SEEDS.glob("*.txt"))


def test_summarize_folder_prints_numbered_citations() -> None:
    result = CliRunner().invoke(cli, ["summarize", str(SEEDS), "--mode", "extractive"])
    assert result.exit_code == 0, result.output
    assert result.output.count("## ") == 2
    assert "[1]" in result.output and "chars" in result.output and "004_6523e98cedb0d1bf" in result.output


def test_summarize_json_is_the_api_object() -> None:
    files = [str(p) for p in sorted(SEEDS.glob("*.txt"))[:2]]
    result = CliRunner().invoke(cli, ["summarize", *files, "--json", "--max-words", "60"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert {"stories", "documents", "settings", "model", "timings_ms"} <= set(body)
    assert body["settings"]["max_words"] == 60 and len(body["documents"]) == 2


def test_bad_paths_and_bytes_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe broken")
    for path in (tmp_path / "missing.txt", tmp_path / "bad.txt"):
        assert run_main(monkeypatch, "summarize", str(path)) == 2
        assert capsys.readouterr().err.startswith(f"error: {path}: ")


def run_main(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr("sys.argv", ["brief", *args])
    with pytest.raises(SystemExit) as exit_info:
        cli_module.main()
    return int(exit_info.value.code or 0)


@pytest.mark.parametrize(("options", "named"), [
    (["--max-words", "5"], "--max-words: Input should be greater than or equal to 10"),
    (["--max-words", "5000"], "--max-words: 5000, limit is 1000 (BRIEF_MAX_WORDS_LIMIT)"),
])
def test_bad_options_exit_2_naming_the_option(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                              options: list[str], named: str) -> None:
    assert run_main(monkeypatch, "summarize", str(SEEDS), *options) == 2
    err = capsys.readouterr().err
    assert err == f"error: {named}\n", err  # one line, no traceback


def test_file_errors_name_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "blank.txt").write_text("  \n\t\n", encoding="utf-8")
    assert run_main(monkeypatch, "summarize", str(SEEDS), str(tmp_path / "blank.txt")) == 2
    assert capsys.readouterr().err == f"error: {tmp_path / 'blank.txt'}: empty or whitespace only\n"
    seed = next(SEEDS.glob("*.txt"))
    (tmp_path / seed.name).write_text("Another article under a seed's file name.", encoding="utf-8")
    assert run_main(monkeypatch, "summarize", str(SEEDS), str(tmp_path / seed.name)) == 2
    assert capsys.readouterr().err.startswith(f"error: the name of {tmp_path / seed.name}: duplicate id")


def test_one_document_reads_in_the_singular_and_the_writer_is_named() -> None:
    result = CliRunner().invoke(cli, ["summarize", str(sorted(SEEDS.glob("*.txt"))[0]), "--mode", "extractive"])
    assert result.exit_code == 0, result.output
    assert ": 1 document, 1 independent source: " in result.output and "documents" not in result.output
    assert "written by the extractive writer\n" in result.output
    several = CliRunner().invoke(cli, ["summarize", str(SEEDS), "--mode", "extractive"])
    assert ": 4 documents, " in several.output and several.output.count("written by the extractive writer") == 2


def test_a_folder_s_subfolders_are_read_with_the_same_extensions(tmp_path: Path) -> None:
    """Subfolders were skipped without a word; now their files count, hidden ones (`.git`) aside."""
    seeds = sorted(SEEDS.glob("*.txt"))
    (tmp_path / "2025" / "08").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    (tmp_path / "top.txt").write_text(seeds[0].read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "2025" / "08" / "deep.md").write_text(seeds[1].read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "2025" / "notes.csv").write_text("not,an,article\n", encoding="utf-8")
    (tmp_path / ".git" / "description.txt").write_text("Unnamed repository.", encoding="utf-8")
    (tmp_path / ".draft.txt").write_text("A hidden draft.", encoding="utf-8")
    assert [d.id for d in build_request((str(tmp_path),), load_settings()).documents] == ["deep", "top"]


def test_desk_progress_without_a_terminal_is_one_line_per_stage(tmp_path: Path) -> None:
    """Without a TTY, click's bar printed each stage's bare label; now each stage ends with a line that says so."""
    for seed in sorted(SEEDS.glob("*.txt"))[:2]:
        (tmp_path / seed.name).write_text(seed.read_text(encoding="utf-8"), encoding="utf-8")
    added = CliRunner().invoke(cli, ["add", "news", str(tmp_path)])
    assert added.exit_code == 0, added.output
    assert added.stdout == "news: 2 added, 0 already stored; 1 story\n"
    assert added.stderr == "read: 2 of 2 done\ngrouped: 2 of 2 done\nbriefs: 1 of 1 done\n"
    shown = CliRunner().invoke(cli, ["stories", "news"])
    assert shown.exit_code == 0, shown.output
    assert ": 2 documents, " in shown.stdout and "\nwritten by the extractive writer\n" in shown.stdout


@pytest.mark.parametrize("name", ["bad name", "", "../../etc"])
def test_desk_add_refuses_a_collection_name_the_api_refuses(monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str], name: str) -> None:
    assert run_main(monkeypatch, "add", name, str(SEEDS)) == 2
    assert capsys.readouterr().err == f"error: collection: {name!r} is not a collection name: {COLLECTION_NAME_RULE}\n"
    assert json.loads(CliRunner().invoke(cli, ["collections"]).stdout) == {"collections": []}


def test_desk_stories_show_a_failed_brief_with_its_reason_and_the_others(monkeypatch: pytest.MonkeyPatch,
                                                                       pipeline: Pipeline, tmp_path: Path) -> None:
    """The generation endpoint is down: the story of four sources needs it and fails; the story of one short
    report is copied as it is and written. Neither the job nor `brief stories` stops at the failure."""
    for seed in sorted(SEEDS.glob("*.txt"))[:4]:
        (tmp_path / seed.name).write_text(seed.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "short.txt").write_text(SHORT_REPORT["text"], encoding="utf-8")
    settings = load_settings(engine="openai", endpoint_url=f"http://127.0.0.1:{free_port()}/v1", endpoint_model="m",
                             endpoint_retries=0, endpoint_timeout=2, mode="model")
    unreachable = Pipeline(settings, embedder=pipeline.embedder)
    monkeypatch.setattr("service.pipeline.Pipeline", lambda settings: unreachable)
    added = CliRunner().invoke(cli, ["add", "news", str(tmp_path)])
    assert (added.exit_code, added.stdout) == (0, "news: 5 added, 0 already stored; 2 stories\n"), added.output
    listed = CliRunner().invoke(cli, ["stories", "news"])
    assert listed.exit_code == 0, listed.output
    failed, written = sorted(listed.stdout.split("## ")[1:], key=lambda story: "brief failed" not in story)
    assert "4 documents" in failed and "\nbrief failed: GeneratorUnavailable: generation endpoint" in failed
    assert "1 document," in written and "brief failed" not in written and written.strip().count("\n") >= 3
