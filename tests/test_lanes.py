"""Extractive and model briefs queue in separate lanes: a quick extractive brief never waits behind model briefs."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest
from fastapi.testclient import TestClient

from service.brief.writers import Draft, ExtractiveWriter
from service.http.app import create_app
from service.pipeline import Pipeline
from service.settings import load_settings
from service.types import Evidence
from tests.conftest import seed_documents


class HeldModelWriter(ExtractiveWriter):
    """A hook that holds a model-mode job until released: stands in for a slow model brief."""

    name = "model"

    def __init__(self) -> None:
        self.started, self.release = threading.Event(), threading.Event()

    def write(self, evidence: Sequence[Evidence], max_words: int, cancel: threading.Event) -> Draft:
        self.started.set()
        self.release.wait(60)
        return super().write(evidence, max_words, cancel)


def test_an_extractive_brief_does_not_wait_behind_a_model_brief(pipeline: Pipeline,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    held = HeldModelWriter()
    monkeypatch.setitem(pipeline.writers, "model", held)
    documents = seed_documents()
    statuses: list[int] = []
    with TestClient(create_app(load_settings(model="none", max_concurrency=1), pipeline=pipeline)) as client:
        model = threading.Thread(target=lambda: statuses.append(client.post(
            "/v1/briefs", json={"documents": documents, "options": {"mode": "model"}}).status_code))
        model.start()
        try:
            assert held.started.wait(60), "the model brief is running and holds the model lane's only slot"
            quick = client.post("/v1/briefs", json={"documents": documents,
                                                     "options": {"mode": "extractive", "timeout_s": 15}})
            assert quick.status_code == 200 and not held.release.is_set()
        finally:
            held.release.set()
            model.join(60)
    assert statuses == [200]
