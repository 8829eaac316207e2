"""The two embedders: the sentence model in either precision, and the static model distilled from it."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
import torch

from service.pipeline import Pipeline, Timer
from service.runtime.embed import Embedder, native_bfloat16
from service.schemas import BriefRequest
from tests.conftest import fixture_document, seed_documents


def seed_lines() -> list[str]:
    return [line for d in seed_documents() for line in d["text"].splitlines() if len(line.split()) > 5]


def test_bfloat16_sentence_vectors_keep_the_float32_geometry() -> None:
    half, full = Embedder(dtype="bfloat16"), Embedder(dtype="float32")
    assert next(half._model.parameters()).dtype == torch.bfloat16
    assert next(full._model.parameters()).dtype == torch.float32
    a, b = half.encode(seed_lines()), full.encode(seed_lines())
    assert a.dtype == b.dtype == np.float32 and np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert (a * b).sum(axis=1).min() > 0.999
    assert np.abs(a @ a.T - b @ b.T).max() < 0.01


@pytest.mark.parametrize(("capabilities", "native"), [
    ({"avx512_f": True, "avx512_bw": True, "avx512_vnni": True, "avx512_bf16": False, "amx_bf16": False}, False),
    ({"avx512_f": True, "avx512_bf16": True, "amx_bf16": False}, True),
    ({"avx512_f": True, "avx512_bf16": False, "amx_bf16": True}, True),
    ({"avx2": True}, False),
])
def test_bfloat16_is_native_only_with_its_instructions(monkeypatch: pytest.MonkeyPatch, capabilities: dict[str, bool],
                                                       native: bool) -> None:
    """Emulated bfloat16 (an AVX-512 CPU without AVX512-BF16 or AMX) ran the sentence model 3x slower than float32."""
    monkeypatch.setattr(torch.cpu, "get_capabilities", lambda: capabilities)
    assert native_bfloat16("cpu") is native


def test_auto_precision_follows_the_cpu_flags_linux_reports() -> None:
    """The same decision against the kernel's own list of this machine's instructions."""
    cpuinfo = Path("/proc/cpuinfo")
    line = next((line for line in cpuinfo.read_text().splitlines() if line.startswith("flags")), None) \
        if cpuinfo.exists() else None
    if line is None:
        pytest.skip("no CPU flags in /proc/cpuinfo on this machine")
    native = bool(set(line.split()) & {"avx512_bf16", "amx_bf16"})
    assert next(Embedder(dtype="auto")._model.parameters()).dtype == (torch.bfloat16 if native else torch.float32)


def test_static_vectors_place_the_same_event_closer_than_another_topic(pipeline: Pipeline) -> None:
    same, other, elsewhere = (d["text"] for d in seed_documents()[:2] + [fixture_document("unrelated_sports")])
    vectors = pipeline.static.encode([same, other, elsewhere, same])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5) and np.allclose(vectors[0], vectors[3])
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_bodies_encoded_together_get_the_vectors_each_would_get_alone(pipeline: Pipeline) -> None:
    texts = [d["text"] for d in seed_documents()]
    request = BriefRequest.model_validate({"documents": [{"text": t} for t in [*texts, texts[0]]]})
    _, together = pipeline.read(request, [str(k) for k in range(len(texts) + 1)], Timer(threading.Event()))
    _, alone = pipeline.read(request, [str(k) for k in range(len(texts) + 1)], Timer(threading.Event()))
    pipeline.static.encode_bodies(together)
    for joint, single in zip(together, alone):
        assert single.body_vectors is None and joint.body_vectors is not None and len(joint.body) > 2
        assert np.allclose(joint.body_vectors, pipeline.static.body_vectors(single), atol=1e-6)
    assert np.array_equal(together[0].body_vectors, together[-1].body_vectors)  # a copy's sentences, encoded once
