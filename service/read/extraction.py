"""What the service reads from each document, for people to check: `brief extract` and `POST /v1/extract`.

Per document: the title, date, source and address it will use (the request's own values win,
as in briefs; otherwise what the page declares), the paragraphs and sentences it read with their
`[start, end)` in the text sent, each paragraph that briefs leave out whole marked with why (page
furniture, look-alike letters, ...), and for an HTML page how many characters of the extractor's
output were not found in the page (left out, never cited).
"""

from __future__ import annotations

import threading
from bisect import bisect_left

from ..errors import Cancelled
from ..schemas import (
    DocumentIn,
    ExtractRequest,
    ExtractResponse,
    ReadDocumentOut,
    ReadParagraphOut,
    ReadSentenceOut,
)
from ..settings import Settings
from .sentences import TRIMMED_LINE
from .text import WHY_LEFT_OUT, Reading, read
from .validation import check_text_read, validate_documents


def extract_documents(request: ExtractRequest, settings: Settings,
                      cancel: threading.Event | None = None) -> ExtractResponse:
    """Read every document as stage 1 of a brief does, and report what was read and where."""
    ids = validate_documents(request.documents, settings)
    readings = []
    for index, (given, doc_id) in enumerate(zip(request.documents, ids)):
        if cancel is not None and cancel.is_set():
            raise Cancelled("stopped reading documents: the request was cancelled")
        readings.append(read(index, doc_id, given.text, settings.language_set, given.title))
    check_text_read([reading.document for reading in readings], settings)
    return ExtractResponse(documents=[_document_out(given, reading) for given, reading in zip(request.documents,
                                                                                               readings)])


def _document_out(given: DocumentIn, reading: Reading) -> ReadDocumentOut:
    document, article = reading.document, reading.article
    meta = document.meta
    return ReadDocumentOut(
        id=document.id, format="html" if document.is_html else "text",
        title=given.title or document.headline or None, source=given.source or meta.site,
        published_at=given.published_at or meta.published_at, url=given.url or meta.url,
        language=document.language, status="left_out" if document.left_out else "read", reason=document.left_out,
        unaligned_characters=article.unaligned if article else 0, paragraphs=_paragraphs(reading),
        sentences=[ReadSentenceOut(text=s.text, start=s.start, end=s.end, kind=s.kind) for s in document.sentences])


def _paragraphs(reading: Reading) -> list[ReadParagraphOut]:
    """The article's paragraphs mapped into the page, or a plain text's non-empty lines, each that
    briefs use no sentence of marked with why."""
    article = reading.article
    if article is None:
        spans = [(line.group(), *line.span()) for line in TRIMMED_LINE.finditer(reading.document.text)]
    else:
        spans = [(article.text[start:end], *article.raw_span(start, end)) for start, end in article.paragraphs]
    read_at = [s.start for s in reading.document.sentences if s.kind != "timestamp"]  # both in text order
    left_out_at = [start for start, _, _ in reading.left_out]
    paragraphs: list[ReadParagraphOut] = []
    for text, start, end in spans:
        why = None
        if bisect_left(read_at, end) == bisect_left(read_at, start):  # no sentence of it is read
            left_out = reading.left_out[bisect_left(left_out_at, start):bisect_left(left_out_at, end)]
            why = ", ".join(dict.fromkeys(WHY_LEFT_OUT[reason] for _, _, reason in left_out)) or None
        paragraphs.append(ReadParagraphOut(text=text, start=start, end=end, left_out=why))
    return paragraphs
