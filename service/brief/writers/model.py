"""The model writer: a generative model writes the brief from the evidence, and verify checks every sentence.

Three ways to write (setting `fusion`):
- `compress` (default): one sentence per claim, each a task a small model can do faithfully and verify
  can check against the sentence it was written from:
  - a long sentence is compressed to its main fact, by deleting whole phrases (under llama.cpp, a grammar
    from the sentence's parse lets the model only cut an adjunct, an apposition, a clause set off by
    commas: `rewrites.deletion_grammar`; never who says so, a date, a time, an amount or a count, nor a
    phrase the story's other sources tell too, which is the story rather than an aside); a claim several
    sources state is compressed from its fullest telling and cites every source that tells it;
  - a sentence that opens on a reference ("He said they…") gets the name it stands for, which the
    model reads from the sentences before it in its article;
  - a short sentence that stands alone is copied as it is.
  A family without a compress or resolve prompt copies those sentences (or, for a reference, leaves
  the sentence out, as the extractive writer does).
- `claims`: the same, but a claim several sources state is fused by the model from its 2-4 corroborating
  sentences (`claims.py`) into a sentence of its own words: more writing, which verify can only check
  by roles and words, and which SmolLM2 gets wrong more often (docs/quality.md).
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
from ...runtime.nlp import Parser
from ...settings import Settings
from ...types import Evidence
from ..evidence import points_outside
from ..prompts import PROMPTS_DIR, Template, load_template
from ..rewrites import as_deletion, cuts_words, deletion_grammar, reference, resolve, stems
from .base import Budget, Draft, DraftSentence
from .claims import Claim, by_priority, told_in_order
from .engine import Message, OwnedEngine
from .loading import load_owned

TOKENS_PER_WORD = 1.6
MAX_STAGES = 3
COMPRESS_FROM = 20  # words: a sentence of one source this long is shortened to its main fact
COMPRESSED = 0.6  # the share of its words a compressed sentence is expected to keep (for the budget)
NAME_TOKENS = 12
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

    def __init__(self, settings: Settings, parser: Parser, engine: OwnedEngine | None = None) -> None:
        self.settings = settings
        self.parser = parser
        self.engine = engine or load_owned(settings)
        self.fusion = settings.fusion
        base = family(self.engine)
        self.template: Template = load_template(base if self.fusion == "whole" else f"{base}-fuse")
        self.rewrites = {task: load_template(f"{base}-{task}") for task in ("compress", "resolve")
                         if self.fusion != "whole" and (PROMPTS_DIR / f"{base}-{task}.toml").exists()}
        self.model = self.engine.name
        used = [self.template] if self.fusion != "compress" else []  # compress fuses nothing
        self.prompt: str | None = "+".join(t.name for t in [*used, *self.rewrites.values()]) or None  # t5: copies

    def health(self) -> str | None:
        return self.engine.health()

    def write(self, evidence: Sequence[Evidence], max_words: int, cancel: threading.Event) -> Draft:
        return self._whole(evidence, max_words, cancel) if self.fusion == "whole" \
            else self._claims(evidence, max_words, cancel)

    def _claims(self, evidence: Sequence[Evidence], max_words: int, cancel: threading.Event) -> Draft:
        """One sentence per claim, in priority order while the claims fit the budget, then told in order. A claim
        is let in by the length expected (a compressed one's at `COMPRESSED` of its sentence) and counted by the
        length written, so the words a compression saves go to the next claims that fit (the budget rule of
        `within_budget`: one that would overflow is skipped, a shorter one further down may still fit)."""
        written: dict[int, DraftSentence] = {}
        budget = Budget(max_words)
        tokens = 0
        claims = by_priority(evidence)
        for claim in [c for c in claims if self._writable(evidence, c)] or claims:  # never empty, as `standing_alone`
            expected = round(claim.sentences[0].words * COMPRESSED) if self._task(evidence, claim) == "compress" \
                else claim.sentences[0].words
            if not budget.fits(expected):
                continue
            if cancel.is_set():
                raise Cancelled("stopped while writing: the request was cancelled")
            sentence, generated = self._write(evidence, claim, cancel)
            tokens += generated
            if budget.fits(length := len(sentence.text.split())):
                written[claim.index] = sentence
                budget.spend(length)
        return Draft(tuple(written[i] for i in told_in_order(evidence, list(written))), tokens)

    def _task(self, evidence: Sequence[Evidence], claim: Claim) -> str:
        """What the model does with a claim: fuse, resolve, compress, or nothing (copy)."""
        text = claim.sentences[0].text
        if len(claim.sentences) >= 2 and self.fusion == "claims":
            return "fuse"
        if points_outside(text):
            return "resolve" if "resolve" in self.rewrites and reference(text) and evidence[claim.index].before \
                else "none"
        return "compress" if "compress" in self.rewrites and claim.sentences[0].words >= COMPRESS_FROM else "copy"

    def _writable(self, evidence: Sequence[Evidence], claim: Claim) -> bool:
        """Whether the claim can be a sentence of the brief: not one that points outside itself with no way to
        name what it points at."""
        return self._task(evidence, claim) != "none"

    def _write(self, evidence: Sequence[Evidence], claim: Claim, cancel: threading.Event) -> tuple[DraftSentence, int]:
        """The claim's draft sentence and the tokens the model generated for it."""
        task = self._task(evidence, claim)
        source = claim.sentences[0]
        copied = DraftSentence(source.text, (claim.index,), verbatim=True)
        if task in ("copy", "none"):  # "none" only when no claim of the story is writable
            return copied, 0
        if task == "fuse":
            texts = [s.text for s in claim.sentences]
            text, tokens = self.generate(texts, max(len(t.split()) for t in texts), cancel)
            return DraftSentence(_first_sentence(text), (claim.index,), verbatim=False, merged=claim.sentences,
                                 sources=claim.sources), tokens
        if task == "compress":
            told = stems(s.text for item in evidence for s in (item.sentence, *item.support) if s.doc != source.doc)
            grammar = deletion_grammar(self.parser.parse([source.text], cancel)[0], told)  # what other sources tell
            if grammar is None:  # no phrase of it may go
                return copied, 0
            text, tokens = self.generate([source.text], source.words, cancel, self.rewrites["compress"], grammar=grammar)
            text = as_deletion(_first_sentence(text))
            if not cuts_words(text, source.text):
                return copied, tokens
            return DraftSentence(text, (claim.index,), verbatim=False, merged=claim.sentences, sources=claim.sources,
                                 origin="compressed"), tokens
        before = evidence[claim.index].before
        span = reference(source.text)
        assert span is not None  # `_task` said so
        name, tokens = self.generate([source.text], NAME_TOKENS, cancel, self.rewrites["resolve"],
                                     context=" ".join(s.text for s in before), reference=source.text[span[0]:span[1]])
        name = name.strip().splitlines()[0].strip(" \"“”'‘’.,:;") if name.strip() else ""
        return DraftSentence(resolve(source.text, span, name), (claim.index,), verbatim=False, merged=(source, *before),
                             sources=claim.sources, origin="resolved"), tokens

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

    def messages(self, lines: list[str], max_words: int, template: Template | None = None,
                 **values: str) -> list[Message]:
        """The chat messages for `lines` of evidence: system, the worked example if any, then the prompt."""
        template = template or self.template
        shown = [template.number.format(n=n) + line for n, line in enumerate(lines, 1)] if template.numbered else lines
        system, prompt = template.render(evidence="\n".join(shown), max_words=max_words, count=len(lines), **values)
        messages = [{"role": "system", "content": system}] if system else []
        if template.example_prompt and template.example_answer:
            messages += [{"role": "user", "content": template.example_prompt},
                         {"role": "assistant", "content": template.example_answer}]
        return messages + [{"role": "user", "content": prompt}]

    def generate(self, lines: list[str], max_words: int, cancel: threading.Event, template: Template | None = None,
                 grammar: str | None = None, **values: str) -> tuple[str, int]:
        """One generation over `lines` (with the fusion prompt unless another `template` is given, within `grammar`
        where the engine holds to one); the model's cleaned text and how many tokens it generated."""
        text, tokens = self.engine.generate(self.messages(lines, max_words, template, **values),
                                            self.max_new_tokens(max_words), cancel, grammar)
        return clean(text), tokens


def _first_sentence(text: str) -> str:
    spans = split_sentences(text)
    return text[spans[0][0]:spans[0][1]] if spans else text
