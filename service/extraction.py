"""What the service reads from each document, for people to check: `brief extract` and `POST /v1/extract`.

Per document: the title, date, source and address it will use (the request's own values win,
as in briefs; otherwise what the page declares), the paragraphs and sentences it read with their
`[start, end)` in the text sent, and for an HTML page how many characters of the extractor's
output were not found in the page (left out, never cited).
"""

from __future__ import annotations

import threading

from .article import Article
from .errors import Cancelled
from .schemas import DocumentIn, ExtractRequest, ExtractResponse, ReadDocumentOut, ReadSentenceOut, SpanOut
from .sentences import TRIMMED_LINE
from .settings import Settings
from .text import read
from .types import Document
from .validation import check_text_read, validate_documents


def extract_documents(request: ExtractRequest, settings: Settings,
                      cancel: threading.Event | None = None) -> ExtractResponse:
    """Read every document as stage 1 of a brief does, and report what was read and where."""
    ids = validate_documents(request.documents, settings)
    readings = []
    for index, (given, doc_id) in enumerate(zip(request.documents, ids)):
        if cancel is not None and cancel.is_set():
            raise Cancelled("stopped reading documents: the request was cancelled")
        readings.append(read(index, doc_id, given.text, settings.language_set))
    check_text_read([document for document, _ in readings], settings)
    return ExtractResponse(documents=[_document_out(given, document, article) for given, (document, article)
                                      in zip(request.documents, readings)])


def _document_out(given: DocumentIn, document: Document, article: Article | None) -> ReadDocumentOut:
    meta = document.meta
    return ReadDocumentOut(
        id=document.id, format="html" if document.is_html else "text",
        title=given.title or document.headline or None, source=given.source or meta.site,
        published_at=given.published_at or meta.published_at, url=given.url or meta.url,
        language=document.language, status="left_out" if document.left_out else "read", reason=document.left_out,
        unaligned_characters=article.unaligned if article else 0, paragraphs=_paragraphs(document, article),
        sentences=[ReadSentenceOut(text=s.text, start=s.start, end=s.end, kind=s.kind) for s in document.sentences])


def _paragraphs(document: Document, article: Article | None) -> list[SpanOut]:
    """The article's paragraphs mapped into the page, or a plain text's non-empty lines."""
    if article is None:
        return [SpanOut(text=line.group(), start=line.start(), end=line.end())
                for line in TRIMMED_LINE.finditer(document.text)]
    spans = [(article.text[start:end], *article.raw_span(start, end)) for start, end in article.paragraphs]
    return [SpanOut(text=text, start=start, end=end) for text, start, end in spans]
