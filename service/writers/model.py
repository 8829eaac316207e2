"""The model writer: a local generative model fuses a story's evidence into a brief.

The writer's job is fusion and fluency, never new facts: verify checks every sentence it writes.
Evidence that does not fit the model's context is summarized in stages (chunks, then the partial
briefs), and chunks take evidence from each document in turn so that every source gets a share.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import Any

from ..prompts import Template, load_template
from ..settings import Settings
from ..text import split_sentences
from ..types import Evidence
from .base import Draft, DraftSentence
from .loading import LoadedModel, load_model

TOKENS_PER_WORD = 1.6
MAX_STAGES = 3
_MARKERS = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]|^\s*(?:[-*•]|\d+[.)])\s+", re.MULTILINE)


def fair_order(evidence: Sequence[Evidence]) -> list[int]:
    """Evidence indexes taking each document's best remaining item in turn (round robin)."""
    queues: dict[int, list[int]] = {}
    for i, item in enumerate(evidence):
        queues.setdefault(item.sentence.doc, []).append(i)
    order: list[int] = []
    while any(queues.values()):
        for queue in queues.values():
            if queue:
                order.append(queue.pop(0))
    return order


class ModelWriter:
    name = "model"

    def __init__(self, settings: Settings, loaded: LoadedModel | None = None) -> None:
        self.settings = settings
        self.loaded = loaded or load_model(settings)
        self.template: Template = load_template(self.loaded.family)
        self.model = self.loaded.name
        self.prompt = self.template.name

    def write(self, evidence: Sequence[Evidence], max_words: int, cancel: threading.Event) -> Draft:
        order = fair_order(evidence)
        chunks = self._chunks([evidence[i].sentence.text for i in order], max_words)
        in_reading_order = [sorted((order[k] for k in chunk), key=lambda i: evidence[i].position) for chunk in chunks]
        text, tokens = self._fuse([[evidence[i].sentence.text for i in chunk] for chunk in in_reading_order],
                                  max_words, cancel, stage=1)
        cleaned = _MARKERS.sub("", text).strip()
        sentences = tuple(DraftSentence(cleaned[s:e], (), verbatim=False) for s, e in split_sentences(cleaned))
        return Draft(sentences, tokens)

    def _fuse(self, chunks: list[list[str]], max_words: int, cancel: threading.Event, stage: int) -> tuple[str, int]:
        partials = [self.generate(chunk, max_words, cancel) for chunk in chunks]
        tokens = sum(n for _, n in partials)
        texts = [text for text, _ in partials]
        if len(texts) == 1 or stage >= MAX_STAGES:
            return " ".join(texts), tokens
        lines = [p[s:e] for p in texts for s, e in split_sentences(p)]
        text, more = self._fuse([[lines[k] for k in chunk] for chunk in self._chunks(lines, max_words)], max_words,
                                cancel, stage + 1)
        return text, tokens + more

    def max_new_tokens(self, max_words: int) -> int:
        return self.settings.max_new_tokens or int(max_words * TOKENS_PER_WORD) + 16

    def _chunks(self, lines: list[str], max_words: int) -> list[list[int]]:
        """Pack line indexes, in order, into chunks whose prompts fit the model's context."""
        template_tokens = int(self._inputs([], max_words)["input_ids"].shape[1])  # chat markup included
        budget = self.loaded.context_tokens - self.max_new_tokens(max_words) - template_tokens
        budget = max(budget, 64)
        chunks: list[list[int]] = [[]]
        used = 0
        for k, line in enumerate(lines):
            cost = self._count(line) + 4
            if chunks[-1] and used + cost > budget:
                chunks.append([])
                used = 0
            chunks[-1].append(k)
            used += cost
        return chunks

    def _count(self, text: str) -> int:
        return len(self.loaded.tokenizer(text, add_special_tokens=False)["input_ids"])

    def _render(self, lines: list[str], max_words: int) -> tuple[str | None, str]:
        shown = [f"[{n}] {line}" for n, line in enumerate(lines, 1)] if self.template.numbered else lines
        return self.template.render(evidence="\n".join(shown), max_words=max_words, count=len(lines))

    def _inputs(self, lines: list[str], max_words: int) -> Any:
        system, prompt = self._render(lines, max_words)
        tokenizer = self.loaded.tokenizer
        if not self.loaded.is_seq2seq and tokenizer.chat_template:
            messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": prompt}]
            return tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                                 return_dict=True)
        text = f"{system}\n\n{prompt}" if system else prompt
        return tokenizer(text, return_tensors="pt", truncation=True, max_length=self.loaded.context_tokens)

    def generate(self, lines: list[str], max_words: int, cancel: threading.Event) -> tuple[str, int]:
        """One generation over `lines` of evidence; returns the model's text and how many tokens it generated."""
        return self.loaded.runtime.generate(self._inputs(lines, max_words), self.max_new_tokens(max_words), cancel)
