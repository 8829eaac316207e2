"""The app: routers (`ops`, `briefs`, `desk`, the page and the docs) over one dependencies module
(`deps.py`), the error handlers, and the middleware. Building it opens nothing: the database opens
and the models load in its lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline
from starlette.concurrency import run_in_threadpool

from ..pipeline import Pipeline
from ..settings import Settings, load_settings
from . import briefs, desk, docs, handlers, ops, page
from .deps import State
from .lanes import Jobs
from .limits import BodyLimit
from .observability import RequestContext


def create_app(settings: Settings | None = None, pipeline: Pipeline | None = None) -> FastAPI:
    """The FastAPI app; models load in the background unless a loaded `pipeline` is given."""
    state = State(settings or (pipeline.settings if pipeline else load_settings()), pipeline)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(state.open_desk)
        state.each_lane(Jobs.open)
        task = asyncio.create_task(state.load()) if state.pipeline is None else None
        if state.pipeline is not None:
            state.serve_desk(state.pipeline)
        yield
        if task is not None:
            task.cancel()
        state.each_lane(Jobs.cancel_all)  # the server's grace period is over: stop what still runs
        await run_in_threadpool(state.close_desk)

    # FastAPIOffline: /docs with its scripts served from the package, not a CDN (offline use); /redoc: docs.py
    app = FastAPIOffline(title="Brief service", version="0.1.0", lifespan=lifespan, redoc_url=None,
                         static_url=docs.ASSETS,
                         description="Multi-document news briefs with sentence-level attribution.")
    app.state.brief = state
    handlers.install(app)
    for router in (ops.router, briefs.router, desk.router):
        app.include_router(router)
    page.install(app)
    docs.install(app)
    if state.settings.cors_origin_list:
        app.add_middleware(CORSMiddleware, allow_origins=state.settings.cors_origin_list,
                           allow_methods=["GET", "POST", "DELETE"], allow_headers=["authorization", "content-type", "x-request-id"])
    app.add_middleware(BodyLimit, limit=state.settings.max_body_bytes)
    app.add_middleware(handlers.Uncaught)  # inside RequestContext: its answers carry the request id
    app.add_middleware(RequestContext, metrics=state.metrics)
    return app
