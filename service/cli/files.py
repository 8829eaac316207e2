"""Files on the command line as the API's request: one document per file, errors named for the command line."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import ValidationError

from ..errors import InvalidRequest, MalformedBody, field_path
from ..schemas import BriefRequest, plain_message
from ..settings import Settings

SUFFIXES = (".txt", ".md", ".html", ".htm")


def build_request(paths: tuple[str, ...], settings: Settings, **options: object) -> BriefRequest:
    """The request the API would get for these files, checked as the API checks it.

    One document per file, its id the file name without extension; a folder contributes its text,
    Markdown and HTML files, its subfolders' too, sorted by path. Errors name the file or the option
    (`seeds/a.txt`, `--max-words`), not the request field.
    """
    from ..pipeline import validate

    files = _files(paths)
    try:
        request = BriefRequest(documents=[{"id": f.stem, "text": _read(f)} for f in files],
                               options={k: v for k, v in options.items() if v is not None})
        validate(request, settings)
    except ValidationError as exc:
        field = field_path(tuple(exc.errors()[0]["loc"]))
        raise _named_for_the_command_line(InvalidRequest(f"{field}: {plain_message(exc.errors()[0])}", field),
                                          files) from None
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
