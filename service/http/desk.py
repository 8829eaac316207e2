"""The desk's HTTP routes: they translate HTTP to and from the desk (`desk.py`, `jobs.py`, `queries.py`), nothing more.

Same body checks, size limits and API keys as `/v1/briefs`; an unknown collection, story or job
is a 404 in the service's one error shape.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ..desk import jobs, queries, store, views
from ..desk.desk import Desk
from ..desk.schemas import (
    AddOut,
    CollectionsOut,
    JobOut,
    StoredDocumentOut,
    StoriesOut,
    StoryDetailOut,
)
from ..errors import NotReady
from ..schemas import BriefRequest, ErrorResponse
from .body import JsonBody
from .deps import ERRORS, desk_of, require_key, state_of, unless_client_leaves

Name = Annotated[str, Path(pattern=store.COLLECTION_NAME, description=f"Collection name: {store.COLLECTION_NAME_RULE}.")]
NOT_FOUND = ERRORS | {404: {"model": ErrorResponse}}
EVENT_POLL = 0.5  # seconds between two looks at a job's progress


async def add_documents(request: Request, name: Name, body: BriefRequest) -> Response | AddOut:
    """Add documents to the collection (created on first use). Up to `BRIEF_DESK_SYNC_DOCUMENTS`
    documents are placed before the answer (200, with the stories they changed); a larger batch is
    stored at once and placed by a job (202)."""
    state, desk = state_of(request), desk_of(request)
    state.ready()
    if len(body.documents) > state.settings.desk_sync_documents:
        job_id = await run_in_threadpool(jobs.submit, desk, name, body)
        state.worker.wake.set()
        job = await run_in_threadpool(queries.job, desk, job_id)
        return JSONResponse(job.model_dump(mode="json"), status_code=202, headers={"Location": f"/v1/jobs/{job_id}"})
    desk.check(body)  # bad input is answered at once, without taking a queue slot
    timeout = body.options.timeout_s or state.settings.request_timeout
    added = await unless_client_leaves(request, state.lanes["extractive"].run(lambda cancel: desk.add(name, body, cancel),
                                                                               timeout, settle=True))
    state.worker.wake.set()  # briefs are due
    return await run_in_threadpool(queries.added, desk, added)


async def list_collections(request: Request) -> CollectionsOut:
    return await run_in_threadpool(queries.collections, desk_of(request))


async def list_stories(request: Request, name: Name, limit: Annotated[int, Query(ge=1, le=500)] = views.PAGE,
                       cursor: str | None = None) -> StoriesOut:
    """The collection's active stories, most recently updated first, a page at a time."""
    return await run_in_threadpool(queries.stories, desk_of(request), name, limit, cursor)


async def get_story(request: Request, name: Name, story_id: str,
                    since: Annotated[str | None, Query(description="A brief version, or an ISO 8601 time: the answer "
                                                                   "then carries what changed since.")] = None) -> StoryDetailOut:
    return await run_in_threadpool(queries.story, desk_of(request), name, story_id, since)


async def get_document(request: Request, name: Name, document_id: str) -> StoredDocumentOut:
    """A stored document as it was sent, with its story: what a story's citations point into."""
    return await run_in_threadpool(queries.document, desk_of(request), name, document_id)


async def delete_collection(request: Request, name: Name) -> Response:
    await run_in_threadpool(desk_of(request).delete_collection, name)
    return Response(status_code=204)


async def delete_document(request: Request, name: Name, document_id: str) -> Response:
    """Delete a document and what was derived from it; its story's brief is written again."""
    await run_in_threadpool(desk_of(request).delete_document, name, document_id)
    state_of(request).worker.wake.set()
    return Response(status_code=204)


async def get_job(request: Request, job_id: str) -> JobOut:
    return await run_in_threadpool(queries.job, desk_of(request), job_id)


async def job_events(request: Request, job_id: str) -> AsyncIterator[ServerSentEvent]:
    """Server-sent events: a `progress` event whenever the job's progress changes, then `done` or `failed`."""
    import asyncio

    desk, last = desk_of(request), None
    job = await run_in_threadpool(queries.job, desk, job_id)  # an unknown job is a 404 before the stream starts
    while True:
        if (seen := job.model_dump_json(include={"state", "stage", "progress", "attempts"})) != last:
            last = seen
            finished = job.state in ("done", "failed")
            yield ServerSentEvent(event=job.state if finished else "progress", data=job.model_dump(mode="json"))
            if finished:
                return
        await asyncio.sleep(EVENT_POLL)
        job = await run_in_threadpool(queries.job, desk, job_id)


router = APIRouter(tags=["desk"], dependencies=[Depends(require_key)], responses=NOT_FOUND)
router.add_api_route("/v1/collections/{name}/documents", add_documents, methods=["POST"], response_model=AddOut,
                     route_class_override=JsonBody, responses={202: {"model": JobOut}})
router.add_api_route("/v1/collections", list_collections, methods=["GET"], response_model=CollectionsOut)
router.add_api_route("/v1/collections/{name}/stories", list_stories, methods=["GET"], response_model=StoriesOut)
router.add_api_route("/v1/collections/{name}/stories/{story_id}", get_story, methods=["GET"],
                     response_model=StoryDetailOut)
router.add_api_route("/v1/collections/{name}/documents/{document_id}", get_document, methods=["GET"],
                     response_model=StoredDocumentOut)
router.add_api_route("/v1/collections/{name}", delete_collection, methods=["DELETE"], status_code=204)
router.add_api_route("/v1/collections/{name}/documents/{document_id}", delete_document, methods=["DELETE"],
                     status_code=204)
router.add_api_route("/v1/jobs/{job_id}", get_job, methods=["GET"], response_model=JobOut)
router.add_api_route("/v1/jobs/{job_id}/events", job_events, methods=["GET"], response_class=EventSourceResponse)
