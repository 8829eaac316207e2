"""What changed in a story since one of its brief versions (or since a time).

New sources are the duplicate groups the current version rests on that the earlier one did not
(by representative). New sentences are those of the current brief whose text the earlier brief
lacks, and their new facts the numbers, dates and names they state that the earlier brief did not.
A sentence of the earlier brief is contradicted when a sentence of a new source is close to it
(MiniLM cosine) and states other figures for the same claim (`evidence.contradicts`). Other
figures lower the cosine of two tellings of one claim, so the bar is below evidence's support
bar: the shared content words and the counted thing are what tie the two to one claim.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, load_only

from ..brief.evidence import contradicts
from ..errors import InvalidRequest, NotFound
from ..runtime.embed import Embedder
from ..schemas import BriefOut, CitationOut, DuplicateGroupOut
from ..values.facts import facts_of, names_as_written
from . import models, records
from .index import ARTICLE_COLUMNS
from .lineage import public_id
from .schemas import ChangesOut, ContradictionOut, FactsOut

SAME_CLAIM_COSINE = 0.6  # evidence's support bar is 0.7; "37 handed over" and "26 transferred" of one claim: 0.65


def version_since(session: Session, story: models.Story, since: str) -> models.BriefVersion | None:
    """The version `since` names: a number (0: before the first brief), or a time (the latest version by then)."""
    query = select(models.BriefVersion).where(models.BriefVersion.story_id == story.id)
    if since.isdigit():
        if int(since) == 0:
            return None
        found = session.scalar(query.where(models.BriefVersion.version == int(since)))
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


def changes(session: Session, embedder: Embedder, story: models.Story, earlier: models.BriefVersion | None) -> ChangesOut:
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
    contradicted = _contradicted(session, embedder, story, old_brief, new_sources) if old_brief else []
    return ChangesOut(since_version=earlier.version if earlier else 0,
                      since=records.shown_time(earlier.created_at) if earlier else None, new_sources=new_sources,
                      new_sentences=new_sentences, new_facts=facts, contradicted=contradicted)


def _contradicted(session: Session, embedder: Embedder, story: models.Story, old: BriefOut,
                  new_sources: list[DuplicateGroupOut]) -> list[ContradictionOut]:
    reps = session.scalars(select(models.Document).where(models.Document.collection_id == story.collection_id,
                                                         models.Document.doc_id.in_([s.representative for s in new_sources]))
                           .options(load_only(*ARTICLE_COLUMNS)))
    sentences = [(row.doc_id, s) for row in reps if row.sentences for s in records.article(row).body]
    if not sentences or not old.sentences:
        return []
    vectors = embedder.encode([s.text for s in old.sentences] + [s.text for _, s in sentences])
    similarity = vectors[:len(old.sentences)] @ vectors[len(old.sentences):].T
    out = []
    for n, sentence in enumerate(old.sentences):
        close = np.flatnonzero(similarity[n] >= SAME_CLAIM_COSINE).tolist()
        by = [CitationOut(document_id=sentences[k][0], start=sentences[k][1].start, end=sentences[k][1].end)
              for k in close if contradicts(sentence.text, sentences[k][1].text)]
        if by:
            out.append(ContradictionOut(sentence=sentence, contradicted_by=by))
    return out
