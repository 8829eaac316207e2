"""The one core under the API and the CLI: documents in, attributed briefs out.

    normalize → near-duplicates → stories → evidence → writer → verify → response
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import numpy as np

from . import dedup, evidence, stories
from .claims import compare_claims
from .claims_out import disagreements_out, facts_out
from .batch import prepare_all
from .embed import Embedder, StaticEmbedder
from .errors import Cancelled, InvalidRequest, LimitExceeded
from .facts import Facts, facts_of
from .schemas import (BriefOut, BriefRequest, BriefResponse, CitationOut, DocumentOut, DuplicateGroupOut,
                      EffectiveSettings, ModelInfo, RejectedOut, SentenceOut, StoryOut)
from .settings import Settings
from .types import BriefSentence, Document, Story
from .verify import Verified, Verifier
from .writers import Writer, build_writers

EVIDENCE_POOL = 3  # evidence gathered per story, as a multiple of the word budget
SENTENCES_PER_DOCUMENT = 40  # body sentences of one article considered as evidence


class Timer(dict[str, float]):
    """Milliseconds per stage; entering a stage is where cancelled work stops."""

    def __init__(self, cancel: threading.Event) -> None:
        super().__init__()
        self.cancel = cancel

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.cancel.is_set():
            raise Cancelled(f"stopped before stage {name}: the request was cancelled")
        start = time.perf_counter()
        yield
        self[name] = self.get(name, 0.0) + round((time.perf_counter() - start) * 1000, 2)


def validate(request: BriefRequest, settings: Settings) -> list[str]:
    """Check the request against the configured limits; return each document's id."""
    docs = request.documents
    if not docs:
        raise InvalidRequest("documents: at least one document is required", field="documents")
    if len(docs) > settings.max_documents:
        raise LimitExceeded(f"documents: {len(docs)} documents, limit is {settings.max_documents}",
                            field="documents", limit=settings.max_documents)
    total = 0
    for i, doc in enumerate(docs):
        if not doc.text.strip():
            raise InvalidRequest(f"documents[{i}].text: empty or whitespace only", field=f"documents[{i}].text")
        if len(doc.text) > settings.max_document_chars:
            raise LimitExceeded(f"documents[{i}].text: {len(doc.text)} characters, limit is "
                                f"{settings.max_document_chars}", field=f"documents[{i}].text",
                                limit=settings.max_document_chars)
        total += len(doc.text)
    if total > settings.max_total_chars:
        raise LimitExceeded(f"documents: {total} characters in all, limit is {settings.max_total_chars}",
                            field="documents", limit=settings.max_total_chars)
    timeout = request.options.timeout_s
    if timeout is not None and timeout > settings.max_request_timeout:
        raise LimitExceeded(f"options.timeout_s: {timeout}, limit is {settings.max_request_timeout}",
                            field="options.timeout_s", limit=settings.max_request_timeout)
    max_words = request.options.max_words
    if max_words is not None and max_words > settings.max_words_limit:
        raise LimitExceeded(f"options.max_words: {max_words}, limit is {settings.max_words_limit}",
                            field="options.max_words", limit=settings.max_words_limit)
    given = {doc.id for doc in docs if doc.id is not None}
    ids, seen = [], set()
    for i, doc in enumerate(docs):
        doc_id = doc.id or _generated_id(i, given)
        if doc_id in seen:
            raise InvalidRequest(f"documents[{i}].id: duplicate id {doc_id!r}", field=f"documents[{i}].id")
        seen.add(doc_id)
        ids.append(doc_id)
    return ids


def effective_settings(request: BriefRequest, settings: Settings) -> EffectiveSettings:
    """The request's options, each falling back to its setting."""
    opts = request.options
    return EffectiveSettings(
        max_words=opts.max_words or settings.max_words, mode=opts.mode or settings.mode,
        duplicate_threshold=opts.duplicate_threshold or settings.duplicate_threshold,
        rewrite_threshold=opts.rewrite_threshold or settings.rewrite_threshold,
        story_threshold=opts.story_threshold or settings.story_threshold)


