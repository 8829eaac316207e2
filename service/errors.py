"""Typed errors. Stages raise these; `service/http/handlers.py` and `service/cli/main.py` map them.

    BriefError (500, internal)                 root: carries an HTTP status and a stable code
    ├── StartupError (500, startup)            bad settings or a model that cannot load
    ├── Unauthorized (401, unauthorized)       API keys are set and none valid was sent
    ├── NotReady (503, not_ready)              models still loading
    ├── Overloaded (503, overloaded)           the job queue is full: retry later
    ├── Cancelled (503, cancelled)             work stopped: its deadline passed or the service is stopping
    │   └── ClientClosed (499, client_closed)   the client went away; logged, never seen by a client
    ├── RequestTimeout (504, timeout)          the request ran past its time limit
    ├── GeneratorUnavailable (502, generator_unavailable)  the generation endpoint is down or failing
    ├── NotFound (404, not_found)              no such collection, story, document, brief version or job
    ├── InvalidRequest (422, invalid_request)  a field breaks a rule (empty, duplicate id, …)
    │   └── LimitExceeded (413, limit_exceeded) a field is over a configured limit
    └── MalformedBody (400, malformed_body)    the body is not UTF-8 JSON
        └── UnsupportedMediaType (415, unsupported_media_type)  sent as something other than plain JSON
"""

from __future__ import annotations


class BriefError(Exception):
    """Root of the service's errors: `status` and `code` are stable, `message` is for people."""

    status = 500
    code = "internal"

    def __init__(self, message: str, field: str | None = None, limit: int | float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.limit = limit


class StartupError(BriefError):
    code = "startup"


class NotReady(BriefError):
    status = 503
    code = "not_ready"


class Unauthorized(BriefError):
    status = 401
    code = "unauthorized"


class Overloaded(BriefError):
    status = 503
    code = "overloaded"


class Cancelled(BriefError):
    status = 503
    code = "cancelled"


class ClientClosed(Cancelled):
    status = 499  # nginx's "client closed request": shows in the access log and metrics, no client reads it
    code = "client_closed"


class RequestTimeout(BriefError):
    status = 504
    code = "timeout"


class GeneratorUnavailable(BriefError):
    status = 502
    code = "generator_unavailable"


class NotFound(BriefError):
    status = 404
    code = "not_found"


class InvalidRequest(BriefError):
    status = 422
    code = "invalid_request"


class LimitExceeded(InvalidRequest):
    status = 413
    code = "limit_exceeded"


class MalformedBody(BriefError):
    status = 400
    code = "malformed_body"


class UnsupportedMediaType(MalformedBody):
    status = 415
    code = "unsupported_media_type"


def field_path(location: tuple[int | str, ...]) -> str:
    """A validation error's location as the request spells it: `("body", "documents", 0, "text")` → `documents[0].text`."""
    path = ""
    for part in location[1:] if location and location[0] == "body" else location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"
