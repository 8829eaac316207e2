"""Request body size capped before parsing: by `Content-Length` at once, else while it streams."""

from __future__ import annotations

from typing import Any

from .handlers import BodyTooLarge, error_response


class BodyLimit:
    """ASGI middleware answering 413 for a body over `limit` bytes."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    def _message(self) -> str:
        return f"body: larger than the limit of {self.limit} bytes (BRIEF_MAX_BODY_BYTES)"

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            response = error_response(413, "limit_exceeded", self._message(), "body", self.limit)
            await response(scope, receive, send)
            return
        seen = 0

        async def counted() -> dict[str, Any]:
            nonlocal seen
            message: dict[str, Any] = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:  # FastAPI lets an HTTPException through from body reading; handlers shape it
                raise BodyTooLarge(self.limit, self._message())
            return message

        await self.app(scope, counted, send)
