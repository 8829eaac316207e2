"""Shared fixtures: the seed articles, one loaded pipeline for the run, and a clean environment."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from service.pipeline import Pipeline
from service.settings import PREFIX, load_settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def seed_documents() -> list[dict[str, str]]:
    """The five seed articles as request documents, id = file name without extension."""
    return [{"id": path.stem, "text": path.read_text(encoding="utf-8")} for path in sorted(SEEDS.glob("*.txt"))]


def fixture_document(name: str) -> dict[str, str]:
    return {"id": name, "text": (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")}


def eventually(condition: Callable[[], bool], within: float = 30) -> None:
    """Wait until `condition()` holds, checking often; fail after `within` seconds (a bound, not a timing)."""
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, f"condition not met within {within} s"
        time.sleep(0.01)


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """No BRIEF_* variable (in any case: settings are read case-insensitively) from the caller's shell leaks in."""
    for key in list(os.environ):
        if key.upper().startswith(PREFIX):
            monkeypatch.delenv(key)


@pytest.fixture(scope="session")
def pipeline() -> Iterator[Pipeline]:
    """One pipeline with the packaged embedding model and the extractive writer, loaded once for the whole run."""
    yield Pipeline(load_settings(model="none"))


def with_settings(pipeline: Pipeline, **settings: object) -> Pipeline:
    """The session's loaded models under other settings (limits, queue sizes), without loading them again."""
    configured = Pipeline.__new__(Pipeline)
    configured.__dict__.update(pipeline.__dict__)
    configured.settings = load_settings(**({"model": "none"} | settings))
    return configured


@pytest.fixture
def seeds() -> list[dict[str, str]]:
    return seed_documents()
