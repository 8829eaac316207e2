"""Writer engines by name: the one place that maps the `mode` setting to engines."""

from __future__ import annotations

from ...runtime.nlp import Parser
from ...settings import Settings
from .base import Draft, DraftSentence, Writer
from .extractive import ExtractiveWriter

NO_MODEL = "none"


def build_writers(settings: Settings, parser: Parser) -> dict[str, Writer]:
    """The extractive engine always; the model engine when a model is configured (it loads here; it parses the
    sentences it compresses with the pipeline's `parser`)."""
    writers: dict[str, Writer] = {"extractive": ExtractiveWriter()}
    if settings.model != NO_MODEL:
        from .model import ModelWriter

        writers["model"] = ModelWriter(settings, parser)
    return writers


__all__ = ["Draft", "DraftSentence", "ExtractiveWriter", "NO_MODEL", "Writer", "build_writers"]
