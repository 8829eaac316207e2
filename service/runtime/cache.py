"""Derived model files (converted weights, a distilled static model) cached under `BRIEF_CACHE_DIR`.

An entry is named by the content hash of what it was made from, so a changed source never reuses
a stale entry, and it is built in a fresh temporary folder that is renamed into place: two
processes preparing the same entry at once each build their own, one rename wins, and nobody
ever reads a half-written folder.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

KEY_CHARS = 16


def content_key(source: Path) -> str:
    """SHA-256 of a file, or of a folder's files (relative names and contents), shortened."""
    digest = hashlib.sha256()
    files = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
    for path in files:
        digest.update(str(path.relative_to(source) if path != source else path.name).encode())
        with path.open("rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()[:KEY_CHARS]


def cached(cache: Path, name: str, source: Path, build: Callable[[Path], None], marker: str) -> Path:
    """The folder `cache/name-<hash of source>`, built once by `build(folder)`; `marker` is the file that
    proves a folder complete."""
    target = cache / f"{name}-{content_key(source)}"
    if (target / marker).exists():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=cache))
    try:
        build(partial)
        if not (partial / marker).exists():
            raise RuntimeError(f"building {target.name} left no {marker}")
        try:
            partial.rename(target)  # atomic; refused when another process got there first
        except OSError:
            if not (target / marker).exists():
                raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target
