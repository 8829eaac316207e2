"""What a batch writes: its stories and every document's fate, with the API's fields, part by part.

Stories are numbered as a request numbers them (largest first) and written in parts of consecutive
numbers; documents in parts that follow the input partitions, in input order. A part is written at
once or not at all, so a rerun skips the parts already there. Briefs are written by a pool of Ray
actors, each owning one loaded `Pipeline`; an actor that dies is started again by Ray and its
stories are given to it again.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import ray
from pydantic_core import to_jsonable_python

from ..response import story_fields
from ..schemas import DocumentOut
from ..settings import Settings
from ..types import Article, DuplicateGroup, Link, Story
from .corpus import Corpus, tables_articles

STORIES_PER_PART = 50
DOCUMENTS_PER_PART = 2000  # a part holds at most this many documents (unless one story has more): a task's memory
NESTED = ("duplicate_groups", "brief", "facts", "disagreements")  # kept as JSON text in a Parquet part


@dataclass(frozen=True)
class StoryRecord:
    """A story as stage 3 found it: its groups (representative, members, similarity) in the response's
    order, and each group's strongest link into the story (the linked representative and the score)."""

    number: int
    groups: list[tuple[int, list[int], float]]
    links: list[tuple[int, float] | None]

    def keys(self) -> list[int]:
        return [key for _, members, _ in self.groups for key in members]

    def story(self, articles: dict[int, Article]) -> Story:
        groups = tuple(DuplicateGroup(articles[rep], tuple(articles[k] for k in members), similarity)
                       for rep, members, similarity in self.groups)
        links = tuple(Link(articles[link[0]], link[1]) if link is not None else None for link in self.links)
        return Story(groups, links)


def story_parts(records: list[StoryRecord]) -> list[list[StoryRecord]]:
    """Consecutive stories in parts of at most `STORIES_PER_PART` stories and `DOCUMENTS_PER_PART` documents."""
    parts: list[list[StoryRecord]] = []
    held = 0
    for record in records:
        size = len(record.keys())
        if not parts or len(parts[-1]) >= STORIES_PER_PART or held + size > DOCUMENTS_PER_PART:
            parts.append([])
            held = 0
        parts[-1].append(record)
        held += size
    return parts


class Output:
    """The output folder: `stories/` and `documents/`, each a sequence of numbered JSONL or Parquet parts."""

    def __init__(self, folder: Path, kind: str) -> None:
        self.folder = folder
        self.kind = kind

    def path(self, what: str, part: int) -> Path:
        return self.folder / what / f"part-{part:05d}.{self.kind}"

    def done(self, what: str, part: int) -> bool:
        return self.path(what, part).exists()

    def write(self, what: str, part: int, rows: list[dict[str, Any]]) -> None:
        path = self.path(what, part)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.partial")
        if self.kind == "jsonl":
            partial.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        else:
            flat = [{k: json.dumps(v, ensure_ascii=False) if k in NESTED else v for k, v in r.items()} for r in rows]
            pq.write_table(pa.Table.from_pylist(flat, schema=_schema(what, flat)), partial)
        os.replace(partial, path)

    def rows(self, what: str) -> Iterator[dict[str, Any]]:
        """Every row written, part after part (nested fields of a Parquet part read back from their JSON)."""
        for path in sorted((self.folder / what).glob(f"part-*.{self.kind}")):
            if self.kind == "jsonl":
                yield from (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines())
            else:
                for r in pq.read_table(path).to_pylist():
                    yield {k: json.loads(v) if k in NESTED and v is not None else v for k, v in r.items()}


def _schema(what: str, rows: list[dict[str, Any]]) -> pa.Schema:
    """Every part of one kind has the same columns, whatever its rows hold (an empty list, no date)."""
    if what == "documents":
        return pa.schema([(name, pa.string()) if name != "join_score" else (name, pa.float64())
                          for name in DocumentOut.model_fields])
    names = list(dict.fromkeys(k for r in rows for k in r))
    types = {"sources": pa.int64(), "cohesion": pa.float64(), "document_ids": pa.list_(pa.string()),
             "outlets": pa.list_(pa.string())}
    return pa.schema([(name, types.get(name, pa.string())) for name in names])


def story_row(record: StoryRecord, articles: dict[int, Article]) -> dict[str, Any]:
    """A story without its brief: the API's story fields but `brief`, `facts` and `disagreements`."""
    fields: dict[str, Any] = to_jsonable_python(story_fields(record.number, record.story(articles)))
    return fields


class BriefWriter:
    """One actor of the brief pool: a loaded `Pipeline` that writes the briefs of the stories it is given."""

    def __init__(self, settings: Settings, mode: str, max_words: int | None) -> None:
        from ..pipeline import Pipeline

        self.pipeline = Pipeline(settings)
        self.writer = self.pipeline.writer_for(mode)
        self.max_words = max_words or settings.max_words

    def pid(self) -> int:
        return os.getpid()

    def write(self, records: list[StoryRecord], *tables: pa.Table) -> list[dict[str, Any]]:
        """Each story with its brief, as the API writes it; a story whose brief fails keeps its other
        fields, `brief` null and the reason in `brief_error`. `tables` hold its documents' rows."""
        from ..pipeline import Timer

        articles = tables_articles(tables)
        rows = []
        for record in records:
            try:
                out = self.pipeline.story_brief(record.number, record.story(articles), self.writer, self.max_words,
                                                Timer(threading.Event()))
                rows.append(out.model_dump(mode="json"))
            except Exception as exc:  # one story's failure is its own: the others are written
                failed = {"brief": None, "brief_error": f"{type(exc).__name__}: {exc}"}
                rows.append(story_row(record, articles) | failed)
        return rows


@ray.remote
def stories_without_briefs(records: list[StoryRecord], *tables: pa.Table) -> list[dict[str, Any]]:
    articles = tables_articles(tables)
    return [story_row(record, articles) for record in records]


@dataclass(frozen=True)
class Placement:
    """Where stage 3 put each document (arrays over all keys): its story's number (0 for none), its
    group's representative, the document its join goes through and the join's score."""

    story: np.ndarray
    representative: np.ndarray
    via: np.ndarray
    score: np.ndarray
    ids: dict[int, str]  # the id of every representative


@ray.remote
def document_rows(corpus: Corpus, partition: int, placement: Placement,
                  reasons: dict[int, str]) -> list[dict[str, Any]]:
    """Every document of a partition, in input order, as the API reports it (`response.document_statuses`)."""
    table = corpus.read(partition, ["key", "id", "reason", "language"])
    rows = []
    for key, doc_id, reason, language in zip(*(table[c].to_pylist() for c in ("key", "id", "reason", "language"))):
        reason = reasons.get(key, reason)
        number = int(placement.story[key]) if reason is None else 0
        score = float(placement.score[key])
        rows.append(DocumentOut(
            id=doc_id, status="in_story" if number else "left_out", story_id=f"story-{number}" if number else None,
            duplicate_group=placement.ids[int(placement.representative[key])] if number else None,
            joined_via=placement.ids[int(placement.via[key])] if number and placement.via[key] >= 0 else None,
            join_score=None if not number or math.isnan(score) else score, reason=reason, language=language,
        ).model_dump(mode="json"))
    return rows
