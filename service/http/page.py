"""The reading page at `/`: one static HTML page whose scripts call the JSON API.

Article text reaches the page only as data and is written into the DOM as text. The
Content-Security-Policy makes that a rule the browser enforces rather than a habit: scripts come
from this origin's files only (no inline script, no `eval`), and Trusted Types refuse any string
assigned to `innerHTML` or a similar markup sink.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI
from starlette.responses import FileResponse, Response
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import Scope

WEB = Path(__file__).resolve().parent / "web"
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
))
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",  # revalidate, so a new release's scripts are never mixed with old ones
}


class _Assets(StaticFiles):
    """The page's scripts and styles, with the page's security headers."""

    def file_response(self, full_path: PathLike, stat_result: os.stat_result, scope: Scope,
                      status_code: int = 200) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers.update(HEADERS)
        return response


async def index() -> FileResponse:
    """The reading page."""
    return FileResponse(WEB / "index.html", headers=HEADERS)


async def favicon() -> FileResponse:
    """The page's icon, also where browsers look for one unasked (a JSON route opened in a tab)."""
    return FileResponse(WEB / "static" / "favicon.svg", media_type="image/svg+xml", headers=HEADERS)


def install(app: FastAPI) -> None:
    """Serve the page at `/`, its icon and its files under `/static`; none is part of the API schema.
    HEAD answers as GET does, as uptime checks and link previews expect."""
    app.add_api_route("/", index, methods=["GET", "HEAD"], include_in_schema=False)
    app.add_api_route("/favicon.ico", favicon, methods=["GET", "HEAD"], include_in_schema=False)
    app.mount("/static", _Assets(directory=WEB / "static"), name="static")
