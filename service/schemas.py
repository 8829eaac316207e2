"""The HTTP and JSON contract: request and response models shared by the API and `brief summarize --json`."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Mode = Literal["extractive", "model", "auto"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DocumentIn(_Strict):
    id: str | None = Field(None, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$",
                           description="Unique id; generated (doc-1, doc-2, …) when absent.")
    text: str = Field(description="Article text or an HTML page; citations are offsets into this string.")
    title: str | None = Field(None, max_length=1000)
    url: str | None = Field(None, max_length=4000)
    source: str | None = Field(None, max_length=200)
    published_at: datetime | None = None


class Options(_Strict):
    max_words: int | None = Field(None, ge=10, description="Brief length budget per story, in words.")
    mode: Mode | None = Field(None, description="Writer: extractive, model, or auto.")
    duplicate_threshold: float | None = Field(None, gt=0, le=1, description="Shingle containment for copies.")
    rewrite_threshold: float | None = Field(None, gt=0, le=1, description="Aligned-sentence share for rewrites.")
    story_threshold: float | None = Field(None, gt=0, le=1.5, description="Same-event score to join a story.")
    timeout_s: float | None = Field(None, gt=0, description="Time limit for this request (up to BRIEF_MAX_REQUEST_TIMEOUT).")


class BriefRequest(_Strict):
    documents: list[DocumentIn] = Field(min_length=1)
    options: Options = Options()


class CitationOut(BaseModel):
    document_id: str
    start: int = Field(description="Offset of the first character in the document's original text.")
    end: int = Field(description="Offset one past the last character.")


class SentenceOut(BaseModel):
    text: str
    sources: int = Field(description="Independent sources (duplicate groups) that corroborate the sentence.")
    support: float = Field(description="How closely the cited evidence supports the sentence, 0 to 1.")
    citations: list[CitationOut]


class RejectedOut(BaseModel):
    text: str = Field(description="The generated sentence that verify removed.")
    reason: str
    replaced_by: str | None = Field(description="The evidence sentence put in its place, if any.")


class BriefOut(BaseModel):
    text: str
    sentences: list[SentenceOut]
    writer: str
    model: str | None = Field(None, description="Generative model that wrote the draft (model writer only).")
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
    sources: int = Field(description="Independent sources (duplicate groups) that state this value.")
    document_ids: list[str]
    published_at: datetime | None = Field(None, description="Earliest publication among these sources, when given.")
    citations: list[CitationOut] = Field(description="The sentences that state the value.")


class FactOut(StatedOut):
    kind: ValueKind
    slot: str = Field(description="What the value counts or dates, in the words of its first source.")


class DisagreementOut(BaseModel):
    kind: ValueKind
    slot: str = Field(description="What the values count or date, in the words of the first source.")
    status: Literal["conflict", "update"] = Field(
        description="conflict: sources state values that cannot all be true; update: publication dates order the "
                    "values in time (a toll rising in later reports), oldest first.")
    values: list[StatedOut] = Field(description="Each value with the sources that state it; for a conflict the most "
                                                "widely stated first, for an update the oldest first.")

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "kind": "count", "slot": "cartel members to", "status": "conflict", "values": [
            {"value": "37", "written": "37", "sources": 2, "document_ids": ["wire", "daily"], "published_at": None,
             "citations": [{"document_id": "wire", "start": 0, "end": 84},
                           {"document_id": "daily", "start": 120, "end": 201}]},
            {"value": "36", "written": "thirty-six", "sources": 1, "document_ids": ["local"], "published_at": None,
             "citations": [{"document_id": "local", "start": 0, "end": 77}]}]}]})


class StoryOut(BaseModel):
    id: str
    title: str
    document_ids: list[str]
    sources: int
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
