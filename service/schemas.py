"""The HTTP and JSON contract: request and response models shared by the API and `brief summarize --json`."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

Mode = Literal["extractive", "model", "auto"]
_SECONDS = re.compile(r"[+-]?\d+(?:\.\d*)?")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # a pair decodes to one code point, so any left is lone


def _replace_lone_surrogates(value: str) -> str:
    """U+FFFD for each lone surrogate (a `\\ud800` JSON escape): one code point for one, so offsets hold."""
    return _LONE_SURROGATE.sub("\ufffd", value)


def _iso_8601(value: object) -> object:
    """A time written as ISO 8601, as documented: pydantic would also read a number, or a string of digits ("-1",
    "2026"), as seconds since 1970."""
    if isinstance(value, (int, float)) or isinstance(value, str) and _SECONDS.fullmatch(value.strip()):
        raise ValueError("must be an ISO 8601 time such as 2026-12-07T10:00:00Z, not a number")
    return value


def _utc_unless_zoned(value: datetime | None) -> datetime | None:
    """A time without a zone is UTC, as a page's own date is: times of one story compare and sort together."""
    return value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None else value


# A request's string: JSON can escape lone surrogates, which are not text and which no UTF-8 encoder
# (blingfire's, the response's) accepts.
Text = Annotated[str, AfterValidator(_replace_lone_surrogates)]
# A number is a JSON number: not a string of digits, not true or false, not NaN.
WholeNumber = Annotated[int, Field(strict=True)]
FiniteNumber = Annotated[float, Field(strict=True, allow_inf_nan=False)]
NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f\x7f]+$"
# what a pattern asks, in words: a refused value is told the rule, not the regular expression
_PATTERN_RULES = {NO_CONTROL_CHARACTERS: "no control characters (line breaks, tabs, NUL)"}


def plain_message(error: Mapping[str, Any]) -> str:
    """A validation error's message in the words of the request: characters for a text's length (pydantic counts
    "items" of an annotated string), the rule of a pattern rather than the pattern itself."""
    context, kind = error.get("ctx") or {}, error.get("type")
    if kind in ("too_short", "too_long") and isinstance(error.get("input"), str):
        bound, limit = ("at least", context["min_length"]) if kind == "too_short" else \
            ("at most", context["max_length"])
        return f"{bound} {limit} character{'s' * (limit != 1)}, not {context['actual_length']}"
    if kind == "string_pattern_mismatch" and context.get("pattern") in _PATTERN_RULES:
        return f"must have {_PATTERN_RULES[context['pattern']]}"
    return str(error.get("msg", ""))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DocumentIn(_Strict):
    id: Text | None = Field(None, min_length=1, max_length=200, pattern=NO_CONTROL_CHARACTERS,
                           description="Unique id; generated (doc-1, doc-2, …) when absent.")
    text: Text = Field(description="Article text or an HTML page; citations are offsets into this string. A lone "
                            "surrogate (a `\\ud800` escape with no pair) becomes U+FFFD, which keeps every offset.")
    title: Text | None = Field(None, max_length=1000)
    url: Text | None = Field(None, max_length=4000)
    source: Text | None = Field(None, max_length=200)
    published_at: Annotated[datetime | None, BeforeValidator(_iso_8601), AfterValidator(_utc_unless_zoned)] = Field(
        None, description="ISO 8601; a time without a zone is UTC.")


class Options(_Strict):
    max_words: WholeNumber | None = Field(None, ge=10, description="Brief length budget per story, in words.")
    mode: Mode | None = Field(None, description="Writer: extractive, model, or auto.")
    duplicate_threshold: FiniteNumber | None = Field(None, gt=0, le=1, description="Shingle containment for copies.")
    rewrite_threshold: FiniteNumber | None = Field(None, gt=0, le=1,
                                                   description="Aligned-sentence share for rewrites.")
    story_threshold: FiniteNumber | None = Field(None, gt=0, lt=1, description="Same-event probability at which "
                                                 "documents join one story (default: the calibrated "
                                                 "BRIEF_STORY_THRESHOLD).")
    timeout_s: FiniteNumber | None = Field(None, gt=0, description="Time limit for this request (up to "
                                           "BRIEF_MAX_REQUEST_TIMEOUT).")


class BriefRequest(_Strict):
    documents: list[DocumentIn] = Field(min_length=1)
    options: Options = Options()


