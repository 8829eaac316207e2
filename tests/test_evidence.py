from service.pipeline import Pipeline
from service.schemas import BriefRequest, BriefResponse
from tests.conftest import seed_documents


def run(pipeline: Pipeline, documents: list[dict[str, str]], **options: object) -> BriefResponse:
    return pipeline.run(BriefRequest.model_validate({"documents": documents, "options": options}))


def test_brief_respects_the_word_budget_and_cites_real_spans(pipeline: Pipeline) -> None:
    documents = seed_documents()
    texts = {d["id"]: d["text"] for d in documents}
    for budget in (40, 120, 250):
        response = run(pipeline, documents, max_words=budget, mode="extractive")
        for story in response.stories:
            sentences = story.brief.sentences
            assert sentences, "every story gets a brief"
            assert len(story.brief.text.split()) <= max(budget, len(sentences[0].text.split()))
            for sentence in sentences:
                own = [c for c in sentence.citations if texts[c.document_id][c.start:c.end] == sentence.text]
                assert own, f"the extracted sentence is cited where it stands: {sentence.text!r}"
                for citation in sentence.citations:
                    assert citation.document_id in story.document_ids
                    assert 0 <= citation.start < citation.end <= len(texts[citation.document_id])


def test_corroborated_lead_comes_first_and_counts_sources(pipeline: Pipeline) -> None:
    story = run(pipeline, seed_documents(), mode="extractive").stories[0]
    first = story.brief.sentences[0]
    assert "37" in first.text and first.sources >= 3
    assert len({c.document_id for c in first.citations}) == first.sources


def test_copies_do_not_count_as_extra_sources(pipeline: Pipeline) -> None:
    documents = seed_documents()[:4]
    base = run(pipeline, documents, mode="extractive").stories[0]
    copies = [{"id": f"copy-{n}", "text": documents[1]["text"]} for n in range(3)]
    padded = run(pipeline, documents + copies, mode="extractive").stories[0]
    assert padded.sources == base.sources == 4
    assert max(s.sources for s in padded.brief.sentences) <= 4


def test_no_repeated_claims(pipeline: Pipeline) -> None:
    story = run(pipeline, seed_documents(), max_words=250, mode="extractive").stories[0]
    numbers_37 = [s for s in story.brief.sentences if "37" in s.text]
    assert len(numbers_37) <= 2, [s.text for s in numbers_37]
