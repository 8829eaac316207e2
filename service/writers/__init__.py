"""Writer engines by name: the one place that maps the `mode` setting to a class."""

from __future__ import annotations

from .base import Draft, DraftSentence, Writer
from .extractive import ExtractiveWriter

ENGINES: dict[str, type] = {"extractive": ExtractiveWriter}

__all__ = ["ENGINES", "Draft", "DraftSentence", "ExtractiveWriter", "Writer"]
