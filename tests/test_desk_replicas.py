"""Two real server processes on one PostgreSQL database, adding to the same collection at once.

Four threads (two per server) post batches together from the first request on, so the two
processes race to create the collection, to store the same documents (the same id and text sent to
both) and copies (the same text under another id on each), and to place them in groups and
stories; a large batch on each becomes a job that either server's worker may run. Afterwards every
text is stored once, every stored document is in exactly one active story, each story's duplicate
groups hold exactly its documents, and every story gets its brief.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bench.server import start_server
from service.desk import models
from service.desk.database import open_engine
from tests.conftest import eventually, job_events, listed_stories, many_documents

SYNC = 40  # batches above this are jobs
BATCH = 20


def batches(server: str, documents: list[dict[str, str]], sent: range, copies: range) -> list[list[dict[str, str]]]:
    """Small batches of the documents `sent`, then one job-sized batch of copies under this server's own ids."""
    twins = [{"id": f"twin-{server}-{k}", "text": documents[k]["text"]} for k in copies]
    return [documents[n:min(n + BATCH, sent.stop)] for n in sent[::BATCH]] + [twins]


def post_all(base: str, work: list[list[dict[str, str]]], start: threading.Barrier) -> list[dict[str, Any]]:
    """Post each batch in turn; return each document's outcome, a job's once its `done` event arrives."""
    start.wait()
    outcomes = []
    for batch in work:
        response = httpx.post(f"{base}/v1/collections/wire/documents", json={"documents": batch}, timeout=300)
        assert response.status_code in (200, 202), response.text
        if response.status_code == 202:
            final = [job for kind, job in job_events(base, response.json()["id"]) if kind in ("done", "failed")][-1]
            assert final["state"] == "done", final.get("error")
            outcomes += final["documents"]
        else:
            outcomes += response.json()["documents"]
    return outcomes


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_servers_adding_to_one_collection_store_each_document_once(database_url: str) -> None:
    settings = {"BRIEF_MODEL": "none", "BRIEF_DATABASE_URL": database_url, "BRIEF_DESK_SYNC_DOCUMENTS": str(SYNC),
                "BRIEF_DESK_DEBOUNCE": "0"}
    with ThreadPoolExecutor(2) as pool:  # both start (and migrate the empty database) at once
        started = list(pool.map(lambda _: start_server(settings), range(2)))
    try:
        documents = many_documents(200)
        first, second = (base for _, base in started)
        work = {first: batches("a", documents, range(0, 120), range(100, 150)),
                second: batches("b", documents, range(60, 200), range(40, 100)) + [documents[180:] + documents[:10]]}
        threads = [(base, work[base][half::2]) for base in (first, second) for half in (0, 1)]
        start = threading.Barrier(len(threads))
        with ThreadPoolExecutor(len(threads)) as pool:
            outcomes = [d for done in pool.map(lambda t: post_all(*t, start), threads) for d in done]

        by_text = {d["id"]: d["text"] for batch in work[first] + work[second] for d in batch}
        added = [d["id"] for d in outcomes if d["status"] == "added"]
        assert sorted(by_text[i] for i in added) == sorted(d["text"] for d in documents)  # each text added once
        assert all(by_text[d["stored_as"]] == by_text[d["id"]] for d in outcomes if d["status"] == "already_stored")
        unplaced = [d for d in outcomes if d["status"] == "added" and not d["story_id"]]
        assert not unplaced, unplaced  # placed before the answer (a copy's story may still wait on the other's job)

        stories = listed_stories(first, "wire")
        listed = [i for s in stories for i in s["document_ids"]]
        assert sorted(listed) == sorted(added)  # every stored document in exactly one active story
        for story in stories:
            assert sorted(m for g in story["duplicate_groups"] for m in g["members"]) == sorted(story["document_ids"])
        assert listed_stories(second, "wire") == stories  # both replicas read one desk
        _check_rows(database_url, len(documents))

        def briefed() -> bool:
            return all(s["brief"] and not s["brief_pending"] for s in listed_stories(second, "wire"))

        eventually(briefed, within=300)
    finally:
        for server, _ in started:
            server.kill()
            server.wait(30)


def _check_rows(database_url: str, texts: int) -> None:
    """The stored rows agree with each other: what the API shows is not hiding a stray row."""
    engine = open_engine(database_url)
    try:
        with engine.connect() as db:
            collection = db.execute(select(models.Collection)).one()
            rows = db.execute(select(models.Document.id, models.Document.seq, models.Document.state,
                                     models.Document.group_id, models.Group.story_id, models.Story.state)
                              .outerjoin(models.Group, models.Group.id == models.Document.group_id)
                              .outerjoin(models.Story, models.Story.id == models.Group.story_id)).all()
            assert len(rows) == texts and collection.next_seq == texts + 1
            assert sorted(r[1] for r in rows) == list(range(1, texts + 1))
            assert {(r[2], r[5]) for r in rows} == {("placed", "active")}
            empty = db.scalar(select(func.count()).select_from(models.Group).where(
                ~select(models.Document.id).where(models.Document.group_id == models.Group.id).exists()))
            astray = db.scalar(select(func.count()).select_from(models.Group).join(
                models.Document, models.Document.id == models.Group.representative_id).where(
                models.Document.group_id != models.Group.id))
            assert empty == 0 and astray == 0  # no group without members, each represented by one of its own
    finally:
        engine.dispose()
