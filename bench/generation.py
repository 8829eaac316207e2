"""Generation speed of the default model path beside bare llama.cpp and bare transformers on the same GGUF.

    .venv/bin/python bench/generation.py [--tokens 96] [--repeats 3] [--articles ../shared/eval/ecbplus_dev/ecbplus_dev.jsonl]

Every row generates the same number of new tokens (end of generation ignored) from the same chat
prompt, the writer's fusion prompt over one claim of the seeds, run side by side in one process
and alternated over `--repeats` rounds (the median is reported), so a busy machine slows them
alike:
- the default path: `ModelWriter.generate` through the model's owner thread into the llama.cpp
  engine (cyllama), exactly what a brief calls;
- bare llama.cpp: cyllama's low-level API in a plain loop (tokenize, decode, greedy sample) with the
  same thread count, nothing else;
- bare transformers: `model.generate` on the same GGUF de-quantized to float32 (the engine kept for GPUs
  and non-GGUF models).
All use the same number of threads (`cpu_threads()`). The default path is timed twice: with the
prompt decoded in full, like the bare loop, and with the prompt already in the KV cache, which is
what happens from a brief's second claim on (they share the system prompt and worked example).
Then: model load times, and warm end-to-end model briefs of the seeds (120 words) and of a real
article set of 5 to 10 articles about one event (ECB+, 260 words).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.brief.writers.llamacpp import LlamaCppEngine, cpu_threads  # noqa: E402
from service.brief.writers.loading import embedded_gguf, load_engine  # noqa: E402
from service.brief.writers.model import ModelWriter  # noqa: E402
from service.pipeline import Pipeline  # noqa: E402
from service.schemas import BriefRequest  # noqa: E402
from service.settings import load_settings  # noqa: E402

CLAIM = ["Mexico has extradited 37 cartel members to the United States at the request of the US Department of "
         "Justice, and Mexican President Claudia Sheinbaum said on Wednesday it was an independent decision.",
         "Mexico has handed over 37 high-impact criminal leaders to the United States, a significant extradition "
         "that underscores the complex security cooperation between the two neighboring nations.",
         "Those sent to the US on Tuesday are said to be members of the powerful Jalisco New Generation Cartel."]


def timed(work):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


class NoEnd:
    """The model's vocabulary with no end-of-generation token."""

    def __init__(self, vocab: object) -> None:
        self.vocab = vocab

    def is_eog(self, token: int) -> bool:
        return False

    def __getattr__(self, name: str) -> object:
        return getattr(self.vocab, name)


def bare_llama_cpp(path: Path, prompt: list[int], tokens: int) -> int:
    """The plainest llama.cpp loop through cyllama: a fresh context, the prompt, then greedy tokens."""
    from cyllama.llama import llama_cpp as cpp

    model = bare_llama_cpp.__dict__.setdefault("model", cpp.LlamaModel(str(path), cpp.LlamaModelParams()))
    params = cpp.LlamaContextParams()
    params.n_ctx, params.n_batch = 1024, 512
    params.n_threads = params.n_threads_batch = cpu_threads()
    ctx = cpp.LlamaContext(model, params)
    sampler = cpp.LlamaSampler(cpp.LlamaSamplerChainParams())
    sampler.add_greedy()
    ctx.decode(cpp.llama_batch_get_one(prompt, 0))
    for position in range(len(prompt), len(prompt) + tokens):
        ctx.decode(cpp.llama_batch_get_one([sampler.sample(ctx, -1)], position))
    return tokens


