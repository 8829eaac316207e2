"""Liveness, readiness and metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ..errors import NotReady
from ..schemas import ErrorResponse
from .deps import state_of

router = APIRouter(tags=["ops"])


async def healthz() -> dict[str, str]:
    """Liveness: answers as long as the process serves HTTP."""
    return {"status": "ok"}


async def readyz(request: Request) -> dict[str, str]:
    """Readiness: 503 until the models are loaded, while a configured generation endpoint is down, and once the
    desk's database file is gone."""
    state = state_of(request)
    pipeline = state.ready()
    if problem := state.desk.database_problem() or await run_in_threadpool(pipeline.health):
        raise NotReady(problem)
    return {"status": "ready"}


async def metrics(request: Request) -> Response:
    """Prometheus metrics in the text exposition format."""
    return Response(generate_latest(state_of(request).metrics.registry), media_type=CONTENT_TYPE_LATEST)


router.add_api_route("/healthz", healthz, methods=["GET"])
router.add_api_route("/readyz", readyz, methods=["GET"], responses={503: {"model": ErrorResponse}})
router.add_api_route("/metrics", metrics, methods=["GET"], include_in_schema=False)
