"""The one place where an exception becomes an HTTP response, always in the `ErrorResponse` shape."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .errors import BriefError, MalformedBody, NotReady, Overloaded, Unauthorized
from .schemas import ErrorBody, ErrorDetail, ErrorResponse

log = logging.getLogger("service")


def error_response(status: int, code: str, message: str, field: str | None = None, limit: float | None = None,
                   errors: list[ErrorDetail] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSON error in the documented shape."""
    body = ErrorResponse(error=ErrorBody(status=status, code=code, message=message, field=field, limit=limit,
                                         errors=errors or []))
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def field_path(location: tuple[int | str, ...]) -> str:
    """`("body", "documents", 0, "text")` → `documents[0].text`."""
    path = ""
    for part in location[1:] if location and location[0] == "body" else location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


async def brief_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BriefError)
    headers = None
    if isinstance(exc, NotReady | Overloaded):
        headers = {"Retry-After": "5"}
    elif isinstance(exc, Unauthorized):
        headers = {"WWW-Authenticate": "Bearer"}
    return error_response(exc.status, exc.code, exc.message, exc.field, exc.limit, headers=headers)


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [ErrorDetail(field=field_path(tuple(e.get("loc", ()))), message=str(e.get("msg", ""))) for e in exc.errors()]
    if any(e.get("type") == "json_invalid" for e in exc.errors()):
        return error_response(MalformedBody.status, MalformedBody.code, "body: not valid JSON", "body", errors=details)
    first = details[0] if details else ErrorDetail(field="body", message="invalid request")
    return error_response(422, "invalid_request", f"{first.field}: {first.message}", first.field, errors=details)


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {400: "malformed_body", 413: "limit_exceeded"}.get(exc.status_code, f"http_{exc.status_code}")
    field = "body" if exc.status_code in (400, 413) else None
    return error_response(exc.status_code, code, str(exc.detail), field, headers=getattr(exc, "headers", None))


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return error_response(500, "internal", "internal error; the service is still running")


def install(app: FastAPI) -> None:
    """Register every handler on the app."""
    app.add_exception_handler(BriefError, brief_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
