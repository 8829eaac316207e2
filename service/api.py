"""HTTP surface: routes translate HTTP to and from the pipeline, nothing more."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool

from . import handlers
from .errors import NotReady
from .pipeline import Pipeline
from .schemas import BriefRequest, BriefResponse, ErrorResponse
from .settings import Settings, load_settings

log = logging.getLogger("service")
ERRORS = {code: {"model": ErrorResponse} for code in (400, 413, 422, 500, 503)}


class State:
    """What the routes share: the pipeline once it has loaded, or why it failed."""

    def __init__(self, settings: Settings, pipeline: Pipeline | None) -> None:
        self.settings = settings
        self.pipeline = pipeline
        self.failure: str | None = None

    async def load(self) -> None:
        try:
            self.pipeline = await run_in_threadpool(Pipeline, self.settings)
            log.info("models loaded; ready")
        except Exception as exc:  # reported by /readyz, the process stays up for diagnosis
            self.failure = f"{type(exc).__name__}: {exc}"
            log.exception("model loading failed")

    def ready(self) -> Pipeline:
        if self.pipeline is None:
            raise NotReady(f"models failed to load: {self.failure}" if self.failure else "models are still loading")
        return self.pipeline


def _state(request: Request) -> State:
    state: State = request.app.state.brief
    return state


async def healthz() -> dict[str, str]:
    """Liveness: answers as long as the process serves HTTP."""
    return {"status": "ok"}


async def readyz(request: Request) -> dict[str, str]:
    """Readiness: 503 until the models are loaded."""
    _state(request).ready()
    return {"status": "ready"}


async def create_briefs(request: Request, body: BriefRequest) -> BriefResponse:
    """Group the documents into stories and return an attributed brief for each."""
    pipeline = _state(request).ready()
    return await run_in_threadpool(pipeline.run, body)


def create_app(settings: Settings | None = None, pipeline: Pipeline | None = None) -> FastAPI:
    """The FastAPI app; models load in the background unless a loaded `pipeline` is given."""
    state = State(settings or (pipeline.settings if pipeline else load_settings()), pipeline)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(state.load()) if state.pipeline is None else None
        yield
        if task is not None:
            task.cancel()

    app = FastAPI(title="Brief service", version="0.1.0", lifespan=lifespan,
                  description="Multi-document news briefs with sentence-level attribution.")
    app.state.brief = state
    handlers.install(app)
    app.add_api_route("/healthz", healthz, methods=["GET"], tags=["ops"])
    app.add_api_route("/readyz", readyz, methods=["GET"], tags=["ops"], responses={503: {"model": ErrorResponse}})
    app.add_api_route("/v1/briefs", create_briefs, methods=["POST"], response_model=BriefResponse,
                      responses=ERRORS, tags=["briefs"])
    return app
