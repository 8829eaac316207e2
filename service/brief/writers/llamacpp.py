"""llama.cpp on a GGUF file through cyllama's prebuilt wheels: no compiler, no conversion of weights.

Everything the writer needs comes from the file itself: the chat template (rendered with Jinja,
as transformers renders it), the architecture (which picks the prompt family) and the context
length. Generation is greedy unless sampling is set, stops at an end-of-generation token, and
checks `cancel` between tokens and inside llama.cpp's decode (its abort callback).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from ...errors import Cancelled, StartupError
from ...settings import Settings
from .engine import Message

CONTEXT_STEP = 1024  # the KV cache grows in steps of this many tokens, up to the model's context
BLOCK = 128  # prompt tokens decoded together: the unit of reuse of a cached prompt prefix


def cpu_threads() -> int:
    """Threads for llama.cpp: half the logical CPUs this process may use, about one per physical core.

    llama.cpp's threads spin at each barrier, so more threads than free cores is far slower, not
    faster: on this 2-vCPU machine under load, 2 threads generated 2.5 tokens/s and 1 thread 20.
    Its own default, 4, oversubscribes small machines.
    """
    logical = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, logical // 2)


class LlamaCppEngine:
    """A GGUF model run by llama.cpp on CPU; one instance is used by one thread at a time (its owner)."""

    is_seq2seq = False

    def __init__(self, path: Path, name: str, settings: Settings) -> None:
        try:
            from cyllama.llama import llama_cpp
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise StartupError("the llama.cpp engine needs cyllama: pip install -e .") from exc
        self._cpp = llama_cpp
        llama_cpp.disable_logging()
        llama_cpp.ggml_backend_load_all()
        try:
            self.model = llama_cpp.LlamaModel(str(path), llama_cpp.LlamaModelParams())
        except Exception as exc:
            raise StartupError(f"BRIEF_MODEL={path}: llama.cpp cannot load it ({exc})") from exc
        if self.model.has_encoder():
            raise StartupError(f"BRIEF_MODEL={path}: an encoder-decoder GGUF; run it with BRIEF_ENGINE=transformers")
        self.vocab = self.model.get_vocab()
        self.name = name
        self.settings = settings
        metadata = self.model.metadata()
        self.architecture = str(metadata.get("general.architecture", ""))
        self.template = _chat_template(metadata.get("tokenizer.chat_template"), self._special(self.vocab.token_bos()),
                                       self._special(self.vocab.token_eos()))
        trained = int(self.model.n_ctx_train) or settings.context_tokens or 2048
        self.context_tokens = min(trained, settings.context_tokens) if settings.context_tokens else trained
        self._ctx: Any = None
        self._ctx_size = 0
        self._cached: list[int] = []  # tokens whose keys and values the context holds, in order

    def _special(self, token: int) -> str:
        return str(self.vocab.token_to_piece(token, special=True)) if token >= 0 else ""

    def count(self, text: str) -> int:
        return len(self.vocab.tokenize(text, add_special=False, parse_special=False))

    def prompt_ids(self, messages: list[Message]) -> list[int]:
        """The chat prompt as token ids: the file's chat template, or the plain text when it has none."""
        if self.template is None:
            text = "\n\n".join(m["content"] for m in messages)
            return list(self.vocab.tokenize(text, add_special=True, parse_special=False))
        text = self.template(messages)
        return list(self.vocab.tokenize(text, add_special=self.vocab.get_add_bos(), parse_special=True))

    def generate(self, messages: list[Message], max_new_tokens: int, cancel: threading.Event,
                 grammar: str | None = None) -> tuple[str, int]:
        return self.generate_ids(self.prompt_ids(messages), max_new_tokens, cancel, grammar)

    def generate_ids(self, prompt: list[int], max_new_tokens: int, cancel: threading.Event,
                     grammar: str | None = None) -> tuple[str, int]:
        """Generate after `prompt` (token ids); the text and the number of tokens generated. With a `grammar`
        (GBNF, rule `root`), only tokens it allows are sampled.

        The KV cache keeps the previous call's prompt, and only what follows the prefix this prompt
        shares with it is decoded: the claims of a brief share their system prompt and worked example.
        Prompts are always decoded in the same blocks of `BLOCK` tokens from position 0, and only whole
        blocks of the previous prompt are reused, so a reused prefix holds exactly the numbers a fresh
        decode would: the same request gives the same brief whatever ran before it.
        """
        cpp = self._cpp
        if len(prompt) + max_new_tokens > self.context_tokens:
            prompt = prompt[-(self.context_tokens - max_new_tokens):]
        ctx = self._context(len(prompt) + max_new_tokens)
        reuse = _shared_prefix(self._cached, prompt, len(prompt) - 1) // BLOCK * BLOCK  # decode one token at least
        if not ctx.memory_seq_rm(0, reuse, -1):
            ctx.kv_cache_clear()
            reuse = 0
        self._cached = []  # until this call ends well, the cache holds nothing known
        sampler = self._sampler(grammar)
        watcher = _CancelWatcher(cancel, ctx)
        pieces: list[bytes] = []
        decoded = list(prompt)
        try:
            for start in range(reuse, len(prompt), BLOCK):
                ctx.decode(cpp.llama_batch_get_one(prompt[start:start + BLOCK], start))
            for _ in range(max_new_tokens):
                token = sampler.sample(ctx, -1)
                if self.vocab.is_eog(token) or cancel.is_set():
                    break
                pieces.append(self.vocab.token_to_piece(token, special=False).encode("utf-8", "surrogatepass"))
                ctx.decode(cpp.llama_batch_get_one([token], len(decoded)))
                decoded.append(token)
        except InterruptedError:
            pass  # decode aborted by the cancel watcher
        finally:
            watcher.stop()
        if cancel.is_set():
            raise Cancelled("generation stopped: the request was cancelled")
        self._cached = prompt  # generated tokens were decoded one by one: never reused
        return b"".join(pieces).decode("utf-8", "replace").strip(), len(pieces)

    def _context(self, needed: int) -> Any:
        """A context with room for `needed` tokens, kept while it is big enough."""
        if self._ctx is None or self._ctx_size < needed:
            size = min(self.context_tokens, -(-needed // CONTEXT_STEP) * CONTEXT_STEP)
            params = self._cpp.LlamaContextParams()
            params.n_ctx = size
            params.n_batch = BLOCK
            params.n_threads = params.n_threads_batch = cpu_threads()
            params.no_perf = True
            self._ctx = self._cpp.LlamaContext(self.model, params)
            self._ctx.install_cancel_callback()
            self._ctx_size = size
            self._cached = []
        self._ctx.cancel = False
        return self._ctx

    def _sampler(self, grammar: str | None = None) -> Any:
        params = self._cpp.LlamaSamplerChainParams()
        params.no_perf = True
        sampler = self._cpp.LlamaSampler(params)
        if grammar:
            sampler.add_grammar(self.vocab, grammar, "root")
        if self.settings.sampling:
            sampler.add_temp(self.settings.temperature)
            sampler.add_dist(self.settings.seed)
        else:
            sampler.add_greedy()
        return sampler


def _shared_prefix(a: list[int], b: list[int], limit: int) -> int:
    """Length of the common prefix of `a` and `b`, at most `limit`."""
    n = 0
    for x, y in zip(a, b):
        if n >= limit or x != y:
            break
        n += 1
    return n


class _CancelWatcher:
    """Turns the request's cancel event into llama.cpp's abort flag, so a long decode stops mid-way."""

    def __init__(self, cancel: threading.Event, ctx: Any) -> None:
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, args=(cancel, ctx), daemon=True)
        self._thread.start()

    def _watch(self, cancel: threading.Event, ctx: Any) -> None:
        while not self._done.is_set():
            if cancel.wait(0.05):
                ctx.cancel = True
                return

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def _chat_template(source: object, bos: str, eos: str) -> Any:
    """A function rendering messages with the GGUF's Jinja chat template, or None when the file has none."""
    if not isinstance(source, str) or not source.strip():
        return None
    from jinja2 import TemplateError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def raise_exception(message: str) -> None:
        raise TemplateError(message)

    environment = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    environment.globals["raise_exception"] = raise_exception
    template = environment.from_string(source)

    def render(messages: list[Message]) -> str:
        try:
            return template.render(messages=messages, bos_token=bos, eos_token=eos, add_generation_prompt=True)
        except TemplateError:  # e.g. Gemma refuses a system role: fold it into the user turn
            merged = [{"role": "user", "content": "\n\n".join(m["content"] for m in messages)}]
            return template.render(messages=merged, bos_token=bos, eos_token=eos, add_generation_prompt=True)

    return render
