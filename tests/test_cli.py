import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from service import cli as cli_module
from service.cli import cli, read_documents
from service.pipeline import Pipeline
from tests.conftest import SEEDS


@pytest.fixture(autouse=True)
def shared_pipeline(monkeypatch: pytest.MonkeyPatch, pipeline: Pipeline) -> None:
    """Reuse the session's loaded models instead of loading them per command (the CLI code path is unchanged)."""
    import service.pipeline

    monkeypatch.setattr(service.pipeline, "Pipeline", lambda settings: pipeline)


def test_read_documents_from_folder_uses_file_stems() -> None:
    documents = read_documents((str(SEEDS),))
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
    for args in (["summarize", str(tmp_path / "missing.txt")], ["summarize", str(tmp_path / "bad.txt")]):
        monkeypatch.setattr("sys.argv", ["brief", *args])
        with pytest.raises(SystemExit) as exit_info:
            cli_module.main()
        assert exit_info.value.code == 2
        assert capsys.readouterr().err.startswith("error: ")
