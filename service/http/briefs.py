"""`POST /v1/briefs` and `POST /v1/extract`: they translate HTTP to and from the pipeline, nothing more."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from ..pipeline import validate
from ..read.extraction import extract_documents
from ..read.validation import validate_documents
from ..schemas import BriefRequest, BriefResponse, ExtractRequest, ExtractResponse
from .body import JsonBody
from .deps import ERRORS, require_key, state_of, unless_client_leaves

router = APIRouter(tags=["briefs"], dependencies=[Depends(require_key)], responses=ERRORS, route_class=JsonBody)


async def create_briefs(request: Request, body: BriefRequest) -> BriefResponse:
    """Group the documents into stories and return an attributed brief for each."""
    state = state_of(request)
    pipeline = state.ready()
    validate(body, state.settings)  # bad input is answered at once, without taking a queue slot
    timeout = body.options.timeout_s or state.settings.request_timeout
    lane = pipeline.writer_for(body.options.mode or state.settings.mode).name
    response = await unless_client_leaves(request, state.lanes[lane].run(lambda cancel: pipeline.run(body, cancel),
                                                                         timeout))
    state.metrics.observe(response)
    return response


async def extract(request: Request, body: ExtractRequest) -> ExtractResponse:
    """Show what would be read from each document: title, date, source, and the paragraphs and
    sentences with their offsets in the text sent. No model is needed."""
    state = state_of(request)
    validate_documents(body.documents, state.settings)  # bad input is answered at once, without taking a queue slot
    job = state.lanes["extractive"].run(lambda cancel: extract_documents(body, state.settings, cancel),
                                        state.settings.request_timeout)
    return await unless_client_leaves(request, job)


router.add_api_route("/v1/briefs", create_briefs, methods=["POST"], response_model=BriefResponse)
router.add_api_route("/v1/extract", extract, methods=["POST"], response_model=ExtractResponse)
