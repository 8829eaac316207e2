"""The one core under the API and the CLI: documents in, attributed briefs out.

    normalize → near-duplicates → stories → evidence → writer → verify → response
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

import numpy as np

from .brief import evidence
from .brief.disagreements import WindowEncoders, compare_claims, variants
from .brief.verify import Verifier
from .brief.writers import Writer, build_writers
from .errors import Cancelled, InvalidRequest, LimitExceeded
from .group import engine, stories
from .group.events import LEAD_SENTENCES, SameEventModel
from .read.batch import article_of, prepare_all
from .read.validation import check_text_read, validate_documents
from .response import document_statuses, story_out
from .runtime.embed import Embedder, StaticEmbedder
from .runtime.nlp import Parser
from .runtime.threads import thread_count, use_threads
from .schemas import BriefRequest, BriefResponse, EffectiveSettings, ModelInfo, StoryOut
from .settings import Settings
from .types import Article, Document, Story

EVIDENCE_POOL = 3  # evidence gathered per story, as a multiple of the word budget
SENTENCES_PER_DOCUMENT = 40  # body sentences of one article considered as evidence


class Timer(dict[str, float]):
    """Milliseconds per stage; cancelled work stops when a stage starts and at each `check` inside one."""

    def __init__(self, cancel: threading.Event) -> None:
        super().__init__()
        self.cancel = cancel
        self.current = ""

    def check(self) -> None:
        if self.cancel.is_set():
            raise Cancelled(f"stopped in stage {self.current or 'start'}: the request was cancelled")

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        self.current = name
        self.check()
        start = time.perf_counter()
        yield
        self[name] = self.get(name, 0.0) + round((time.perf_counter() - start) * 1000, 2)


def validate(request: BriefRequest, settings: Settings) -> list[str]:
    """Check the request against the configured limits; return each document's id."""
    ids = validate_documents(request.documents, settings)
    timeout = request.options.timeout_s
    if timeout is not None and timeout > settings.max_request_timeout:
        raise LimitExceeded(f"options.timeout_s: {timeout}, limit is {settings.max_request_timeout} "
                            "(BRIEF_MAX_REQUEST_TIMEOUT)",
                            field="options.timeout_s", limit=settings.max_request_timeout)
    max_words = request.options.max_words
    if max_words is not None and max_words > settings.max_words_limit:
        raise LimitExceeded(f"options.max_words: {max_words}, limit is {settings.max_words_limit} "
                            "(BRIEF_MAX_WORDS_LIMIT)",
                            field="options.max_words", limit=settings.max_words_limit)
    return ids


@dataclass(frozen=True)
class Grouping:
    """What stages 1-3 found: every document, and the stories of those that take part."""

    documents: list[Document]
    stories: list[Story]


_LOADING = threading.Lock()  # transformers' from_pretrained is not safe to run in two threads at once


