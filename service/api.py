"""HTTP surface: routes translate HTTP to and from the pipeline, nothing more."""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from . import docs, handlers, page
from .body import JsonBody
from .desk.desk import Desk
from .desk.worker import Worker
from .errors import ClientClosed, NotReady, Unauthorized
from .extraction import extract_documents
from .jobs import Jobs
from .limits import BodyLimit
from .observability import Metrics, RequestContext
from .pipeline import Pipeline, validate
from .schemas import BriefRequest, BriefResponse, ErrorResponse, ExtractRequest, ExtractResponse
from .settings import Settings, load_settings
from .validation import validate_documents

log = logging.getLogger("service")
ERRORS: dict[int | str, dict[str, object]] = {code: {"model": ErrorResponse}
                                              for code in (400, 401, 413, 415, 422, 500, 503, 504)}
T = TypeVar("T")


class State:
    """What the routes share: settings, the pipeline once it has loaded (or why not), jobs and metrics."""

    def __init__(self, settings: Settings, pipeline: Pipeline | None) -> None:
        self.settings = settings
        self.pipeline = pipeline
        self.failure: str | None = None
        self.desk = Desk(settings, pipeline)  # the collections' database, migrated: a bad URL stops start-up
        self.worker = Worker(self.desk)
        # one lane per writer, so a quick extractive brief never waits behind model briefs
        self.lanes = {name: Jobs(settings.max_concurrency, settings.max_queue) for name in ("extractive", "model")}
        self.metrics = Metrics()
        self.metrics.queue_depth.set_function(lambda: sum(jobs.waiting for jobs in self.lanes.values()))
        self.metrics.in_flight.set_function(lambda: sum(jobs.running for jobs in self.lanes.values()))

    async def load(self) -> None:
        try:
            self.pipeline = await run_in_threadpool(Pipeline, self.settings)
            self.serve_desk(self.pipeline)
            log.info("models loaded; ready")
        except Exception as exc:  # reported by /readyz, the process stays up for diagnosis
            self.failure = f"{type(exc).__name__}: {exc}"
            log.exception("model loading failed")

    def serve_desk(self, pipeline: Pipeline) -> None:
        """Jobs and background briefs start once the models are loaded."""
        self.desk.loaded = pipeline
        self.worker.start()

    def ready(self) -> Pipeline:
        if self.pipeline is None:
            raise NotReady(f"models failed to load: {self.failure}" if self.failure else "models are still loading")
        return self.pipeline

    def each_lane(self, action: Callable[[Jobs], None]) -> None:
        for jobs in self.lanes.values():
            action(jobs)


def _state(request: Request) -> State:
    state: State = request.app.state.brief
    return state


def require_key(request: Request) -> None:
    """When API keys are configured, accept only `Authorization: Bearer <key>` with one of them."""
    keys = _state(request).settings.api_key_set
    if not keys:
        return
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    valid = False
    for key in keys:  # compare with every key, in constant time, whatever matches first
        valid |= hmac.compare_digest(token.strip().encode(), key.encode())
    if scheme.lower() != "bearer" or not valid:
        raise Unauthorized("Authorization: a valid 'Bearer <key>' header is required", field="Authorization")


async def healthz() -> dict[str, str]:
    """Liveness: answers as long as the process serves HTTP."""
    return {"status": "ok"}


async def readyz(request: Request) -> dict[str, str]:
    """Readiness: 503 until the models are loaded, while a configured generation endpoint is down, and once the
    desk's database file is gone."""
    state = _state(request)
    pipeline = state.ready()
    if problem := state.desk.database_problem() or await run_in_threadpool(pipeline.health):
        raise NotReady(problem)
    return {"status": "ready"}


async def metrics(request: Request) -> Response:
    """Prometheus metrics in the text exposition format."""
    return Response(generate_latest(_state(request).metrics.registry), media_type=CONTENT_TYPE_LATEST)


