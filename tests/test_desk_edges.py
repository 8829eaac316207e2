"""The desk at its edges: dates at the ends of the calendar, a story whose brief cannot be written, a
database file deleted under a running server, and a database migrated from the first schema.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient

from bench.server import free_port
from service.desk import briefs, records
from service.desk.database import migrate, open_engine
from service.http.app import create_app
from service.pipeline import Pipeline
from service.settings import load_settings
from service.values.quantities import values_in
from tests.conftest import SHORT_REPORT, eventually, seed_documents, with_settings


@pytest.fixture
def client(pipeline: Pipeline, tmp_path: Path) -> Iterator[TestClient]:
    settings = with_settings(pipeline, database_url=f"sqlite:///{tmp_path / 'desk.db'}", desk_debounce=0)
    with TestClient(create_app(pipeline=settings)) as http:
        yield http


def page_published_on(day: str, text: str) -> str:
    """The article as an HTML page whose metadata gives its publication date."""
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())
    return (f'<html><head><meta property="article:published_time" content="{day}"></head>'
            f"<body><article>{paragraphs}</article></body></html>")


def settled(client: TestClient, name: str) -> list[dict[str, Any]]:
    """The collection's stories once none has a brief due."""
    stories: list[dict[str, Any]] = []

    def done() -> bool:
        stories[:] = client.get(f"/v1/collections/{name}/stories").json()["stories"]
        return all(not s["brief_pending"] for s in stories)

    eventually(done, within=120)
    return stories


def test_weekdays_before_the_first_day_of_the_calendar_stay_weekdays() -> None:
    first = date(1, 1, 1)  # a Monday
    assert [v.value for v in values_in("The council met on Tuesday and voted yesterday.", first)] == ["tuesday",
                                                                                                     "yesterday"]
    assert [v.value for v in values_in("The council met on Monday.", first)] == ["0001-01-01"]
    assert [v.value for v in values_in("It rained yesterday.", first + timedelta(days=1))] == ["0001-01-01"]


def test_zoned_times_beyond_the_calendar_are_stored_at_its_edges() -> None:
    assert records.stored_time(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5)))) == datetime.min
    assert records.stored_time(datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5)))) == datetime.max
    assert records.stored_time(datetime(2025, 3, 4, 10, tzinfo=timezone(timedelta(hours=2)))) == datetime(2025, 3, 4, 8)


@pytest.mark.parametrize("published_at", ["0001-01-01", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
                                          "9999-12-31"])
def test_publication_dates_at_the_ends_of_the_calendar_are_briefed(client: TestClient, published_at: str) -> None:
    tuesday = next(d for d in seed_documents() if "Tuesday" in d["text"])
    page = {"id": "page", "text": page_published_on(published_at, tuesday["text"])}
    sent = {**tuesday, "published_at": published_at}
    for documents in ([page], [sent]):
        response = client.post("/v1/briefs", json={"documents": documents})
        assert response.status_code == 200, response.text
    stored = client.post("/v1/collections/edges/documents", json={"documents": [page, sent]})
    assert stored.status_code == 200, stored.text
    stories = settled(client, "edges")
    assert [(s["version"], s["brief_error"]) for s in stories] == [(1, None)]


def test_a_time_without_a_zone_and_a_page_date_with_one_share_a_story(client: TestClient) -> None:
    first, second = seed_documents()[:2]
    documents = [{"id": "page", "text": page_published_on("2025-03-04T10:00:00+01:00", first["text"])},
                 {**second, "published_at": "2025-03-05T08:00:00"}]
    response = client.post("/v1/briefs", json={"documents": documents})
    assert response.status_code == 200, response.text
    story = next(s for s in response.json()["stories"] if len(s["document_ids"]) == 2)
    assert (story["published_from"], story["published_to"]) == ("2025-03-04T10:00:00+01:00", "2025-03-05T08:00:00Z")


@pytest.fixture
def unreachable_writer(pipeline: Pipeline, tmp_path: Path) -> Pipeline:
    """A pipeline whose model writer's generation endpoint is down: a brief that needs it fails, while a story
    with one source (copied verbatim, no generation) is written."""
    settings = load_settings(engine="openai", endpoint_url=f"http://127.0.0.1:{free_port()}/v1", endpoint_model="m",
                             endpoint_retries=0, endpoint_timeout=2, database_url=f"sqlite:///{tmp_path / 'desk.db'}",
                             desk_debounce=0, desk_sync_documents=2, mode="model")
    return Pipeline(settings, embedder=pipeline.embedder)


