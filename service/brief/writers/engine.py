"""Generation engines behind the model writer, and the one owner each loaded model has.

An engine turns chat messages into text: transformers (any local model, CPU or GPU), llama.cpp
(a GGUF file on CPU, the default there) or an OpenAI-compatible endpoint. Tokenizers and native
contexts are not safe to share between threads, so every call to a loaded engine runs on its
owner (`service/runtime/owner.py`).
"""

from __future__ import annotations

import threading
from typing import Protocol

from ...runtime.owner import Owner

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": ...}


class Engine(Protocol):
    name: str  # the model's name as the response reports it
    architecture: str  # model type (llama, qwen2, t5, ...): picks the prompt family
    is_seq2seq: bool
    context_tokens: int  # most tokens of prompt plus generation

    def count(self, text: str) -> int:
        """Tokens `text` takes in a prompt."""
        ...

    def generate(self, messages: list[Message], max_new_tokens: int, cancel: threading.Event,
                 grammar: str | None = None) -> tuple[str, int]:
        """The model's reply to `messages` and how many tokens it generated; raises Cancelled when `cancel` is set.
        `grammar` (GBNF) bounds what the model may write where the engine can hold it to one (llama.cpp); the
        others write freely, and verify checks what they wrote as it checks everything."""
        ...


class OwnedEngine:
    """An engine whose every call runs on its owner thread; the writer holds this, never the engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.owner = Owner(engine.name.replace("/", "-")[:32])
        self.name, self.architecture = engine.name, engine.architecture
        self.is_seq2seq, self.context_tokens = engine.is_seq2seq, engine.context_tokens

    def count(self, text: str) -> int:
        return self.owner.call(lambda: self.engine.count(text))

    def generate(self, messages: list[Message], max_new_tokens: int, cancel: threading.Event,
                 grammar: str | None = None) -> tuple[str, int]:
        return self.owner.call(lambda: self.engine.generate(messages, max_new_tokens, cancel, grammar), cancel)

    def health(self) -> str | None:
        """Why the engine cannot serve now (a remote endpoint that is down), or None.

        Asked directly, not through the owner: a health probe must not queue behind generation."""
        probe = getattr(self.engine, "health", None)
        return probe() if probe else None
