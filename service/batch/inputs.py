"""A batch's input: JSONL or Parquet files, or folders of them, cut into partitions in input order.

One document a line (JSONL) or a row (Parquet), with the API's fields: `id`, `text`, and optionally
`title`, `url`, `source`, `published_at`; other fields or columns are ignored. A line that is not a
JSON object, or a document the API would refuse, is not dropped: it is carried to the output with
the reason. A partition is a run of consecutive documents of one file, so the key of each document
(its place in the whole input) is known before any is read, and a rerun finds the same partitions.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import ValidationError

from ..errors import InvalidRequest, field_path
from ..schemas import DocumentIn, plain_message

FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
FIELDS = ("id", "text", "title", "url", "source", "published_at")


@dataclass(frozen=True)
class Partition:
    number: int
    file: str
    format: str  # jsonl or parquet
    first_key: int  # the key of its first document
    count: int  # documents in it
    start: int  # its first document's line (JSONL, from 0) or row (Parquet) in the file
    offset: int  # JSONL: the byte offset of that line
    blanks: tuple[int, ...] = ()  # JSONL: for each blank line among its documents, how many documents come before it

    def place(self, key: int) -> str:
        """Where a document of this partition is in the input, for a reason to name it: its line as an editor
        numbers it, blank lines counted."""
        n = key - self.first_key
        line = self.start + n + bisect.bisect_right(self.blanks, n)
        return f"{self.file}: {'line' if self.format == 'jsonl' else 'row'} {line + 1}"

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Partition:
        fields = json.loads(text)
        return cls(**fields | {"blanks": tuple(fields["blanks"])})


@dataclass(frozen=True)
class Entry:
    """One input document: what was sent, or why it cannot be read as a document."""

    key: int
    id: str
    document: DocumentIn | None
    reason: str | None
    place: str

    @property
    def given(self) -> DocumentIn:
        assert self.document is not None
        return self.document

    @property
    def text(self) -> str:
        return self.given.text


def input_files(paths: tuple[str, ...]) -> list[Path]:
    """The files named, and the JSONL and Parquet files in the folders named (subfolders too, hidden ones
    aside), each folder's sorted by path."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix.lower() in FORMATS and p.is_file()
                            and not any(part.startswith(".") for part in p.relative_to(path).parts))
        elif path.is_file():
            if path.suffix.lower() not in FORMATS:
                raise InvalidRequest(f"{raw}: not a JSONL or Parquet file (expected {', '.join(FORMATS)})",
                                     field="INPUT")
            files.append(path)
        else:
            raise InvalidRequest(f"{raw}: no such file or folder", field="INPUT")
    if not files:
        raise InvalidRequest(f"no {', '.join(FORMATS)} files found in {', '.join(paths)}", field="INPUT")
    return files


def partitions(files: list[Path], size: int) -> list[Partition]:
    """The input cut into partitions of at most `size` documents, no partition across two files."""
    found: list[Partition] = []
    key = 0
    for file in files:
        kind = FORMATS[file.suffix.lower()]
        starts = _jsonl_starts(file, size) if kind == "jsonl" else _parquet_starts(file, size)
        for start, offset, count, blanks in starts:
            found.append(Partition(len(found), str(file), kind, key, count, start, offset, blanks))
            key += count
    return found


def _jsonl_starts(file: Path, size: int) -> list[tuple[int, int, int, tuple[int, ...]]]:
    """(first line, its byte offset, documents, `Partition.blanks`) of each run of `size` non-blank lines.

    JSON Lines are UTF-8: a file in UTF-16 or UTF-32 (a byte-order mark, or a quarter of its first 4 kB NUL bytes)
    is refused whole, since read line by line it would give wrong documents, not only bad ones."""
    firsts: list[tuple[int, int]] = []  # each run's first line and its byte offset
    counts: list[int] = []
    blanks: list[list[int]] = []
    with file.open("rb") as handle:
        head = handle.read(4096)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or 4 * head.count(b"\x00") >= len(head) > 0:
            raise InvalidRequest(f"{file}: not UTF-8 (it reads as UTF-16 or UTF-32); JSON Lines must be UTF-8",
                                 field="INPUT")
        handle.seek(0)
        offset = 0
        for line, raw in enumerate(handle):
            if raw.strip():
                if not counts or counts[-1] == size:
                    firsts.append((line, offset))
                    counts.append(0)
                    blanks.append([])
                counts[-1] += 1
            elif counts and counts[-1] < size:
                blanks[-1].append(counts[-1])  # before the run's next document, if it has one
            offset += len(raw)
    return [(first, at, count, tuple(b for b in before if b < count))
            for (first, at), count, before in zip(firsts, counts, blanks)]


def _parquet_starts(file: Path, size: int) -> list[tuple[int, int, int, tuple[int, ...]]]:
    try:
        rows = pq.ParquetFile(file).metadata.num_rows
    except pa.ArrowInvalid as exc:
        raise InvalidRequest(f"{file}: not a Parquet file ({exc})", field="INPUT") from exc
    return [(start, 0, min(size, rows - start), ()) for start in range(0, rows, size)]


def read(partition: Partition) -> Iterator[Entry]:
    """The partition's documents, in order, each with its key."""
    records = _jsonl_records(partition) if partition.format == "jsonl" else _parquet_records(partition)
    for n, (record, problem) in enumerate(records):
        key = partition.first_key + n
        yield _entry(key, record, problem, partition.place(key))


def generated_id(key: int) -> str:
    """The id of a document given none (as a request numbers them), or of a line that is no document."""
    return f"doc-{key + 1}"


def _entry(key: int, record: dict[str, Any] | None, problem: str | None, place: str) -> Entry:
    given_id = record.get("id") if record is not None else None
    doc_id = given_id if isinstance(given_id, str) and given_id else generated_id(key)
    if record is None:
        return Entry(key, doc_id, None, f"{place}: {problem}", place)
    try:
        return Entry(key, doc_id, DocumentIn.model_validate({k: v for k, v in record.items() if k in FIELDS}), None,
                     place)
    except ValidationError as exc:
        error = exc.errors()[0]
        return Entry(key, doc_id, None, f"{place}: {field_path(tuple(error['loc']))}: {plain_message(error)}", place)


def _jsonl_records(partition: Partition) -> Iterator[tuple[dict[str, Any] | None, str | None]]:
    with open(partition.file, "rb") as handle:
        handle.seek(partition.offset)
        read = 0
        while read < partition.count:
            raw = handle.readline()
            if not raw.strip():
                continue
            read += 1
            try:
                record = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                yield None, f"not a JSON line ({exc})"
                continue
            yield (record, None) if isinstance(record, dict) else (None, "not a JSON object")


def _parquet_records(partition: Partition) -> Iterator[tuple[dict[str, Any] | None, str | None]]:
    """The partition's rows, reading only the row groups that hold them."""
    source = pq.ParquetFile(partition.file)
    columns = [name for name in source.schema_arrow.names if name in FIELDS]
    groups: list[int] = []
    first, row = 0, 0
    for n in range(source.metadata.num_row_groups):
        rows = source.metadata.row_group(n).num_rows
        if row + rows > partition.start and row < partition.start + partition.count:
            first = first if groups else row
            groups.append(n)
        row += rows
    table = source.read_row_groups(groups, columns=columns).slice(partition.start - first, partition.count)
    for record in table.to_pylist():
        yield {k: v for k, v in record.items() if v is not None}, None
