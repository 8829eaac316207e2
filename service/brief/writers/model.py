"""The model writer: a generative model writes the brief from the evidence, and verify checks every sentence.

Two ways to write (setting `fusion`):
- `claims` (default): one sentence per claim, fused from the claim's 2-4 corroborating sentences
  (`claims.py`). A claim said by one source alone is copied as it is. A small model can do this
  faithfully, and verify checks each sentence against its own small group.
- `whole`: one prompt over all the evidence. Evidence that does not fit the context is
  summarized in stages (chunks that take each document's best sentences in turn, then the partial
  briefs), never truncated.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

from ...errors import Cancelled
from ...read.text import split_sentences
from ...settings import Settings
from ...types import Evidence
from ..prompts import Template, load_template
from .base import Draft, DraftSentence, within_budget
from .claims import by_priority, told_in_order
from .engine import Message, OwnedEngine
from .loading import load_owned

TOKENS_PER_WORD = 1.6
MAX_STAGES = 3
_MARKERS = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]|^\s*(?:[-*•]|\d+[.)])\s+", re.MULTILINE)
_T5 = ("t5", "mt5", "umt5", "longt5")


def family(engine: OwnedEngine) -> str:
    """Prompt family from the model's architecture: instruct (any chat or causal model), t5 or seq2seq."""
    if not engine.is_seq2seq:
        return "instruct"
    return "t5" if engine.architecture in _T5 else "seq2seq"


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


def clean(text: str) -> str:
    """The model's text without list markers and bracketed evidence numbers."""
    return _MARKERS.sub("", text).strip()


class ModelWriter:
    name = "model"

    def __init__(self, settings: Settings, engine: OwnedEngine | None = None) -> None:
        self.settings = settings
        self.engine = engine or load_owned(settings)
        self.fusion = settings.fusion
        base = family(self.engine)
        self.template: Template = load_template(base if self.fusion == "whole" else f"{base}-fuse")
        self.model = self.engine.name
        self.prompt = self.template.name

    def health(self) -> str | None:
        return self.engine.health()

    def write(self, evidence: Sequence[Evidence], max_words: int, cancel: threading.Event) -> Draft:
        return self._whole(evidence, max_words, cancel) if self.fusion == "whole" \
            else self._claims(evidence, max_words, cancel)

    def _claims(self, evidence: Sequence[Evidence], max_words: int, cancel: threading.Event) -> Draft:
        """One sentence per claim, in priority order while the claims' own sentences (what stands in if verify
        rejects a fused one) fit the budget, then told in order."""
        written: dict[int, DraftSentence] = {}
        tokens = 0
        claims = by_priority(evidence)
        for claim in (claims[k] for k in within_budget([c.sentences[0].words for c in claims], max_words)):
            if cancel.is_set():
                raise Cancelled("stopped while writing: the request was cancelled")
            if len(claim.sentences) < 2:
                written[claim.index] = DraftSentence(claim.sentences[0].text, (claim.index,), verbatim=True)
            else:
                texts = [s.text for s in claim.sentences]
                text, generated = self.generate(texts, max(len(t.split()) for t in texts), cancel)
                tokens += generated
                spans = split_sentences(text)
                first = text[spans[0][0]:spans[0][1]] if spans else text
                written[claim.index] = DraftSentence(first, (claim.index,), verbatim=False, merged=claim.sentences,
                                                     sources=claim.sources)
        return Draft(tuple(written[i] for i in told_in_order(evidence, list(written))), tokens)

    def _whole(self, evidence: Sequence[Evidence], max_words: int, cancel: threading.Event) -> Draft:
        order = fair_order(evidence)
        chunks = self._chunks([evidence[i].sentence.text for i in order], max_words)
        in_reading_order = [sorted((order[k] for k in chunk), key=lambda i: evidence[i].position) for chunk in chunks]
        text, tokens = self._stages([[evidence[i].sentence.text for i in chunk] for chunk in in_reading_order],
                                    max_words, cancel, stage=1)
        return Draft(tuple(DraftSentence(text[s:e], (), verbatim=False) for s, e in split_sentences(text)), tokens)

    def _stages(self, chunks: list[list[str]], max_words: int, cancel: threading.Event,
                stage: int) -> tuple[str, int]:
        partials = [self.generate(chunk, max_words, cancel) for chunk in chunks]
        tokens = sum(n for _, n in partials)
        texts = [text for text, _ in partials]
        if len(texts) == 1 or stage >= MAX_STAGES:
            return " ".join(texts), tokens
        lines = [p[s:e] for p in texts for s, e in split_sentences(p)]
        text, more = self._stages([[lines[k] for k in chunk] for chunk in self._chunks(lines, max_words)], max_words,
                                  cancel, stage + 1)
        return text, tokens + more

    def max_new_tokens(self, max_words: int) -> int:
        return self.settings.max_new_tokens or int(max_words * TOKENS_PER_WORD) + 16

    def _chunks(self, lines: list[str], max_words: int) -> list[list[int]]:
        """Pack line indexes, in order, into chunks whose prompts fit the model's context."""
        template_tokens = sum(self.engine.count(m["content"]) + 8 for m in self.messages([], max_words))
        budget = max(self.engine.context_tokens - self.max_new_tokens(max_words) - template_tokens, 64)
        chunks: list[list[int]] = [[]]
        used = 0
        for k, line in enumerate(lines):
            cost = self.engine.count(line) + 4
            if chunks[-1] and used + cost > budget:
                chunks.append([])
                used = 0
            chunks[-1].append(k)
            used += cost
        return chunks

    def messages(self, lines: list[str], max_words: int) -> list[Message]:
        """The chat messages for `lines` of evidence: system, the worked example if any, then the prompt."""
        template = self.template
        shown = [template.number.format(n=n) + line for n, line in enumerate(lines, 1)] if template.numbered else lines
        system, prompt = template.render(evidence="\n".join(shown), max_words=max_words, count=len(lines))
        messages = [{"role": "system", "content": system}] if system else []
        if template.example_prompt and template.example_answer:
            messages += [{"role": "user", "content": template.example_prompt},
                         {"role": "assistant", "content": template.example_answer}]
        return messages + [{"role": "user", "content": prompt}]

    def generate(self, lines: list[str], max_words: int, cancel: threading.Event) -> tuple[str, int]:
        """One generation over `lines`; the model's cleaned text and how many tokens it generated."""
        text, tokens = self.engine.generate(self.messages(lines, max_words), self.max_new_tokens(max_words), cancel)
        return clean(text), tokens
