"""The JSON contract's story and document entries, built from the stages' typed results."""

from __future__ import annotations

from typing import Any

from .brief.disagreements import Claims, Stated
from .brief.verify import Verified
from .brief.writers import Writer
from .schemas import (
    BriefOut,
    CitationOut,
    DisagreementOut,
    DocumentOut,
    DuplicateGroupOut,
    FactOut,
    RejectedOut,
    SentenceOut,
    StatedOut,
    StoryOut,
)
from .types import Article, BriefSentence, Document, Story
from .values.currency import RATES_NAME


def story_out(number: int, story: Story, verified: Verified, writer: Writer, tokens: int,
              claims: Claims) -> StoryOut:
    articles = {a.index: a for a in story.articles}
    ids = {index: article.id for index, article in articles.items()}
    written = sum(s.origin != "copied" for s in verified.sentences)
    return StoryOut(
        **story_fields(number, story),
        brief=BriefOut(text=" ".join(s.text for s in verified.sentences),
                       writer=writer.name if written else "extractive", written=written, model=writer.model,
                       prompt=writer.prompt, generated_tokens=tokens, fallback=verified.fallback,
                       sentences=[_sentence_out(s, articles) for s in verified.sentences],
                       rejected=[RejectedOut(text=r.text, reason=r.reason, replaced_by=r.replaced_by)
                                 for r in verified.rejected]),
        facts=[FactOut(kind=slot.kind, slot=slot.label, **_stated(slot.values[0], ids)) for slot in claims.facts],
        disagreements=[DisagreementOut(kind=slot.kind, slot=slot.label, status=slot.status,
                                       values=[StatedOut(**_stated(v, ids)) for v in slot.values],
                                       rates=RATES_NAME if len({v.mentions[0].value.unit for v in slot.values}) > 1
                                       else None)
                       for slot in claims.disagreements])


def story_fields(number: int, story: Story) -> dict[str, Any]:
    """What a story is before its brief is written: its documents, sources, dates and copy groups."""
    articles = story.articles
    dates = sorted(a.published_at for a in articles if a.published_at is not None)
    return dict(
        id=f"story-{number}", title=_title(story), document_ids=[a.id for a in articles],
        sources=len(story.groups), outlets=sorted({a.source for a in articles if a.source}),
        published_from=dates[0] if dates else None, published_to=dates[-1] if dates else None,
        cohesion=story.cohesion,
        duplicate_groups=[DuplicateGroupOut(representative=g.representative.id, members=[m.id for m in g.members],
                                            similarity=g.similarity) for g in story.groups])


def _stated(stated: Stated, ids: dict[int, str]) -> dict[str, Any]:
    """One value of a slot: the sources that state it and the sentences they state it in."""
    sentences = list(dict.fromkeys(m.sentence for m in stated.mentions))
    return {"value": stated.value, "written": stated.written, "currency": stated.mentions[0].value.unit or None,
            "sources": len(stated.groups),
            "document_ids": list(dict.fromkeys(ids[s.doc] for s in sentences)), "published_at": stated.published,
            "citations": [CitationOut(document_id=ids[s.doc], start=s.start, end=s.end) for s in sentences]}


def _title(story: Story) -> str:
    """The title of the largest group's representative, else of any member, else its lead sentence."""
    groups = sorted(story.groups, key=lambda g: -len(g.members))
    members = [g.representative for g in groups] + [m for g in groups for m in g.members]
    return next((m.title for m in members if m.title), members[0].body[0].text)


def _sentence_out(sentence: BriefSentence, articles: dict[int, Article]) -> SentenceOut:
    return SentenceOut(text=sentence.text, sources=sentence.sources, support=round(sentence.support, 4),
                       origin=sentence.origin, merged=sentence.merged, citations=[CitationOut(document_id=articles[c.doc].id, start=c.start, end=c.end,
                                              url=articles[c.doc].url) for c in sentence.citations])


def document_statuses(documents: list[Document], stories: list[Story], out: list[StoryOut]) -> list[DocumentOut]:
    """Every input document, in input order: its story and why it is there, or why it was left out."""
    placed: dict[int, tuple[str, str, str | None, float | None]] = {}  # index -> story, group, via, score
    for story, entry in zip(stories, out):
        for group, link in zip(story.groups, story.links):
            rep = group.representative
            for member in group.members:
                if member is rep:
                    via, score = (link.via.id, link.score) if link else (None, None)
                else:
                    via, score = rep.id, group.similarity
                placed[member.index] = (entry.id, rep.id, via, score)
    statuses = []
    for d in documents:
        story_id, representative, via, score = placed.get(d.index, (None, None, None, None))
        statuses.append(DocumentOut(id=d.id, status="in_story" if story_id else "left_out", story_id=story_id,
                                    duplicate_group=representative, joined_via=via, join_score=score, reason=d.left_out,
                                    language=d.language))
    return statuses
