"""Building the app has no side effects: the database opens in its lifespan, in the configured place."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.http.app import create_app
from service.pipeline import Pipeline
from tests.conftest import with_settings


def test_building_the_app_opens_no_database(pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("BRIEF_DATABASE_URL")
    monkeypatch.setenv("HOME", str(tmp_path))
    default = tmp_path / ".local" / "share" / "brief-service" / "desk.db"
    app = create_app(pipeline=with_settings(pipeline))
    assert list(tmp_path.iterdir()) == []
    with TestClient(app) as http:
        assert http.get("/v1/collections").json() == {"collections": []}
        assert default.is_file()


def test_the_suite_runs_in_a_temporary_home(temporary_home: Path) -> None:
    assert Path.home() == temporary_home and str(temporary_home) != "/root"
