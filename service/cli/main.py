"""Command line: `brief summarize PATH...`, `brief extract PATH...`, `brief serve`, and the desk's commands
(`brief add COLLECTION PATH...`, `brief stories COLLECTION`, `service/cli/desk.py`), over the same core as the API.

Errors from the service's tree are turned into a message and an exit code here, and only here:
2 for bad input, 1 for anything else.
"""

from __future__ import annotations

import signal
import sys

import click

from ..errors import BriefError
from ..schemas import ExtractRequest
from ..settings import load_settings
from .desk import COMMANDS as DESK_COMMANDS
from .files import build_request
from .render import render, render_reading


@click.group()
def cli() -> None:
    """Multi-document news briefs with sentence-level attribution."""


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON response.")
@click.option("--mode", type=click.Choice(["extractive", "model", "auto"]), default=None,
              help="Writer engine (default: BRIEF_MODE).")
@click.option("--max-words", type=int, default=None, help="Brief length per story (default: BRIEF_MAX_WORDS).")
def summarize(paths: tuple[str, ...], as_json: bool, mode: str | None, max_words: int | None) -> None:
    """Brief the articles in PATH (files, or folders of .txt/.md/.html files, subfolders included)."""
    from ..pipeline import Pipeline

    settings = load_settings()
    request = build_request(paths, settings, mode=mode, max_words=max_words)  # bad input fails before models load
    response = Pipeline(settings).run(request)
    click.echo(response.model_dump_json(indent=2) if as_json else render(response), nl=not as_json)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON response (POST /v1/extract).")
def extract(paths: tuple[str, ...], as_json: bool) -> None:
    """Show what is read from each file in PATH: title, date, source, paragraphs with their offsets."""
    from ..read.extraction import extract_documents

    settings = load_settings()
    request = build_request(paths, settings)
    response = extract_documents(ExtractRequest(documents=request.documents), settings)
    click.echo(response.model_dump_json(indent=2) if as_json else render_reading(response), nl=not as_json)


@cli.command()
def prepare() -> None:
    """Load the configured models once (converting and caching the embedded GGUF), then exit."""
    from ..pipeline import Pipeline

    pipeline = Pipeline(load_settings())
    click.echo(f"ready: writers {', '.join(pipeline.writers)}; embedding {pipeline.embedder.name}")


@cli.command()
@click.option("--host", default=None, help="Bind address (default: BRIEF_HOST).")
@click.option("--port", type=int, default=None, help="Port (default: BRIEF_PORT, 8000).")
def serve(host: str | None, port: int | None) -> None:
    """Run the HTTP service."""
    import uvicorn

    from ..http.app import create_app
    from ..http.observability import configure_logging

    settings = load_settings()
    configure_logging(settings.log_level)
    # uvicorn drains in-flight requests on SIGTERM, then re-raises the signal: that second delivery
    # lands here and ends the process with status 0, as orchestrators expect of a clean stop.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port, log_config=None,
                access_log=False, timeout_graceful_shutdown=int(settings.shutdown_grace))


for _command in DESK_COMMANDS:
    cli.add_command(_command)


def main() -> None:
    """Entry point of the `brief` console script."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except BriefError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(2 if exc.status < 500 else 1)
