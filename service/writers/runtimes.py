"""Generation runtimes behind the model writer: transformers (default, any model) and llama.cpp (optional).

Both take the prompt as token ids from the same tokenizer and chat template, so the writer's
prompting, chunking and verify are the same whichever runs; both stop when `cancel` is set.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Protocol

from ..errors import Cancelled, StartupError
from ..settings import Settings


class Runtime(Protocol):
    def generate(self, inputs: Any, max_new_tokens: int, cancel: threading.Event) -> tuple[str, int]:
        """The text generated after the prompt `inputs` (a tokenizer's encoding) and its token count."""
        ...


class TransformersRuntime:
    """`model.generate` on the configured device; encoder-decoder or decoder-only."""

    def __init__(self, model: Any, tokenizer: Any, is_seq2seq: bool, device: str, settings: Settings) -> None:
        self.model, self.tokenizer, self.is_seq2seq, self.device = model, tokenizer, is_seq2seq, device
        self.settings = settings

    def generate(self, inputs: Any, max_new_tokens: int, cancel: threading.Event) -> tuple[str, int]:
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList

        class StopWhenCancelled(StoppingCriteria):
            def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> bool:
                return cancel.is_set()

        inputs = inputs.to(self.device)
        options: dict[str, Any] = {"max_new_tokens": max_new_tokens, "num_beams": self.settings.num_beams,
                                   "do_sample": self.settings.sampling, "pad_token_id": self.tokenizer.pad_token_id,
                                   "stopping_criteria": StoppingCriteriaList([StopWhenCancelled()])}
        if self.is_seq2seq:  # for a decoder-only model this would also forbid copying the evidence
            options["no_repeat_ngram_size"] = 3
        if self.settings.sampling:
            options["temperature"] = self.settings.temperature
        torch.manual_seed(self.settings.seed)
        with torch.inference_mode():
            output = self.model.generate(**inputs, **options)
        if cancel.is_set():
            raise Cancelled("generation stopped: the request was cancelled")
        new = output[0] if self.is_seq2seq else output[0, inputs["input_ids"].shape[1]:]
        return str(self.tokenizer.decode(new, skip_special_tokens=True)).strip(), int(new.shape[-1])


class LlamaCppRuntime:
    """llama.cpp on the GGUF file itself: no conversion of weights, several times faster on CPU."""

    def __init__(self, gguf: Path, context_tokens: int, settings: Settings) -> None:
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise StartupError("BRIEF_ENGINE=llama.cpp needs llama-cpp-python: pip install -e '.[llamacpp]' "
                               "(compiles llama.cpp, several minutes)") from exc
        self.llama = Llama(model_path=str(gguf), n_ctx=context_tokens, seed=settings.seed, verbose=False)
        self.settings = settings

    def generate(self, inputs: Any, max_new_tokens: int, cancel: threading.Event) -> tuple[str, int]:
        from llama_cpp import StoppingCriteriaList

        result = self.llama.create_completion(
            prompt=[int(t) for t in inputs["input_ids"][0]], max_tokens=max_new_tokens, seed=self.settings.seed,
            temperature=self.settings.temperature if self.settings.sampling else 0.0,
            stopping_criteria=StoppingCriteriaList([lambda ids, logits: cancel.is_set()]))
        if cancel.is_set():
            raise Cancelled("generation stopped: the request was cancelled")
        return str(result["choices"][0]["text"]).strip(), int(result["usage"]["completion_tokens"])
