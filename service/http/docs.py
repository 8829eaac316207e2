"""The API's documentation pages, `/docs` (Swagger UI) and `/redoc`, with nothing fetched from another site.

fastapi-offline serves both pages' scripts from its own package, but ReDoc's script still draws its
"API docs by Redocly" link with a logo from cdn.redoc.ly, which an offline machine cannot reach and
a browser reports as a failed request. So `/redoc` is served here, its script with that address
replaced by an empty inline image.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html
from starlette.responses import HTMLResponse, Response

ASSETS = "/static-offline-docs"  # where fastapi-offline serves the pages' scripts, styles and icon
_REDOC_SCRIPT = Path(fastapi_offline.__file__).parent / "static" / "redoc.standalone.js"
_CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
_NO_LOGO = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='0' height='0'/%3E"


@lru_cache(maxsize=1)
def _redoc_script() -> bytes:
    return _REDOC_SCRIPT.read_text(encoding="utf-8").replace(_CDN_LOGO, _NO_LOGO).encode("utf-8")


async def redoc_script() -> Response:
    """ReDoc's script, its logo inline."""
    return Response(_redoc_script(), media_type="text/javascript; charset=utf-8")


async def redoc(request: Request) -> HTMLResponse:
    """The ReDoc page, as fastapi-offline writes it, on the script above."""
    root = request.scope.get("root_path", "")
    return get_redoc_html(openapi_url=f"{root}{request.app.openapi_url}", title=f"{request.app.title} - ReDoc",
                          redoc_js_url=f"{root}/redoc/redoc.standalone.js",
                          redoc_favicon_url=f"{root}{ASSETS}/favicon.png", with_google_fonts=False)


def install(app: FastAPI) -> None:
    """Serve `/redoc` and its script; the app is made with `redoc_url=None`, so this is the only ReDoc page."""
    app.add_api_route("/redoc", redoc, methods=["GET"], include_in_schema=False)
    app.add_api_route("/redoc/redoc.standalone.js", redoc_script, methods=["GET"], include_in_schema=False)
