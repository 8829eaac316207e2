"""What a request body must be before FastAPI parses it: JSON, uncompressed, in UTF-8.

FastAPI answers anything else with a vague 400 or 422; this route class says what was expected
and what came, naming the header or the byte.
"""

from __future__ import annotations

import email.message
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.datastructures import Headers

from ..errors import MalformedBody, UnsupportedMediaType

GZIP_SIGNATURE = b"\x1f\x8b"


class JsonBody(APIRoute):
    """A route whose body is checked by `check_body` before it is parsed."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        parse_and_handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            check_body(request.headers, await request.body())  # read once: FastAPI reuses the bytes
            return await parse_and_handle(request)

        return handler


def check_body(headers: Headers, body: bytes) -> None:
    """Raise `UnsupportedMediaType` or `MalformedBody` unless `body` is uncompressed UTF-8 sent as JSON."""
    if not body:
        return  # FastAPI reports the missing body as a missing field
    header = headers.get("content-type")
    if header is None:
        raise UnsupportedMediaType("Content-Type: missing; expected application/json", field="Content-Type")
    parsed = email.message.Message()
    parsed["content-type"] = header
    media_type = parsed.get_content_type()
    if media_type != "application/json" and not (media_type.startswith("application/") and media_type.endswith("+json")):
        raise UnsupportedMediaType(f"Content-Type: expected application/json, got {media_type}", field="Content-Type")
    charset = parsed.get_content_charset()
    if charset not in (None, "utf-8", "utf8"):
        raise UnsupportedMediaType(f"Content-Type: charset {charset}; expected UTF-8", field="Content-Type")
    coding = headers.get("content-encoding", "identity").strip().lower()
    if coding not in ("", "identity"):
        raise UnsupportedMediaType(f"Content-Encoding: {coding}; expected an uncompressed body", field="Content-Encoding")
    if body.startswith(GZIP_SIGNATURE):
        raise MalformedBody("body: starts with the gzip signature (1f 8b); expected uncompressed JSON in UTF-8", field="body")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedBody(f"body: not UTF-8 at byte {exc.start} ({body[exc.start]:#04x}: {exc.reason}"
                            f"{_likely_encoding(body, exc.start)}); expected JSON encoded as UTF-8", field="body") from None


def _likely_encoding(body: bytes, offset: int) -> str:
    """What the body was most likely encoded in, for the client to act on."""
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "; looks like UTF-16, from its byte-order mark"
    if b"\xed\xa0" <= body[offset:offset + 2] <= b"\xed\xbf":
        return "; looks like a UTF-16 surrogate encoded as UTF-8 (CESU-8)"
    return "; looks like latin-1 or Windows-1252 text" if body[offset] >= 0x80 else ""