async def create_briefs(request: Request, body: BriefRequest) -> BriefResponse:
    """Group the documents into stories and return an attributed brief for each."""
    state = _state(request)
    pipeline = state.ready()
    validate(body, state.settings)  # bad input is answered at once, without taking a queue slot
    timeout = body.options.timeout_s or state.settings.request_timeout
    lane = pipeline.writer_for(body.options.mode or state.settings.mode).name
    response = await _unless_client_leaves(request, state.lanes[lane].run(lambda cancel: pipeline.run(body, cancel),
                                                                         timeout))
    state.metrics.observe(response)
    return response


async def extract(request: Request, body: ExtractRequest) -> ExtractResponse:
    """Show what would be read from each document: title, date, source, and the paragraphs and
    sentences with their offsets in the text sent. No model is needed."""
    state = _state(request)
    validate_documents(body.documents, state.settings)  # bad input is answered at once, without taking a queue slot
    job = state.lanes["extractive"].run(lambda cancel: extract_documents(body, state.settings, cancel),
                                        state.settings.request_timeout)
    return await _unless_client_leaves(request, job)


async def _unless_client_leaves(request: Request, job: Awaitable[T]) -> T:
    """Await `job`, cancelling it (queued or running) if the client disconnects first: nobody would read it."""
    work = asyncio.ensure_future(job)
    gone = asyncio.ensure_future(_disconnected(request))
    try:
        done, _ = await asyncio.wait((work, gone), return_when=asyncio.FIRST_COMPLETED)
    finally:
        gone.cancel()
        work.cancel()  # no-op once done; else `Jobs.run` tells the worker thread to stop
    if work in done:
        return work.result()
    raise ClientClosed("the client disconnected; its brief was cancelled")


async def _disconnected(request: Request) -> None:
    """Return when the client goes away (the body is read, so the server's next message is the disconnect)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


def create_app(settings: Settings | None = None, pipeline: Pipeline | None = None) -> FastAPI:
    """The FastAPI app; models load in the background unless a loaded `pipeline` is given."""
    from .desk import api as desk_api  # its routes use this module's auth and lanes

    state = State(settings or (pipeline.settings if pipeline else load_settings()), pipeline)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state.each_lane(Jobs.open)
        task = asyncio.create_task(state.load()) if state.pipeline is None else None
        if state.pipeline is not None:
            state.serve_desk(state.pipeline)
        yield
        if task is not None:
            task.cancel()
        state.each_lane(Jobs.cancel_all)  # the server's grace period is over: stop what still runs
        await run_in_threadpool(state.worker.close)

    # FastAPIOffline: /docs with its scripts served from the package, not a CDN (offline use); /redoc: docs.py
    app = FastAPIOffline(title="Brief service", version="0.1.0", lifespan=lifespan, redoc_url=None,
                         static_url=docs.ASSETS,
                         description="Multi-document news briefs with sentence-level attribution.")
    app.state.brief = state
    handlers.install(app)
    app.add_api_route("/healthz", healthz, methods=["GET"], tags=["ops"])
    app.add_api_route("/readyz", readyz, methods=["GET"], tags=["ops"], responses={503: {"model": ErrorResponse}})
    app.add_api_route("/metrics", metrics, methods=["GET"], tags=["ops"], include_in_schema=False)
    for path, route, model in (("/v1/briefs", create_briefs, BriefResponse), ("/v1/extract", extract, ExtractResponse)):
        app.router.add_api_route(path, route, methods=["POST"], response_model=model, responses=ERRORS, tags=["briefs"],
                                 dependencies=[Depends(require_key)], route_class_override=JsonBody)
    desk_api.install(app)
    page.install(app)
    docs.install(app)
    if state.settings.cors_origin_list:
        app.add_middleware(CORSMiddleware, allow_origins=state.settings.cors_origin_list,
                           allow_methods=["GET", "POST", "DELETE"], allow_headers=["authorization", "content-type", "x-request-id"])
    app.add_middleware(BodyLimit, limit=state.settings.max_body_bytes)
    app.add_middleware(handlers.Uncaught)  # inside RequestContext: its answers carry the request id
    app.add_middleware(RequestContext, metrics=state.metrics)
    return app
