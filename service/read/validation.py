"""Size and shape rules for the documents of a request, checked before any work and once read.

A plain text is limited in characters (`BRIEF_MAX_DOCUMENT_CHARS`). An HTML page is mostly markup,
scripts and styles, so it is limited in bytes (`BRIEF_MAX_HTML_BYTES`, several MB, as real pages
are), and the article text read from it is limited in characters like plain text, once read. Every
error names the field, the limit and the setting.
"""

from __future__ import annotations

from ..errors import InvalidRequest, LimitExceeded
from ..schemas import DocumentIn
from ..settings import Settings
from ..types import Document
from .html import looks_like_html


def validate_documents(docs: list[DocumentIn], settings: Settings) -> list[str]:
    """Check the documents against the size limits (an HTML page's text is checked once read, by
    `check_text_read`); return each document's id."""
    if not docs:
        raise InvalidRequest("documents: at least one document is required", field="documents")
    if len(docs) > settings.max_documents:
        raise LimitExceeded(f"documents: {len(docs)} documents, limit is {settings.max_documents} "
                            "(BRIEF_MAX_DOCUMENTS)",
                            field="documents", limit=settings.max_documents)
    total = 0
    for i, doc in enumerate(docs):
        if not doc.text.strip():
            raise InvalidRequest(f"documents[{i}].text: empty or whitespace only", field=f"documents[{i}].text")
        total += _plain_characters(f"documents[{i}].text", doc.text, settings)
    if total > settings.max_total_chars:
        raise LimitExceeded(f"documents: {total} characters of text in all, limit is {settings.max_total_chars} "
                            "(BRIEF_MAX_TOTAL_CHARS)", field="documents", limit=settings.max_total_chars)
    given = {doc.id for doc in docs if doc.id is not None}
    ids, seen = [], set()
    for i, doc in enumerate(docs):
        doc_id = doc.id or _generated_id(i, given)
        if doc_id in seen:
            raise InvalidRequest(f"documents[{i}].id: duplicate id {doc_id!r}", field=f"documents[{i}].id")
        seen.add(doc_id)
        ids.append(doc_id)
    return ids


def _plain_characters(field: str, text: str, settings: Settings) -> int:
    """Raise when `text` is over its size limit: UTF-8 bytes for an HTML page, characters for plain
    text. Return the characters it adds to the request's total (an HTML page's count once read)."""
    if looks_like_html(text):
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > settings.max_html_bytes:
            raise LimitExceeded(f"{field}: HTML page of {size} bytes, limit is {settings.max_html_bytes} bytes "
                                "(BRIEF_MAX_HTML_BYTES)", field=field, limit=settings.max_html_bytes)
        return 0
    if len(text) > settings.max_document_chars:
        raise LimitExceeded(f"{field}: {len(text)} characters, limit is {settings.max_document_chars} "
                            "(BRIEF_MAX_DOCUMENT_CHARS)", field=field, limit=settings.max_document_chars)
    return len(text)


def check_text_read(documents: list[Document], settings: Settings) -> None:
    """After stage 1: the article text read from each HTML page, and all text, within the character limits."""
    total = 0
    for doc in documents:
        characters = sum(len(s.text) for s in doc.sentences) if doc.is_html else len(doc.text)
        field = f"documents[{doc.index}].text"
        if doc.is_html and characters > settings.max_document_chars:
            raise LimitExceeded(f"{field}: {characters} characters of article text read from the HTML page, limit "
                                f"is {settings.max_document_chars} (BRIEF_MAX_DOCUMENT_CHARS)", field=field,
                                limit=settings.max_document_chars)
        total += characters
    if total > settings.max_total_chars:
        raise LimitExceeded(f"documents: {total} characters of text in all (article text for HTML pages), limit "
                            f"is {settings.max_total_chars} (BRIEF_MAX_TOTAL_CHARS)", field="documents",
                            limit=settings.max_total_chars)


def _generated_id(index: int, taken: set[str]) -> str:
    candidate, suffix = f"doc-{index + 1}", 0
    while candidate in taken:
        suffix += 1
        candidate = f"doc-{index + 1}-{suffix}"
    return candidate
