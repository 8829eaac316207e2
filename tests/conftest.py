"""Shared fixtures: the seed articles, one loaded pipeline for the run, and a clean environment."""

from __future__ import annotations

import os
from collections.abc import Iterator
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


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """No BRIEF_* variable from the caller's shell leaks into a test."""
    for key in list(os.environ):
        if key.startswith(PREFIX):
            monkeypatch.delenv(key)


@pytest.fixture(scope="session")
def pipeline() -> Iterator[Pipeline]:
    """One pipeline with the packaged embedding model and the extractive writer, loaded once for the whole run."""
    yield Pipeline(load_settings(model="none"))


@pytest.fixture
def seeds() -> list[dict[str, str]]:
    return seed_documents()
