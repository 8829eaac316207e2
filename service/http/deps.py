"""What the routes share, as dependencies: the app's state, the API key check, and waiting on a lane
while the client is still there. Every router takes these from here and from nowhere else."""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from ..desk.desk import Desk
from ..desk.worker import Worker
from ..errors import ClientClosed, NotReady, Unauthorized
from ..pipeline import Pipeline
from ..schemas import ErrorResponse
from ..settings import Settings
from .lanes import Jobs
from .observability import Metrics

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
        self._desk: Desk | None = None  # opened by the app's lifespan: building the app touches no database
        self._worker: Worker | None = None
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

    def open_desk(self) -> None:
        """Open (and migrate) the collections' database: a bad URL stops start-up."""
        self._desk = Desk(self.settings, self.pipeline)
        self._worker = Worker(self._desk)

    def close_desk(self) -> None:
        if self._worker is not None:
            self._worker.close()

    @property
    def desk(self) -> Desk:
        if self._desk is None:
            raise NotReady("the desk's database is not open yet")
        return self._desk

    @property
    def worker(self) -> Worker:
        if self._worker is None:
            raise NotReady("the desk's database is not open yet")
        return self._worker

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


def state_of(request: Request) -> State:
    state: State = request.app.state.brief
    return state


def desk_of(request: Request) -> Desk:
    """The desk, unless its database is gone: then a 503 naming the file, rather than work that would be lost."""
    desk = state_of(request).desk
    if problem := desk.database_problem():
        raise NotReady(problem)
    return desk


def require_key(request: Request) -> None:
    """When API keys are configured, accept only `Authorization: Bearer <key>` with one of them."""
    keys = state_of(request).settings.api_key_set
    if not keys:
        return
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    valid = False
    for key in keys:  # compare with every key, in constant time, whatever matches first
        valid |= hmac.compare_digest(token.strip().encode(), key.encode())
    if scheme.lower() != "bearer" or not valid:
        raise Unauthorized("Authorization: a valid 'Bearer <key>' header is required", field="Authorization")


async def unless_client_leaves(request: Request, job: Awaitable[T]) -> T:
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