class CitationOut(BaseModel):
    document_id: str
    start: int = Field(description="Offset of the first character in the document's original text.")
    end: int = Field(description="Offset one past the last character.")
    url: str | None = Field(None, description="The document's address: the request's `url`, else the page's own.")


class SentenceOut(BaseModel):
    text: str
    sources: int = Field(description="Independent sources (duplicate groups) that corroborate the sentence.")
    support: float = Field(description="How closely the cited evidence supports the sentence, 0 to 1.")
    origin: Literal["copied", "fused", "compressed", "resolved", "generated"] = Field(
        "copied", description="copied: an evidence sentence as written; fused: the model merged `merged` sentences of "
        "different sources that report one claim; compressed: the model shortened one evidence sentence to its main "
        "fact by deleting words; resolved: an evidence sentence whose opening pronoun the model replaced by the name "
        "it stands for, from the sentences before it in its article; generated: written by the model from all the "
        "evidence.")
    merged: int = Field(1, description="Sentences the model merged into this one (1 for a copied sentence).")
    citations: list[CitationOut]


class RejectedOut(BaseModel):
    text: str = Field(description="The generated sentence that verify removed.")
    reason: str
    replaced_by: str | None = Field(description="The evidence sentence put in its place, if any.")


class BriefOut(BaseModel):
    text: str
    sentences: list[SentenceOut]
    writer: str = Field(description="The writer of what the brief says: `model` when the model wrote at least one of "
                        "its sentences, else `extractive` (every sentence copied from the articles).")
    written: int = Field(0, description="Sentences of the brief the model wrote (fused or generated) and verify kept.")
    model: str | None = Field(None, description="Generative model asked to write the draft (model mode only), whether "
                              "or not any of its sentences were kept: see `written`.")
    prompt: str | None = Field(None, description="Prompt template name and version.")
    generated_tokens: int = Field(0, description="Tokens the model generated for this brief.")
    fallback: bool = Field(False, description="True when evidence sentences filled a brief that verify left short.")
    rejected: list[RejectedOut] = []


class DuplicateGroupOut(BaseModel):
    representative: str
    members: list[str]
    similarity: float


ValueKind = Literal["count", "ordinal", "money", "percent", "age", "date"]


class StatedOut(BaseModel):
    value: str = Field(description="Normalised value: digits for numbers (\"thirty-seven\" and \"37\" are 37, "
                                   "\"$2.5 million\" is 2500000), ISO dates (partial when the text is: 2005-03, "
                                   "03-11), or a weekday when no publication date resolves it.")
    written: str = Field(description="The value as the first of its sources writes it.")
    currency: str | None = Field(None, description="ISO 4217 code of an amount of money (a bare \"$\" is USD).")
    sources: int = Field(description="Independent sources (duplicate groups) that state this value.")
    document_ids: list[str]
    published_at: datetime | None = Field(None, description="Earliest publication among these sources, when given.")
    citations: list[CitationOut] = Field(description="The sentences that state the value.")


class FactOut(StatedOut):
    kind: ValueKind
    slot: str = Field(description="What the value counts or dates, for a reader: \"number of cartel members\" (the "
                                   "words after the value in its first source), \"age of Robert Buckley\", \"date\"; "
                                   "the kind alone (\"number\") when the source names nothing after the value.")


class DisagreementOut(BaseModel):
    kind: ValueKind
    slot: str = Field(description="What the values count or date, for a reader, as in `FactOut.slot`.")
    status: Literal["conflict", "update"] = Field(
        description="conflict: sources state values that cannot all be true; update: publication dates order the "
                    "values in time (a toll rising in later reports), oldest first.")
    values: list[StatedOut] = Field(description="Each value with the sources that state it; for a conflict the most "
                                                "widely stated first, for an update the oldest first.")
    rates: str | None = Field(None, description="The exchange-rate table the amounts were compared at, when they are "
                                                "in different currencies (amounts no rate converts are never compared).")

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "kind": "count", "slot": "number of cartel members", "status": "conflict", "values": [
            {"value": "37", "written": "37", "sources": 2, "document_ids": ["wire", "daily"], "published_at": None,
             "citations": [{"document_id": "wire", "start": 0, "end": 84},
                           {"document_id": "daily", "start": 120, "end": 201}]},
            {"value": "36", "written": "thirty-six", "sources": 1, "document_ids": ["local"], "published_at": None,
             "citations": [{"document_id": "local", "start": 0, "end": 77}]}]}]})


