"""Command line: `brief summarize PATH...`, `brief extract PATH...`, `brief serve`, and the desk's commands
(`brief add COLLECTION PATH...`, `brief stories COLLECTION`, `service/desk/cli.py`), over the same core as the API.

Errors from the service's tree are turned into a message and an exit code here, and only here:
2 for bad input, 1 for anything else.
"""

from __future__ import annotations

import re
import signal
import sys
from pathlib import Path

import click
from pydantic import ValidationError

from .desk.cli import COMMANDS as DESK_COMMANDS
from .errors import BriefError, InvalidRequest, MalformedBody, field_path
from .schemas import BriefOut, BriefRequest, BriefResponse, ExtractRequest, ExtractResponse, StoryOut
from .settings import Settings, load_settings

SUFFIXES = (".txt", ".md", ".html", ".htm")


def build_request(paths: tuple[str, ...], settings: Settings, **options: object) -> BriefRequest:
    """The request the API would get for these files, checked as the API checks it.

    One document per file, its id the file name without extension; a folder contributes its text,
    Markdown and HTML files, its subfolders' too, sorted by path. Errors name the file or the option
    (`seeds/a.txt`, `--max-words`), not the request field.
    """
    from .pipeline import validate

    files = _files(paths)
    try:
        request = BriefRequest(documents=[{"id": f.stem, "text": _read(f)} for f in files],  # type: ignore[list-item]
                               options={k: v for k, v in options.items() if v is not None})  # type: ignore[arg-type]
        validate(request, settings)
    except ValidationError as exc:
        field = field_path(tuple(exc.errors()[0]["loc"]))
        raise _named_for_the_command_line(InvalidRequest(f"{field}: {exc.errors()[0]['msg']}", field), files) from None
    except InvalidRequest as exc:
        raise _named_for_the_command_line(exc, files) from None
    return request


def _files(paths: tuple[str, ...]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(_articles_in(path))
        elif path.is_file():
            files.append(path)
        else:
            raise InvalidRequest(f"{raw}: no such file or folder", field="PATH")
    if not files:
        raise InvalidRequest(f"no {', '.join(SUFFIXES)} files found in {', '.join(paths)}", field="PATH")
    return files


def _articles_in(folder: Path) -> list[Path]:
    """The folder's text, Markdown and HTML files, in every subfolder too (hidden files and folders, such as
    `.git`, aside), sorted by path."""
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedBody(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start})", field=str(file)) from exc


def _named_for_the_command_line(exc: InvalidRequest, files: list[Path]) -> InvalidRequest:
    """The same error with its request field renamed: `documents[2].text` → the file, `options.x_y` → `--x-y`."""
    field = exc.field or ""
    if match := re.fullmatch(r"documents\[(\d+)\](\.\w+)?", field):
        renamed = ("the name of " if match[2] == ".id" else "") + str(files[int(match[1])])
    elif field.startswith("options."):
        renamed = "--" + field.removeprefix("options.").replace("_", "-")
    else:
        return exc
    return type(exc)(exc.message.replace(field, renamed, 1), renamed, exc.limit)


def render(response: BriefResponse) -> str:
    """A readable brief per story, with numbered citations listed under it."""
    lines: list[str] = []
    for story in response.stories:
        lines += [f"## {story.title}", f"{story.id}: {counted(len(story.document_ids), 'document')}, "
                  f"{counted(story.sources, 'independent source')}: {', '.join(story.document_ids)}",
                  written_by(story.brief), ""]
        numbers: dict[tuple[str, int, int], int] = {}
        for sentence in story.brief.sentences:
            refs = [numbers.setdefault((c.document_id, c.start, c.end), len(numbers) + 1) for c in sentence.citations]
            lines.append(f"{sentence.text} {''.join(f'[{n}]' for n in refs)}")
        lines.append("")
        lines += [f"  [{n}] {doc} chars {start}-{end}" for (doc, start, end), n in numbers.items()]
        lines.append("")
        lines += _sources_differ(story)
    left_out = [d for d in response.documents if d.status == "left_out"]
    if left_out:
        lines.append("Left out:")
        lines += [f"  {d.id}: {d.reason}" for d in left_out]
    return "\n".join(lines).rstrip() + "\n"


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`1 document`, `2 documents`: the count with its noun in the right number."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def written_by(brief: BriefOut) -> str:
    """Which writer wrote the brief (the model named), and whether evidence sentences filled it."""
    writer = f"{brief.writer} writer" + (f" ({brief.model})" if brief.model else "")
    return f"written by the {writer}" + ("; evidence sentences filled what verify removed" if brief.fallback else "")


def _sources_differ(story: StoryOut) -> list[str]:
    """The story's disagreements: each value with the documents and spans that state it."""
    if not story.disagreements:
        return []
    lines = ["Sources differ:"]
    for item in story.disagreements:
        sides = [f"{v.written} ({', '.join(f'{c.document_id} {c.start}-{c.end}' for c in v.citations)})"
                 for v in item.values]
        joiner = " then " if item.status == "update" else " vs "
        lines.append(f"  {item.slot}: {joiner.join(sides)}" + (" (later reports)" if item.status == "update" else ""))
    return lines + [""]


def render_reading(response: ExtractResponse) -> str:
    """Per document: what was found about it, then each paragraph read with its offsets, those that
    briefs use nothing of marked with why."""
    lines: list[str] = []
    for doc in response.documents:
        lines += [f"## {doc.id} ({doc.format}): {doc.title or '(no title)'}",
                  f"source: {doc.source or '-'}  date: {doc.published_at.isoformat() if doc.published_at else '-'}  "
                  f"url: {doc.url or '-'}  language: {doc.language or '-'}"]
        if doc.reason:
            lines.append(f"left out: {doc.reason}")
        if doc.unaligned_characters:
            lines.append(f"not found in the page, left out: {doc.unaligned_characters} characters")
        lines.append("")
        lines += [f"  [{p.start}:{p.end}] {f'(left out: {p.left_out}) ' if p.left_out else ''}{p.text}"
                  for p in doc.paragraphs]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


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
    from .pipeline import Pipeline

    settings = load_settings()
    request = build_request(paths, settings, mode=mode, max_words=max_words)  # bad input fails before models load
    response = Pipeline(settings).run(request)
    click.echo(response.model_dump_json(indent=2) if as_json else render(response), nl=not as_json)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON response (POST /v1/extract).")
def extract(paths: tuple[str, ...], as_json: bool) -> None:
    """Show what is read from each file in PATH: title, date, source, paragraphs with their offsets."""
    from .extraction import extract_documents

    settings = load_settings()
    request = build_request(paths, settings)
    response = extract_documents(ExtractRequest(documents=request.documents), settings)
    click.echo(response.model_dump_json(indent=2) if as_json else render_reading(response), nl=not as_json)


@cli.command()
def prepare() -> None:
    """Load the configured models once (converting and caching the embedded GGUF), then exit."""
    from .pipeline import Pipeline

    pipeline = Pipeline(load_settings())
    click.echo(f"ready: writers {', '.join(pipeline.writers)}; embedding {pipeline.embedder.name}")


@cli.command()
@click.option("--host", default=None, help="Bind address (default: BRIEF_HOST).")
@click.option("--port", type=int, default=None, help="Port (default: BRIEF_PORT, 8000).")
def serve(host: str | None, port: int | None) -> None:
    """Run the HTTP service."""
    import uvicorn

    from .api import create_app
    from .observability import configure_logging

    settings: Settings = load_settings()
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
