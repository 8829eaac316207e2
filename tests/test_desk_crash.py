"""A real server killed with SIGKILL in the middle of a large ingest, then started again on the same database:
no document is lost or stored twice, and the job is resumed (or reported failed), never left running.

The test follows the job through its server-sent events, so it kills the server once the first chunk of
the job is committed and the next is under way, whatever the machine's speed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bench.server import start_server
from service.desk import jobs
from tests.conftest import many_documents

DOCUMENTS = 3 * jobs.CHUNK + 40


def events(base: str, job_id: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The job's server-sent events as (event, job), until the stream ends."""
    with httpx.stream("GET", f"{base}/v1/jobs/{job_id}/events", timeout=httpx.Timeout(10, read=300)) as stream:
        kind = ""
        for line in stream.iter_lines():
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: "):
                yield kind, json.loads(line.removeprefix("data: "))


def test_a_killed_ingest_is_resumed_with_every_document_stored_once(database_url: str) -> None:
    settings = {"BRIEF_MODEL": "none", "BRIEF_DATABASE_URL": database_url, "BRIEF_DESK_SYNC_DOCUMENTS": "10"}
    server, base = start_server(settings)
    try:
        sent = many_documents(DOCUMENTS)
        job = httpx.post(f"{base}/v1/collections/day/documents", json={"documents": sent}, timeout=120).json()
        for _, seen in events(base, job["id"]):
            grouped = seen["progress"]["grouped"]["done"]
            if jobs.CHUNK <= grouped < DOCUMENTS:
                break
        else:
            pytest.fail("the job ended before a chunk was committed")
        server.kill()  # SIGKILL: no shutdown, no cleanup
        server.wait(30)
        server, base = start_server(settings)
        final = [seen for kind, seen in events(base, job["id"]) if kind in ("done", "failed")][-1]
        assert final["state"] == "done" and final["attempts"] == 2, final.get("error")
        assert final["progress"]["grouped"] == {"done": DOCUMENTS, "total": DOCUMENTS}
        collection = httpx.get(f"{base}/v1/collections", timeout=30).json()["collections"][0]
        assert collection["documents"] == DOCUMENTS
        placed = {d["id"]: d["story_id"] for d in final["documents"]}
        assert sorted(placed) == sorted(d["id"] for d in sent) and all(placed.values())
        in_stories: list[str] = []
        cursor = None
        while True:
            page = httpx.get(f"{base}/v1/collections/day/stories", params={"limit": 500, "cursor": cursor},
                             timeout=30).json()
            in_stories += [i for s in page["stories"] for i in s["document_ids"]]
            if not (cursor := page["next_cursor"]):
                break
        assert sorted(in_stories) == sorted(placed)  # every document in exactly one story
    finally:
        server.kill()
        server.wait(30)