def article_set(path: Path) -> tuple[str, list[str]]:
    """The first event (story) of the file with 5 to 10 articles: its id and texts."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    sizes = Counter(row["story"] for row in rows)
    story = next(s for s in sizes if 5 <= sizes[s] <= 10)
    return story, [row["text"] for row in rows if row["story"] == story]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", type=int, default=96)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--articles", type=Path, default=ROOT.parent / "shared" / "eval" / "ecbplus_dev" /
                        "ecbplus_dev.jsonl")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(cpu_threads())  # the same thread count for every engine
    (pipeline, load_s) = timed(lambda: Pipeline(load_settings()))
    writer = pipeline.writers["model"]
    assert isinstance(writer, ModelWriter) and isinstance(writer.engine.engine, LlamaCppEngine)
    engine = writer.engine.engine
    print(f"default engine: llama.cpp (cyllama) on {embedded_gguf().name}, {cpu_threads()} thread(s); "
          f"service load {load_s:.1f} s")
    fixed = ModelWriter(load_settings(max_new_tokens=args.tokens), pipeline.parser, writer.engine)
    prompt = engine.prompt_ids(fixed.messages(CLAIM, 40))
    vocab = engine.vocab
    engine.vocab = NoEnd(vocab)  # every row generates all its tokens

    (hf, hf_load_s) = timed(lambda: load_engine(load_settings(engine="transformers")))
    inputs = hf.inputs(fixed.messages(CLAIM, 40))  # type: ignore[attr-defined]
    print(f"transformers load (converted cache): {hf_load_s:.1f} s; prompt {len(prompt)} tokens (llama.cpp), "
          f"{int(inputs['input_ids'].shape[1])} (transformers); {args.tokens} new tokens")

    def transformers_bare() -> int:
        with torch.inference_mode():
            out = hf.model.generate(**inputs, max_new_tokens=args.tokens, min_new_tokens=args.tokens,  # type: ignore
                                    do_sample=False, pad_token_id=hf.tokenizer.pad_token_id)  # type: ignore
        return int(out.shape[1] - inputs["input_ids"].shape[1])

    def default_path(cached_prefix: bool) -> int:
        if not cached_prefix:
            engine._cached = []  # forget the previous prompt: decode all of this one, as bare llama.cpp does
        return fixed.generate(CLAIM, 40, threading.Event())[1]

    rows = {"default path: ModelWriter.generate → owner → llama.cpp engine": lambda: default_path(False),
            "default path, prompt already in the KV cache (as from a brief's second claim on)":
            lambda: default_path(True),
            "bare llama.cpp (cyllama low-level loop)": lambda: bare_llama_cpp(embedded_gguf(), prompt, args.tokens),
            "bare transformers model.generate (float32)": transformers_bare}
    for work in rows.values():
        work()  # warm-up
    seconds: dict[str, list[float]] = {name: [] for name in rows}
    counts: dict[str, int] = {}
    for _ in range(args.repeats):
        for name, work in rows.items():
            counts[name], spent = timed(work)
            seconds[name].append(spent)
    engine.vocab = vocab
    bare = statistics.median(seconds["bare llama.cpp (cyllama low-level loop)"])
    print("| engine | new tokens | median s | tokens/s | time / bare llama.cpp |")
    print("|---|---|---|---|---|")
    for name in rows:
        median = statistics.median(seconds[name])
        print(f"| {name} | {counts[name]} | {median:.2f} | {counts[name] / median:.1f} | {median / bare:.2f} |")

    story, texts = article_set(args.articles)
    for label, documents, words in (("seeds (5 articles)", [p.read_text(encoding="utf-8") for p in
                                                            sorted((ROOT / "seeds").glob("*.txt"))], 120),
                                    (f"ECB+ story {story} ({len(texts)} articles)", texts, 260)):
        request = BriefRequest.model_validate({"documents": [{"text": t} for t in documents],
                                               "options": {"mode": "model", "max_words": words}})
        pipeline.run(request)  # warm-up
        response, spent = timed(lambda: pipeline.run(request))  # noqa: B023
        sentences = [s for story_out in response.stories for s in story_out.brief.sentences]
        rejected = sum(len(s.brief.rejected) for s in response.stories)
        kept = sum(s.origin != "copied" for s in sentences)
        print(f"warm model brief, {label}, {words} words: {spent:.1f} s (writer "
              f"{response.timings_ms['writer'] / 1000:.1f} s), {sum(s.brief.generated_tokens for s in response.stories)}"
              f" tokens, {kept} generated sentences kept, {rejected} rejected, {len(sentences) - kept} copied")


if __name__ == "__main__":
    main()