def _generated_id(index: int, taken: set[str]) -> str:
    candidate, suffix = f"doc-{index + 1}", 0
    while candidate in taken:
        suffix += 1
        candidate = f"doc-{index + 1}-{suffix}"
    return candidate


@dataclass(frozen=True)
class Grouping:
    """What stages 1-3 found: every document, the kept ones, and the stories."""

    documents: list[Document]
    kept: list[Document]
    position: dict[int, int]  # document index -> position in `kept`
    stories: list[Story]


_LOADING = threading.Lock()  # transformers' from_pretrained is not safe to run in two threads at once


class Pipeline:
    """Loads the models once; `run` answers one request."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        with _LOADING:
            self.embedder = embedder or Embedder(settings.embedding_model, dtype=settings.embedding_dtype)
            self.static = StaticEmbedder(settings.embedding_model, settings.cache_dir)
            self.writers = build_writers(settings)
        self.verifier = Verifier(self.embedder, settings.verify_threshold)

    def writer_for(self, mode: str) -> Writer:
        """The engine a mode resolves to; `auto` prefers a loaded model."""
        if mode == "auto":
            return self.writers.get("model", self.writers["extractive"])
        if mode not in self.writers:
            raise InvalidRequest(f"options.mode: '{mode}' needs a generative model and none is loaded "
                                 "(setting BRIEF_MODEL)", field="options.mode")
        return self.writers[mode]

    def run(self, request: BriefRequest, cancel: threading.Event | None = None) -> BriefResponse:
        """Return the briefs for one request; every input document appears in the response.

        Setting `cancel` from another thread stops the work at the next stage or generated token.
        """
        timer = Timer(cancel or threading.Event())
        start = time.perf_counter()
        ids = validate(request, self.settings)
        effective = effective_settings(request, self.settings)
        writer = self.writer_for(effective.mode)
        grouped = self.group(request, ids, effective, timer)
        docs, kept, position = grouped.documents, grouped.kept, grouped.position
        headlines = {d.index: request.documents[d.index].title or d.headline for d in kept}
        published = {i: d.published_at for i, d in enumerate(request.documents) if d.published_at is not None}
        story_out = [self._story(n, story, docs, headlines, kept, position, writer, effective.max_words, timer,
                                 published)
                     for n, story in enumerate(grouped.stories, start=1)]
        timer["total"] = round((time.perf_counter() - start) * 1000, 2)
        return BriefResponse(stories=story_out, documents=_document_statuses(docs, story_out),
                             settings=effective, model=ModelInfo(writer=writer.name, embedding=self.embedder.name,
                                             generator=writer.model, prompt=writer.prompt),
                             timings_ms=dict(timer))

    def group(self, request: BriefRequest, ids: list[str], effective: EffectiveSettings, timer: Timer) -> Grouping:
        """Stages 1-3: normalize, embed documents, near-duplicates and stories."""
        with timer.stage("normalize"):
            prepared = prepare_all([(i, ids[i], d.text, self.settings.language_set)
                                     for i, d in enumerate(request.documents)])
            docs = [doc for doc, _ in prepared]
            kept = [d for d in docs if d.left_out is None]
            fingerprints = [prepared[d.index][1] for d in kept]
            titles = [request.documents[d.index].title or "" for d in kept]
        with timer.stage("embed"):
            vectors = self.static.encode([_identity(d, title) for d, title in zip(kept, titles)])
        with timer.stage("near_duplicates"):
            @cache
            def sentence_vectors(k: int) -> np.ndarray:
                return self.static.encode([s.text for s in kept[k].body])

            groups = dedup.group_duplicates(kept, fingerprints, vectors, sentence_vectors,
                                            effective.duplicate_threshold, effective.rewrite_threshold)
        with timer.stage("stories"):
            position = {d.index: k for k, d in enumerate(kept)}
            reps = [position[g.representative] for g in groups]
            @cache
            def facts_of_group(g: int) -> tuple[Facts, Facts]:
                doc, title = kept[reps[g]], titles[reps[g]]
                return (facts_of([s.text for s in doc.sentences] + [title]),
                        facts_of([title, doc.headline] + [s.text for s in doc.body[:stories.LEAD_SENTENCES]]))

            found = stories.group_stories(groups, vectors[reps], facts_of_group, effective.story_threshold)
        return Grouping(docs, kept, position, found)

    def _story(self, number: int, story: Story, docs: list[Document], headlines: dict[int, str], kept: list[Document],
               position: dict[int, int], writer: Writer, max_words: int, timer: Timer,
               published: dict[int, datetime]) -> StoryOut:
        with timer.stage("evidence"):
            group_of = {m: g.representative for g in story.groups for m in g.members}
            candidates = []
            for index in story.documents:
                k = position[index]
                body = kept[k].body[:SENTENCES_PER_DOCUMENT]
                for n, sentence in enumerate(body):
                    candidates.append(evidence.Candidate(sentence, group_of[index], n / max(len(kept[k].body), 1)))
            vectors = self.embedder.encode([c.sentence.text for c in candidates])
            ranked = evidence.rank_evidence(candidates, vectors, EVIDENCE_POOL * max_words)
        with timer.stage("claims"):
            claims = compare_claims(candidates, vectors, published)
            ranked = claims.settled(ranked)
        with timer.stage("writer"):
            draft = writer.write(ranked, max_words, timer.cancel)
        with timer.stage("verify"):
            verified = self.verifier.verify(draft, ranked, max_words, claims.one_sided)
        ids = {d.index: d.id for d in docs}
        return StoryOut(
            id=f"story-{number}",
            title=_title(story, docs, headlines),
            document_ids=[ids[i] for i in story.documents],
            sources=len(story.groups),
            duplicate_groups=[DuplicateGroupOut(representative=ids[g.representative], members=[ids[m] for m in g.members],
                                                similarity=g.similarity) for g in story.groups],
            brief=_brief_out(verified, writer, draft.tokens, ids),
            facts=facts_out(claims, ids), disagreements=disagreements_out(claims, ids))


def _identity(doc: Document, title: str) -> str:
    """What a document is about, for its vector: headline and lead (the static model reads the first tokens)."""
    return " ".join([title, doc.headline, *(s.text for s in doc.body[:stories.LEAD_SENTENCES])])


def _title(story: Story, docs: list[Document], headlines: dict[int, str]) -> str:
    """The headline of the largest group's representative, else of any member, else its lead sentence."""
    groups = sorted(story.groups, key=lambda g: -len(g.members))
    members = [g.representative for g in groups] + [m for g in groups for m in g.members]
    return next((headlines[m] for m in members if headlines[m]), docs[members[0]].body[0].text)