class StoryOut(BaseModel):
    id: str
    title: str
    document_ids: list[str]
    sources: int = Field(description="Independent sources: duplicate groups, so copies of one report count once.")
    outlets: list[str] = Field(description="Distinct outlets among the documents: the request's `source`, else the "
                                           "page's site name, else the host of its URL.")
    published_from: datetime | None = Field(None, description="Earliest `published_at` (or page date) in the story.")
    published_to: datetime | None = Field(None, description="Latest `published_at` (or page date) in the story.")
    cohesion: float | None = Field(description="The weakest same-event link holding the story together (each group's "
                                               "strongest link to another, the least of those); null for one group. "
                                               "Compare with `settings.story_threshold`.")
    duplicate_groups: list[DuplicateGroupOut]
    brief: BriefOut
    facts: list[FactOut] = Field([], description="Key values the story's sources agree on (two or more sources).")
    disagreements: list[DisagreementOut] = Field(
        [], description="Slots the sources fill with different values; briefs state neither side as settled.")


class DocumentOut(BaseModel):
    id: str
    status: Literal["in_story", "left_out"]
    story_id: str | None
    duplicate_group: str | None = Field(description="Representative id of the document's duplicate group.")
    joined_via: str | None = Field(None, description="Why the document is in its story: for a copy or rewrite, its "
                                                     "group's representative; for a representative, the document of "
                                                     "the story it is most strongly linked to; null when alone.")
    join_score: float | None = Field(None, description="That link's score: copy or rewrite similarity, or "
                                                       "same-event probability.")
    reason: str | None
    language: str | None


class ModelInfo(BaseModel):
    writer: str
    embedding: str
    generator: str | None = None
    prompt: str | None = None


class EffectiveSettings(BaseModel):
    max_words: int
    mode: Mode
    duplicate_threshold: float
    rewrite_threshold: float
    story_threshold: float


class BriefResponse(BaseModel):
    stories: list[StoryOut]
    documents: list[DocumentOut]
    settings: EffectiveSettings
    model: ModelInfo
    timings_ms: dict[str, float]


class ExtractRequest(_Strict):
    documents: list[DocumentIn] = Field(min_length=1)


class SpanOut(BaseModel):
    text: str = Field(description="The text read (for HTML: tags stripped, entities unescaped, spaces collapsed).")
    start: int = Field(description="Offset of the first character in the document's original text.")
    end: int = Field(description="Offset one past the last character.")


class ReadParagraphOut(SpanOut):
    left_out: str | None = Field(None, description="Why briefs use no sentence of this paragraph (page furniture, "
                                                   "look-alike letters, ...); null when they use one.")


class ReadSentenceOut(SpanOut):
    kind: Literal["title", "heading", "body", "timestamp"] = Field(
        description="Only body sentences are evidence for briefs; a timestamp line only dates the text.")


class ReadDocumentOut(BaseModel):
    id: str
    format: Literal["html", "text"]
    title: str | None = Field(description="The request's title, else the page's declared title, else the first "
                                          "line that reads as a title: what briefs use.")
    source: str | None = Field(description="The request's source, else the site name the page declares.")
    published_at: datetime | None = Field(description="The request's date, else the page's publication date.")
    url: str | None = Field(description="The request's url, else the page's canonical address.")
    language: str | None
    status: Literal["read", "left_out"]
    reason: str | None = Field(description="Why the document would be left out of every story.")
    unaligned_characters: int = Field(description="Characters of the extractor's output not found in the page: "
                                                  "left out, never cited.")
    paragraphs: list[ReadParagraphOut]
    sentences: list[ReadSentenceOut] = Field(description="The sentences read: a sentence left out (page furniture, "
                                                         "look-alike letters, ...) is not among them.")


class ExtractResponse(BaseModel):
    documents: list[ReadDocumentOut]


class ErrorDetail(BaseModel):
    field: str | None
    message: str


class ErrorBody(BaseModel):
    status: int
    code: str
    message: str
    field: str | None = None
    limit: float | None = None
    errors: list[ErrorDetail] = []


class ErrorResponse(BaseModel):
    error: ErrorBody
