"""The packaged spaCy pipeline loads offline and parses roles and entities."""

from __future__ import annotations

from service.runtime.nlp import Parser


def test_the_parser_reads_subjects_objects_and_entities() -> None:
    doc, = Parser().parse(["The jury found Jose Luis Orozco guilty in Texas on Monday."])
    roles = {token.text: (token.dep_, token.head.text) for token in doc}
    assert roles["jury"] == ("nsubj", "found")
    assert {(e.text, e.label_) for e in doc.ents} >= {("Jose Luis Orozco", "PERSON"), ("Texas", "GPE")}
