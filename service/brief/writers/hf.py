"""transformers behind the model writer: any local model, causal or encoder-decoder, on CPU or GPU.

A causal model is prompted through its chat template, an encoder-decoder with the plain text.
The seed is set on the owner thread before each generation, so sampling is repeatable.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from ...errors import Cancelled, StartupError
from ...settings import Settings
from .engine import Message

_SPECIAL = ("bos_token", "eos_token", "unk_token", "pad_token")


def torch_module() -> Any:
    try:
        import torch
        import transformers  # noqa: F401
    except ImportError as exc:  # pragma: no cover - both are declared dependencies
        raise StartupError("the transformers engine needs torch and transformers: pip install -e .") from exc
    return torch


def resolve_device(settings: Settings) -> str:
    device = settings.device
    if device == "auto":
        device = "cuda" if torch_module().cuda.is_available() else "cpu"
    if device == "cuda" and not torch_module().cuda.is_available():
        raise StartupError("BRIEF_DEVICE=cuda but no CUDA device is available")
    return device


class TransformersEngine:
    """`model.generate` on the configured device; one instance is used by one thread at a time (its owner)."""

    def __init__(self, model: Any, tokenizer: Any, name: str, settings: Settings, device: str) -> None:
        self.model, self.tokenizer, self.name, self.settings, self.device = model, tokenizer, name, settings, device
        config = model.config
        self.architecture = str(config.model_type)
        self.is_seq2seq = bool(getattr(config, "is_encoder_decoder", False))
        positions = int(getattr(config, "max_position_embeddings", None) or getattr(config, "n_positions", None)
                        or 2048)
        self.context_tokens = min(positions, settings.context_tokens) if settings.context_tokens else positions
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token

    def count(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def inputs(self, messages: list[Message]) -> Any:
        """The prompt as model inputs: the chat template for a causal model that has one, else the plain text."""
        if not self.is_seq2seq and self.tokenizer.chat_template:
            return self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                                      return_dict=True)
        text = "\n\n".join(m["content"] for m in messages)
        return self.tokenizer(text, return_tensors="pt", truncation=True, max_length=self.context_tokens)

    def generate(self, messages: list[Message], max_new_tokens: int, cancel: threading.Event,
                 grammar: str | None = None) -> tuple[str, int]:
        torch = torch_module()
        from transformers import StoppingCriteria, StoppingCriteriaList

        class StopWhenCancelled(StoppingCriteria):
            def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> bool:
                return cancel.is_set()

        inputs = self.inputs(messages).to(self.device)
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


def load_transformers(source: Path | str, name: str, settings: Settings, tokenizer: Any = None) -> TransformersEngine:
    """A local model directory or a model id already in the local Hugging Face cache."""
    from transformers import (
        AutoConfig,
        AutoModelForCausalLM,
        AutoModelForSeq2SeqLM,
        AutoTokenizer,
    )

    torch = torch_module()
    device = resolve_device(settings)
    dtype = settings.dtype
    if dtype == "auto":
        dtype = "float32" if device == "cpu" else ("bfloat16" if torch.cuda.is_bf16_supported() else "float16")
    try:
        tokenizer = tokenizer or AutoTokenizer.from_pretrained(source, local_files_only=True)
        config = AutoConfig.from_pretrained(source, local_files_only=True)
    except OSError as exc:
        raise StartupError(f"BRIEF_MODEL={settings.model}: not a model directory, a GGUF file or a locally cached "
                           f"model id ({exc})") from exc
    loader = AutoModelForSeq2SeqLM if getattr(config, "is_encoder_decoder", False) else AutoModelForCausalLM
    model = loader.from_pretrained(source, dtype=getattr(torch, dtype), local_files_only=True)
    model = model.to(device).eval()  # type: ignore[arg-type]  # transformers types `to` as taking a model
    return TransformersEngine(model, tokenizer, name, settings, device)


def save_tokenizer(tokenizer: Any, directory: Path) -> None:
    """Keep a fast tokenizer as its own `tokenizer.json` (the `save_pretrained` form of a GGUF tokenizer
    decodes spaces as `<|endoftext|>`)."""
    (directory / "brief-tokenizer.json").write_text(tokenizer.backend_tokenizer.to_str(), encoding="utf-8")
    meta = {key: getattr(tokenizer, key) for key in _SPECIAL} | {"chat_template": tokenizer.chat_template}
    (directory / "brief-tokenizer-meta.json").write_text(json.dumps(meta), encoding="utf-8")


def load_tokenizer(directory: Path) -> Any:
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    meta = json.loads((directory / "brief-tokenizer-meta.json").read_text(encoding="utf-8"))
    backend = Tokenizer.from_file(str(directory / "brief-tokenizer.json"))
    return PreTrainedTokenizerFast(tokenizer_object=backend, **meta)
