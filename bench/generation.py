"""Generation speed of the model writer beside a bare `model.generate` loop and llama.cpp on the same GGUF.

    .venv/bin/python bench/generation.py [--tokens 128]

All three generate the same number of new tokens (end-of-sequence suppressed) from the same chat
prompt: the model writer's prompt over the seeds' evidence. Also: model load time, converting the
GGUF from scratch and from the converted-weights cache, and one end-to-end model brief of the seeds.
llama.cpp needs `pip install llama-cpp-python` (compiles from source, about 8 minutes here); without
it that row says so.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.pipeline import Pipeline  # noqa: E402
from service.schemas import BriefRequest  # noqa: E402
from service.settings import load_settings  # noqa: E402
from service.writers.loading import embedded_gguf, load_model  # noqa: E402
from service.writers.model import ModelWriter  # noqa: E402
from service.writers.runtimes import TransformersRuntime  # noqa: E402


def timed(work):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", type=int, default=128)
    args = parser.parse_args()
    import torch

    with tempfile.TemporaryDirectory() as cache:
        _, convert_s = timed(lambda: load_model(load_settings(cache_dir=Path(cache))))
        _, cached_s = timed(lambda: load_model(load_settings(cache_dir=Path(cache))))
    print(f"model load: {convert_s:.1f} s converting the GGUF, {cached_s:.1f} s from the converted cache")

    pipeline = Pipeline(load_settings())
    writer = pipeline.writers["model"]
    assert isinstance(writer, ModelWriter) and isinstance(writer.loaded.runtime, TransformersRuntime)
    documents = [{"text": p.read_text(encoding="utf-8")} for p in sorted((ROOT / "seeds").glob("*.txt"))]
    extractive = pipeline.run(BriefRequest.model_validate({"documents": documents,
                                                            "options": {"mode": "extractive", "max_words": 250}}))
    lines = [s.text for s in extractive.stories[0].brief.sentences]
    inputs = writer._inputs(lines, 120)
    prompt_tokens = int(inputs["input_ids"].shape[1])
    eos = writer.loaded.tokenizer.eos_token_id
    rows = []

    def bare() -> int:
        with torch.inference_mode():
            out = writer.loaded.runtime.model.generate(**inputs, max_new_tokens=args.tokens,
                                                       min_new_tokens=args.tokens, do_sample=False, pad_token_id=eos)
        return int(out.shape[1] - prompt_tokens)

    bare()  # warm-up
    tokens, seconds = timed(bare)
    rows.append(("transformers, bare model.generate", tokens, seconds))
    engines = [("transformers", pipeline)]
    try:
        import llama_cpp
    except ImportError:
        rows.append(("llama.cpp: llama-cpp-python not installed", 0, float("nan")))
    else:
        llm, load_s = timed(lambda: llama_cpp.Llama(model_path=str(embedded_gguf()), n_ctx=4096, verbose=False))
        print(f"llama.cpp load: {load_s:.2f} s")
        text = writer.loaded.tokenizer.decode(inputs["input_ids"][0])
        run = lambda: llm(text, max_tokens=args.tokens, temperature=0.0, logit_bias={eos: -1e9})  # noqa: E731
        run()  # warm-up
        llm.reset()  # forget the prompt's cached state: every engine here processes the prompt it is timed on
        result, seconds = timed(run)
        rows.append(("llama.cpp, bare completion", int(result["usage"]["completion_tokens"]), seconds))
        engines.append(("llama.cpp", Pipeline(load_settings(engine="llama.cpp"), embedder=pipeline.embedder)))
    for name, engine_pipeline in engines:
        fixed = ModelWriter(load_settings(max_new_tokens=args.tokens), engine_pipeline.writers["model"].loaded)
        (_, tokens), seconds = timed(lambda: fixed.generate(lines, 120, threading.Event()))
        rows.append((f"{name}, the model writer's generate (stops at end of sequence)", tokens, seconds))
    print(f"prompt: {prompt_tokens} tokens; new tokens asked: {args.tokens}; 2 cores")
    print("| engine | new tokens | seconds | tokens/s |")
    print("|---|---|---|---|")
    for name, tokens, seconds in rows:
        print(f"| {name} | {tokens} | {seconds:.2f} | {tokens / seconds if tokens else float('nan'):.1f} |")
    for name, engine_pipeline in engines:
        response, seconds = timed(lambda: engine_pipeline.run(BriefRequest.model_validate(
            {"documents": documents, "options": {"mode": "model", "max_words": 120}})))
        generated = sum(s.brief.generated_tokens for s in response.stories)
        rejected = sum(len(s.brief.rejected) for s in response.stories)
        print(f"end-to-end model brief of the seeds, {name}: {seconds:.1f} s, {generated} tokens generated, "
              f"writer stage {response.timings_ms['writer'] / 1000:.1f} s, {rejected} sentences rejected by verify")


if __name__ == "__main__":
    main()
