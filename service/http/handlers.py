"""The one place where an exception becomes an HTTP response, always in the `ErrorResponse` shape."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from ..errors import (
    BriefError,
    Cancelled,
    MalformedBody,
    NotReady,
    Overloaded,
    Unauthorized,
    field_path,
)
from ..schemas import ErrorBody, ErrorDetail, ErrorResponse, plain_message

log = logging.getLogger("service")
RETRY_AFTER = {"Retry-After": "5"}


class ErrorJSON(JSONResponse):
    """ASCII JSON: an error may quote what the client sent, lone surrogates included, and must still encode."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, separators=(",", ":")).encode("ascii")


def error_response(status: int, code: str, message: str, field: str | None = None, limit: float | None = None,
                   errors: list[ErrorDetail] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSON error in the documented shape."""
    body = ErrorResponse(error=ErrorBody(status=status, code=code, message=message, field=field, limit=limit,
                                         errors=errors or []))
    return ErrorJSON(body.model_dump(), status_code=status, headers=headers)


def internal_error() -> JSONResponse:
    return error_response(500, "internal", "internal error; the service is still running")


async def brief_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BriefError)
    headers = None
    if isinstance(exc, NotReady | Overloaded):
        headers = RETRY_AFTER
    elif isinstance(exc, Unauthorized):
        headers = {"WWW-Authenticate": "Bearer"}
    return error_response(exc.status, exc.code, exc.message, exc.field, exc.limit, headers=headers)


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    if any(e.get("type") == "json_invalid" for e in exc.errors()):  # located by its place in the text, not by a field
        details = [ErrorDetail(field="body", message=f"{(e.get('ctx') or {}).get('error') or e.get('msg')} at "
                               f"character {e['loc'][-1]}") for e in exc.errors()]
        return error_response(MalformedBody.status, MalformedBody.code, "body: not valid JSON", "body", errors=details)
    details = [ErrorDetail(field=field_path(tuple(e.get("loc", ()))), message=plain_message(e)) for e in exc.errors()]
    first = details[0] if details else ErrorDetail(field="body", message="invalid request")
    return error_response(422, "invalid_request", f"{first.field}: {first.message}", first.field, errors=details)


class BodyTooLarge(StarletteHTTPException):
    """A body found over the limit while it streams (`limits.BodyLimit`): raised as Starlette's own error, which
    FastAPI lets through from body reading, with the limit for the answer."""

    def __init__(self, limit: int, message: str) -> None:
        super().__init__(413, message)
        self.limit = limit


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {400: "malformed_body", 413: "limit_exceeded"}.get(exc.status_code, f"http_{exc.status_code}")
    field = "body" if exc.status_code in (400, 413) else None
    headers = getattr(exc, "headers", None)
    if exc.status_code == 405:
        headers = {**(headers or {}), "Allow": ", ".join(_allowed_methods(request))}
    limit = exc.limit if isinstance(exc, BodyTooLarge) else None
    return error_response(exc.status_code, code, str(exc.detail), field, limit, headers=headers)


def _allowed_methods(request: Request) -> list[str]:
    """Every method the path answers: Starlette names only the first route that matched the path,
    and one path may be served by several routes (GET and DELETE of a stored document)."""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.router.routes):  # included routers' routes, each with its full path
        if route.matches(request.scope)[0] is not Match.NONE:
            methods |= route.methods or set()
    return sorted(methods)


async def outside_the_request(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's last resort, for a failure in the middleware around `Uncaught`: uvicorn logs the traceback."""
    return internal_error()


class Uncaught:
    """ASGI middleware inside the request context: what no handler took still gets the error shape.

    An unexpected exception is logged once, with the request id, and answered 500. A request task
    cancelled by the server (uvicorn does so once the shutdown grace is over) is answered 503
    `cancelled`; the request has then been answered and the task ends, as uvicorn awaits it no more.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: dict[str, Any]) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except asyncio.CancelledError:
            if started:
                raise
            log.warning("request cancelled: the service is stopping")
            stopping = Cancelled("the service is stopping and cancelled this request; retry it")
            response = error_response(stopping.status, stopping.code, stopping.message, headers=RETRY_AFTER)
            await response(scope, receive, send)
        except Exception:
            log.exception("unhandled error")
            if started:
                return  # the status line has gone out: the connection is closed without a body
            await internal_error()(scope, receive, send)


def install(app: FastAPI) -> None:
    """Register every handler on the app; `Uncaught` goes inside the request-id middleware (see api.py)."""
    app.add_exception_handler(BriefError, brief_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, outside_the_request)
