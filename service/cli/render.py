"""What the command line prints: briefs with numbered citations, and what was read from each file."""

from __future__ import annotations

from ..schemas import BriefOut, BriefResponse, ExtractResponse, StoryOut


def render(response: BriefResponse) -> str:
    """A readable brief per story, with numbered citations listed under it."""
    lines: list[str] = []
    for story in response.stories:
        lines += [f"## {story.title}", f"{story.id}: {counted(len(story.document_ids), 'document')}, "
                  f"{counted(story.sources, 'independent source')}: {', '.join(story.document_ids)}",
                  written_by(story.brief), ""]
        numbers: dict[tuple[str, int, int], int] = {}
        for sentence in story.brief.sentences:
            refs = [numbers.setdefault((c.document_id, c.start, c.end), len(numbers) + 1) for c in sentence.citations]
            lines.append(f"{sentence.text} {''.join(f'[{n}]' for n in refs)}")
        lines.append("")
        lines += [f"  [{n}] {doc} chars {start}-{end}" for (doc, start, end), n in numbers.items()]
        lines.append("")
        lines += _sources_differ(story)
    left_out = [d for d in response.documents if d.status == "left_out"]
    if left_out:
        lines.append("Left out:")
        lines += [f"  {d.id}: {d.reason}" for d in left_out]
    return "\n".join(lines).rstrip() + "\n"


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`1 document`, `2 documents`: the count with its noun in the right number."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def written_by(brief: BriefOut) -> str:
    """Which writer wrote the brief (the model named, with how many sentences it wrote), and whether evidence
    sentences filled it."""
    if brief.written:
        writer = f"model writer ({brief.model}, {brief.written} of {len(brief.sentences)} sentences)"
    else:
        writer = "extractive writer" + (f" ({brief.model} wrote no sentence that verify kept)" if brief.model else "")
    return f"written by the {writer}" + ("; evidence sentences filled what verify removed" if brief.fallback else "")


def _sources_differ(story: StoryOut) -> list[str]:
    """The story's disagreements: each value with the documents and spans that state it."""
    if not story.disagreements:
        return []
    lines = ["Sources differ:"]
    for item in story.disagreements:
        sides = [f"{v.written} ({', '.join(f'{c.document_id} {c.start}-{c.end}' for c in v.citations)})"
                 for v in item.values]
        joiner = " then " if item.status == "update" else " vs "
        lines.append(f"  {item.slot}: {joiner.join(sides)}" + (" (later reports)" if item.status == "update" else ""))
    return lines + [""]


def render_reading(response: ExtractResponse) -> str:
    """Per document: what was found about it, then each paragraph read with its offsets, those that
    briefs use nothing of marked with why."""
    lines: list[str] = []
    for doc in response.documents:
        lines += [f"## {doc.id} ({doc.format}): {doc.title or '(no title)'}",
                  f"source: {doc.source or '-'}  date: {doc.published_at.isoformat() if doc.published_at else '-'}  "
                  f"url: {doc.url or '-'}  language: {doc.language or '-'}"]
        if doc.reason:
            lines.append(f"left out: {doc.reason}")
        if doc.unaligned_characters:
            lines.append(f"not found in the page, left out: {doc.unaligned_characters} characters")
        lines.append("")
        lines += [f"  [{p.start}:{p.end}] {f'(left out: {p.left_out}) ' if p.left_out else ''}{p.text}"
                  for p in doc.paragraphs]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
