"""What changed in a story since one of its brief versions (or since a time).

New sources are the duplicate groups the current version rests on that the earlier one did not
(by representative). New sentences are those of the current brief whose text the earlier brief
lacks, and their new facts the numbers, dates and names they state that the earlier brief did not.
A sentence of the earlier brief is contradicted when a sentence of a new source states another
value for the same slot: one rule for the brief and the desk, the disagreements stage's
(`disagreements.compare_claims`), with the earlier brief as one source and each new source as
another.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, load_only

from ..brief.disagreements import compare_claims
from ..errors import InvalidRequest, NotFound
from ..pipeline import Pipeline
from ..schemas import BriefOut, CitationOut, DuplicateGroupOut
from ..types import Sentence
from ..values.facts import facts_of, names_as_written
from . import models, records
from .index import ARTICLE_COLUMNS
from .lineage import public_id
from .schemas import ChangesOut, ContradictionOut, FactsOut

EARLIER = -1  # the document number the earlier brief's sentences stand under, as one source


def version_since(session: Session, story: models.Story, since: str) -> models.BriefVersion | None:
    """The version `since` names: a number (0: before the first brief), or a time (the latest version by then)."""
    query = select(models.BriefVersion).where(models.BriefVersion.story_id == story.id)
    if since.isascii() and since.isdigit():
        version = int(since)
        if version == 0:
            return None
        # past the story's latest, no version: not looked up (SQLite's integers stop at 64 bits)
        found = session.scalar(query.where(models.BriefVersion.version == version)) if version <= story.version else None
    else:
        try:
            at = records.stored_time(datetime.fromisoformat(since.replace("Z", "+00:00")))
        except ValueError:
            raise InvalidRequest(f"since: {since!r} is neither a version number nor an ISO 8601 time",
                                 field="since") from None
        found = session.scalar(query.where(models.BriefVersion.created_at <= at)
                               .order_by(models.BriefVersion.version.desc()).limit(1))
        if found is None:
            return None
    if found is None:
        kept = session.scalars(query.with_only_columns(models.BriefVersion.version)
                               .order_by(models.BriefVersion.version)).all()
        raise NotFound(f"since: story {public_id(story.number)} has no brief version {since} (versions kept: "
                       f"{', '.join(map(str, kept)) or 'none yet'})", field="since")
    return found


def changes(session: Session, pipeline: Pipeline, story: models.Story, earlier: models.BriefVersion | None,
            ) -> ChangesOut:
    current = session.scalar(select(models.BriefVersion).where(models.BriefVersion.story_id == story.id,
                                                               models.BriefVersion.version == story.version))
    now_sources = [DuplicateGroupOut.model_validate(s) for s in (current.sources if current else [])]
    before = {s["representative"] for s in (earlier.sources if earlier else [])}
    new_sources = [s for s in now_sources if s.representative not in before]
    now_brief = BriefOut.model_validate(current.brief) if current else None
    old_brief = BriefOut.model_validate(earlier.brief) if earlier else None
    old_texts = [s.text for s in old_brief.sentences] if old_brief else []
    new_sentences = [s for s in now_brief.sentences if s.text not in set(old_texts)] if now_brief else []
    new_texts = [s.text for s in new_sentences]
    old_facts, added = facts_of(old_texts), facts_of(new_texts)
    facts = FactsOut(numbers=sorted(added.numbers - old_facts.numbers), dates=sorted(added.dates - old_facts.dates),
                     names=sorted(names_as_written(new_texts, added.names - old_facts.names)))
    contradicted = _contradicted(session, pipeline, story, old_brief, new_sources) if old_brief else []
    return ChangesOut(since_version=earlier.version if earlier else 0,
                      since=records.shown_time(earlier.created_at) if earlier else None, new_sources=new_sources,
                      new_sentences=new_sentences, new_facts=facts, contradicted=contradicted)


def _contradicted(session: Session, pipeline: Pipeline, story: models.Story, old: BriefOut,
                  new_sources: list[DuplicateGroupOut]) -> list[ContradictionOut]:
    """The earlier brief's sentences that a new source's sentence gives another value for, each with those."""
    reps = session.scalars(select(models.Document).where(models.Document.collection_id == story.collection_id,
                                                         models.Document.doc_id.in_([s.representative for s in new_sources]))
                           .options(load_only(*ARTICLE_COLUMNS)))
    sentences = [(row.doc_id, s) for row in reps if row.sentences for s in records.article(row).body]
    if not sentences or not old.sentences:
        return []
    numbers = {doc_id: n for n, doc_id in enumerate(dict.fromkeys(doc_id for doc_id, _ in sentences))}
    compared = [Sentence(EARLIER, n, s.text, 0, len(s.text), "body") for n, s in enumerate(old.sentences)] + [
        replace(s, doc=numbers[doc_id]) for doc_id, s in sentences]
    claims = compare_claims(compared, pipeline.embedder.encode([s.text for s in compared]), pipeline.window_encoders(),
                            pipeline.parser.parse)
    doc_ids = {n: doc_id for doc_id, n in numbers.items()}
    by: dict[int, dict[tuple[str, int, int], None]] = defaultdict(dict)  # earlier sentence -> new ones, in order
    for slot in claims.disagreements:
        for side in slot.values:
            others = [m.sentence for other in slot.values if other is not side for m in other.mentions
                      if m.sentence.doc != EARLIER]
            for mention in (m for m in side.mentions if m.sentence.doc == EARLIER):
                by[mention.sentence.index].update(dict.fromkeys((doc_ids[s.doc], s.start, s.end) for s in others))
    return [ContradictionOut(sentence=old.sentences[n], contradicted_by=[
        CitationOut(document_id=doc_id, start=start, end=end) for doc_id, start, end in cited])
        for n, cited in sorted(by.items()) if cited]
