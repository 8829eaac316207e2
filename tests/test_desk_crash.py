"""A real server killed with SIGKILL in the middle of a large ingest, then started again on the same database:
no document is lost or stored twice, and the job is resumed (or reported failed), never left running.

The test follows the job through its server-sent events, so it kills the server once the first chunk of
the job is committed and the next is under way, whatever the machine's speed.
"""

from __future__ import annotations

import httpx
import pytest

from bench.server import start_server
from service.desk import jobs
from tests.conftest import job_events, listed_stories, many_documents

DOCUMENTS = 3 * jobs.CHUNK + 40


def test_a_killed_ingest_is_resumed_with_every_document_stored_once(database_url: str) -> None:
    settings = {"BRIEF_MODEL": "none", "BRIEF_DATABASE_URL": database_url, "BRIEF_DESK_SYNC_DOCUMENTS": "10"}
    server, base = start_server(settings)
    try:
        sent = many_documents(DOCUMENTS)
        job = httpx.post(f"{base}/v1/collections/day/documents", json={"documents": sent}, timeout=120).json()
        for _, seen in job_events(base, job["id"]):
            grouped = seen["progress"]["grouped"]["done"]
            if jobs.CHUNK <= grouped < DOCUMENTS:
                break
        else:
            pytest.fail("the job ended before a chunk was committed")
        server.kill()  # SIGKILL: no shutdown, no cleanup
        server.wait(30)
        server, base = start_server(settings)
        final = [seen for kind, seen in job_events(base, job["id"]) if kind in ("done", "failed")][-1]
        assert final["state"] == "done" and final["attempts"] == 2, final.get("error")
        assert final["progress"]["grouped"] == {"done": DOCUMENTS, "total": DOCUMENTS}
        collection = httpx.get(f"{base}/v1/collections", timeout=30).json()["collections"][0]
        assert collection["documents"] == DOCUMENTS
        placed = {d["id"]: d["story_id"] for d in final["documents"]}
        assert sorted(placed) == sorted(d["id"] for d in sent) and all(placed.values())
        in_stories = [i for s in listed_stories(base, "day") for i in s["document_ids"]]
        assert sorted(in_stories) == sorted(placed)  # every document in exactly one story
    finally:
        server.kill()
        server.wait(30)