def _brief_out(verified: Verified, writer: Writer, tokens: int, ids: dict[int, str]) -> BriefOut:
    return BriefOut(text=" ".join(s.text for s in verified.sentences), writer=writer.name, model=writer.model,
                    prompt=writer.prompt, generated_tokens=tokens,
                    fallback=verified.fallback, sentences=[_sentence_out(s, ids) for s in verified.sentences],
                    rejected=[RejectedOut(text=r.text, reason=r.reason, replaced_by=r.replaced_by)
                              for r in verified.rejected])


def _sentence_out(sentence: BriefSentence, ids: dict[int, str]) -> SentenceOut:
    return SentenceOut(text=sentence.text, sources=sentence.sources, support=round(sentence.support, 4),
                       citations=[CitationOut(document_id=ids[c.doc], start=c.start, end=c.end)
                                  for c in sentence.citations])


def _document_statuses(docs: list[Document], story_out: list[StoryOut]) -> list[DocumentOut]:
    story_of = {doc_id: s.id for s in story_out for doc_id in s.document_ids}
    group_of = {m: g.representative for s in story_out for g in s.duplicate_groups for m in g.members}
    return [DocumentOut(id=d.id, status="in_story" if d.id in story_of else "left_out", story_id=story_of.get(d.id),
                        duplicate_group=group_of.get(d.id), reason=d.left_out, language=d.language) for d in docs]