class Pipeline:
    """Loads the models once; `run` answers one request."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.threads = thread_count(settings.threads, settings.max_concurrency)
        use_threads(self.threads)
        with _LOADING:
            self.embedder = embedder or Embedder(settings.embedding_model, dtype=settings.embedding_dtype)
            self.static = StaticEmbedder(settings.embedding_model, settings.cache_dir)
            self.parser = Parser()  # loaded on first use: an extractive brief never parses
            self.writers = build_writers(settings, self.parser)
        self.same_event = stories.SameEventScorer(SameEventModel.load(), self.static)
        self.verifier = Verifier(self.embedder, settings.verify_threshold, self.parser)

    def health(self) -> str | None:
        """Why the model writer cannot serve now (its generation endpoint is down), or None."""
        model = self.writers.get("model")
        return model.health() if model is not None and hasattr(model, "health") else None

    def writer_for(self, mode: str) -> Writer:
        """The engine a mode resolves to; `auto` prefers a loaded model."""
        if mode == "auto":
            return self.writers.get("model", self.writers["extractive"])
        if mode not in self.writers:
            raise InvalidRequest(f"options.mode: '{mode}' needs a generative model and none is loaded "
                                 "(setting BRIEF_MODEL)", field="options.mode")
        return self.writers[mode]

    def effective(self, request: BriefRequest) -> EffectiveSettings:
        """The request's options, each falling back to its setting; the story threshold to the calibrated one."""
        opts, settings = request.options, self.settings
        return EffectiveSettings(
            max_words=opts.max_words or settings.max_words, mode=opts.mode or settings.mode,
            duplicate_threshold=opts.duplicate_threshold or settings.duplicate_threshold,
            rewrite_threshold=opts.rewrite_threshold or settings.rewrite_threshold,
            story_threshold=opts.story_threshold or settings.story_threshold or self.same_event.model.threshold)

    def run(self, request: BriefRequest, cancel: threading.Event | None = None) -> BriefResponse:
        """Return the briefs for one request; every input document appears in the response.

        Setting `cancel` from another thread stops the work within the stage it is in.
        """
        use_threads(self.threads)  # once per thread: OpenMP counts threads per calling thread
        timer = Timer(cancel or threading.Event())
        start = time.perf_counter()
        ids = validate(request, self.settings)
        effective = self.effective(request)
        writer = self.writer_for(effective.mode)
        grouped = self.group(request, ids, effective, timer)
        stories_out = [self.story_brief(n, story, writer, effective.max_words, timer)
                       for n, story in enumerate(grouped.stories, start=1)]
        timer["total"] = round((time.perf_counter() - start) * 1000, 2)
        return BriefResponse(stories=stories_out, documents=document_statuses(grouped.documents, grouped.stories,
                                                                              stories_out),
                             settings=effective, model=ModelInfo(writer=writer.name, embedding=self.embedder.name,
                                                                 generator=writer.model, prompt=writer.prompt),
                             timings_ms=dict(timer))

    def group(self, request: BriefRequest, ids: list[str], effective: EffectiveSettings, timer: Timer) -> Grouping:
        """Stages 1-3: normalize, embed documents, near-duplicates and stories."""
        docs, articles = self.read(request, ids, timer)
        found = engine.group(articles, self.static, self.same_event, effective.duplicate_threshold,
                             effective.rewrite_threshold, effective.story_threshold, timer.stage)
        return Grouping(docs, found)

    def read(self, request: BriefRequest, ids: list[str], timer: Timer) -> tuple[list[Document], list[Article]]:
        """Stage 1 and document vectors: every document, and an `Article` for each that takes part."""
        with timer.stage("normalize"):
            prepared = prepare_all([(i, ids[i], d.text, self.settings.language_set, d.title)
                                    for i, d in enumerate(request.documents)])
            docs = [doc for doc, _ in prepared]
            check_text_read(docs, self.settings)
        with timer.stage("embed"):
            articles = [article_of(doc, fingerprint, request.documents[doc.index]) for doc, fingerprint in prepared
                        if doc.left_out is None]
            vectors = self.static.encode([" ".join(a.lead(LEAD_SENTENCES)) for a in articles])
            articles = [replace(article, vector=vector) for article, vector in zip(articles, vectors)]
        return docs, articles

    def window_encoders(self, check: Callable[[], None] = lambda: None) -> WindowEncoders:
        """The encoders the disagreements stage reads the words around values with: the sentence model, which stops
        at `check` like the rest of a brief, and the static vectors."""
        return WindowEncoders(lambda texts: self.embedder.encode(texts, check), self.static.encode)

    def story_brief(self, number: int, story: Story, writer: Writer, max_words: int, timer: Timer) -> StoryOut:
        """Stages 4-6 for one story. Evidence comes from each group's representative: copies add no
        information, and counting groups (not copies) is what corroboration means."""
        with timer.stage("evidence"):
            candidates = evidence.candidates(story, SENTENCES_PER_DOCUMENT)
            texts = [c.sentence.text for c in candidates]
            vectors = self.embedder.encode(texts, timer.check)
            word_vectors = evidence.WordVectors(self.static, texts)
            ranked = evidence.rank_evidence(candidates, vectors, EVIDENCE_POOL * max_words, word_vectors)
        with timer.stage("disagreements"):
            differing, group_of = variants(story.groups, SENTENCES_PER_DOCUMENT)
            if differing:
                vectors = np.vstack([vectors, self.embedder.encode([s.text for s in differing], timer.check)])
            published = {a.index: a.published_at for a in story.articles if a.published_at}
            claims = compare_claims([c.sentence for c in candidates] + differing, vectors,
                                    self.window_encoders(timer.check),
                                    lambda texts: self.parser.parse(texts, timer.cancel), published, group_of)
            ranked, told = claims.for_brief(ranked)
        with timer.stage("writer"):
            draft = writer.write(ranked, max_words, timer.cancel)
        with timer.stage("verify"):
            verified = self.verifier.verify(draft, ranked, max_words, word_vectors, told.one_sided)
        return story_out(number, story, verified, writer, draft.tokens, claims)

