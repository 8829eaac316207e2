"""The claims stage's facts and disagreements as response models: document ids and citation spans."""

from __future__ import annotations

from .claims import Claims, Slot, Stated
from .schemas import CitationOut, DisagreementOut, FactOut, StatedOut


def _stated(stated: Stated, ids: dict[int, str]) -> dict[str, object]:
    sentences = list(dict.fromkeys(m.sentence for m in stated.mentions))
    return {"value": stated.value, "written": stated.written, "sources": len(stated.groups),
            "document_ids": list(dict.fromkeys(ids[s.doc] for s in sentences)), "published_at": stated.published,
            "citations": [CitationOut(document_id=ids[s.doc], start=s.start, end=s.end) for s in sentences]}


def facts_out(claims: Claims, ids: dict[int, str]) -> list[FactOut]:
    """Each agreed slot with its sources and citations."""
    return [FactOut(kind=slot.kind, slot=slot.label, **_stated(slot.values[0], ids)) for slot in claims.facts]


def disagreements_out(claims: Claims, ids: dict[int, str]) -> list[DisagreementOut]:
    """Each disputed or updated slot with every value, its sources and citations."""
    return [_disagreement(slot, ids) for slot in claims.disagreements]


def _disagreement(slot: Slot, ids: dict[int, str]) -> DisagreementOut:
    return DisagreementOut(kind=slot.kind, slot=slot.label, status=slot.status,
                           values=[StatedOut(**_stated(v, ids)) for v in slot.values])