def test_a_story_whose_brief_fails_is_marked_failed_and_the_others_are_written(unreachable_writer: Pipeline) -> None:
    with TestClient(create_app(pipeline=unreachable_writer)) as http:
        job = http.post("/v1/collections/day/documents", json={"documents": seed_documents()[:4] + [SHORT_REPORT]}).json()
        eventually(lambda: http.get(f"/v1/jobs/{job['id']}").json()["state"] in ("done", "failed"), within=120)
        final = http.get(f"/v1/jobs/{job['id']}").json()
        assert final["state"] == "done", final["error"]
        stories = {len(s["document_ids"]): s for s in settled(http, "day")}
    assert sorted(stories) == [1, 4]
    assert stories[1]["version"] == 1 and stories[1]["brief_error"] is None
    failed = stories[4]
    assert failed["version"] == 0 and failed["brief"] is None and not failed["brief_pending"]
    assert failed["brief_error"].startswith("GeneratorUnavailable: generation endpoint")
    assert "unreachable" in failed["brief_error"]


def test_a_failed_try_is_due_again_behind_the_others_until_the_last(unreachable_writer: Pipeline) -> None:
    with TestClient(create_app(pipeline=unreachable_writer)) as http:
        state = http.app.state.brief  # type: ignore[attr-defined]
        state.worker.close()  # the tries are made here, one at a time
        http.post("/v1/collections/day/documents", json={"documents": seed_documents()[:2]})
        desk, tries = state.desk, []
        while True:
            with desk.sessions() as session:
                pending = briefs.due(session, records.utcnow())
            if not pending:
                break
            (story, changes), = pending
            assert not briefs.rewrite(desk.sessions, desk.pipeline, story, changes, records.utcnow())
            tries.append(http.get("/v1/collections/day/stories").json()["stories"][0])
    assert [(s["brief_pending"], s["brief_error"] is not None) for s in tries] == [(True, True), (True, True),
                                                                                   (False, True)]
    assert len(tries) == briefs.MAX_TRIES


def test_a_deleted_database_file_fails_readiness_and_the_desk_naming_it(
        pipeline: Pipeline, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "desk.db"
    with TestClient(create_app(pipeline=with_settings(pipeline, database_url=f"sqlite:///{path}"))) as http, \
            caplog.at_level(logging.ERROR, logger="service"):
        assert http.get("/readyz").status_code == 200
        path.unlink()
        for response in (http.get("/readyz"), http.get("/v1/collections"),
                         http.post("/v1/collections/desk/documents", json={"documents": [{"text": "A report."}]})):
            assert response.status_code == 503
            assert response.json()["error"]["message"].startswith(f"the database file {path} was deleted")
        assert caplog.text.count(f"the database file {path} was deleted") == 1  # said once, when found
        open_engine(f"sqlite:///{path}").dispose()  # the command line makes a new one there
        replaced = http.get("/readyz")
        assert replaced.status_code == 503 and f"{path} was replaced" in replaced.json()["error"]["message"]
    assert not any(r.message == "desk worker step failed" for r in caplog.records)


def test_the_first_schema_migrates_with_content_hashes_as_copies_compare_texts(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = Config()
    config.set_main_option("script_location", str(resources.files("service.desk").joinpath("migrations")))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        now = datetime(2025, 1, 1)
        connection.execute(sa.text("INSERT INTO collections (id, name, created_at, updated_at, revision, next_seq, "
                                   "next_story, settings) VALUES (1, 'old', :now, :now, 0, 4, 1, '{}')"), {"now": now})
        texts = {"a": "The council met.", "b": "The council met. ", "c": "Another report."}
        for seq, (doc_id, text) in enumerate(texts.items(), start=1):
            connection.execute(sa.text("INSERT INTO documents (collection_id, doc_id, seq, content_hash, state, added_at, "
                                       "text, is_html) VALUES (1, :id, :seq, :hash, 'placed', :now, :text, 0)"),
                               {"id": doc_id, "seq": seq, "hash": f"old-{doc_id}", "now": now, "text": text})
        connection.execute(sa.text("INSERT INTO jobs (id, collection_id, state, stage, progress, attempts, created_at, "
                                   "result) VALUES ('j', 1, 'done', 'finished', '{}', 1, :now, :result)"),
                           {"now": now, "result": '{"documents": [["a", null], ["b", "a"]]}'})
    migrate(engine)
    with engine.connect() as connection:
        hashes: dict[str, str] = dict(connection.execute(sa.text("SELECT doc_id, content_hash FROM documents")).all())
        result = connection.execute(sa.text("SELECT result FROM jobs")).scalar_one()
        failures = connection.execute(sa.text("SELECT COUNT(brief_failures) FROM stories")).scalar_one()
    # "a" and "b" are one text now: both stay stored, "a" takes the hash a new copy will find
    assert hashes == {"a": records.content_hash("The council met."), "b": "old-b",
                      "c": records.content_hash("Another report.")}
    assert '[["a", null, "added"], ["b", "a", "already_stored"]]' in result and failures == 0
