import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.pipeline import Pipeline
from service.settings import load_settings
from tests.conftest import seed_documents


@pytest.fixture
def client(pipeline: Pipeline) -> Iterator[TestClient]:
    with TestClient(create_app(pipeline=pipeline)) as test_client:
        yield test_client


@pytest.fixture
def strict_client(pipeline: Pipeline) -> Iterator[TestClient]:
    """The same models under tight limits, to reach each limit with small requests."""
    limited = Pipeline.__new__(Pipeline)
    limited.__dict__.update(pipeline.__dict__)
    limited.settings = load_settings(max_documents=6, max_document_chars=6000, max_total_chars=20000,
                                     max_words_limit=300)
    with TestClient(create_app(pipeline=limited)) as test_client:
        yield test_client


def assert_error(response, status: int, field: str | None) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"status", "code", "message", "field", "limit", "errors"}
    assert error["status"] == status and error["code"] and error["message"]
    if field is not None:
        assert error["field"] == field and field in error["message"]


def test_health_ready_and_docs(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}
    assert client.get("/docs").status_code == 200
    assert "/v1/briefs" in client.get("/openapi.json").json()["paths"]


def test_not_ready_until_models_load() -> None:
    app = create_app(settings=load_settings(embedding_model="/nonexistent/model"))
    with TestClient(app) as test_client:
        for _ in range(200):  # the background load fails fast on a missing directory
            if app.state.brief.failure:
                break
            import time
            time.sleep(0.05)
        assert_error(test_client.get("/readyz"), 503, None)
        assert "failed to load" in test_client.get("/readyz").json()["error"]["message"]
        assert test_client.get("/healthz").status_code == 200
        assert_error(test_client.post("/v1/briefs", json={"documents": seed_documents()}), 503, None)


def test_seeds_end_to_end(client: TestClient) -> None:
    documents = seed_documents()
    texts = {d["id"]: d["text"] for d in documents}
    body = client.post("/v1/briefs", json={"documents": documents, "options": {"max_words": 120}}).json()
    assert [sorted(s["document_ids"]) for s in body["stories"]] == [sorted(texts)[:4], sorted(texts)[4:]]
    assert [d["id"] for d in body["documents"]] == [d["id"] for d in documents]
    assert all(d["status"] == "in_story" and d["story_id"] for d in body["documents"])
    for story in body["stories"]:
        assert story["id"] and story["title"] and story["duplicate_groups"]
        assert story["brief"]["text"] == " ".join(s["text"] for s in story["brief"]["sentences"])
        for sentence in story["brief"]["sentences"]:
            assert sentence["citations"] and 1 <= sentence["sources"] <= len(story["duplicate_groups"])
            for c in sentence["citations"]:
                span = texts[c["document_id"]][c["start"]:c["end"]]
                assert span.strip() == span and len(span.split()) >= 3
    assert body["model"]["writer"] == "extractive" and body["model"]["embedding"] == "all-MiniLM-L6-v2"
    assert {"normalize", "embed", "near_duplicates", "stories", "evidence", "writer", "verify", "total"} <= set(
        body["timings_ms"])
    assert body["settings"]["max_words"] == 120


def test_ids_are_generated_and_useless_documents_reported(client: TestClient) -> None:
    documents = [{"text": d["text"]} for d in seed_documents()[:2]] + [{"text": "Advertisement\nRead more"}]
    body = client.post("/v1/briefs", json={"documents": documents}).json()
    assert [d["id"] for d in body["documents"]] == ["doc-1", "doc-2", "doc-3"]
    left = body["documents"][2]
    assert left["status"] == "left_out" and left["story_id"] is None and "empty after cleaning" in left["reason"]


def test_html_document_citations_point_into_the_page(client: TestClient) -> None:
    paragraphs = [p for p in seed_documents()[1]["text"].splitlines() if p.strip()]
    page = ("<html><body><nav>Home</nav><article><h1>" + paragraphs[0] + "</h1>"
            + "".join(f"<p>{p.replace('&', '&amp;')}</p>" for p in paragraphs[4:]) + "</article></body></html>")
    body = client.post("/v1/briefs", json={"documents": [{"id": "page", "text": page}, seed_documents()[0]]}).json()
    cited = [c for s in body["stories"] for x in s["brief"]["sentences"] for c in x["citations"]
             if c["document_id"] == "page"]
    assert cited
    for c in cited:
        fragment = page[c["start"]:c["end"]]
        assert "<nav>" not in fragment and len(fragment.split()) >= 3


@pytest.mark.parametrize(("payload", "status", "field"), [
    ({"documents": []}, 422, "documents"),
    ({"documents": [{"text": "   \n\t "}]}, 422, "documents[0].text"),
    ({"documents": [{"id": "a", "text": "One story."}, {"id": "a", "text": "Two."}]}, 422, "documents[1].id"),
    ({"documents": [{"text": 42}]}, 422, "documents[0].text"),
    ({"documents": "not a list"}, 422, "documents"),
    ({"documents": [{"id": "a"}]}, 422, "documents[0].text"),
    ({"documents": [{"text": "x", "colour": "red"}]}, 422, "documents[0].colour"),
    ({"documents": [{"text": "x"}], "options": {"mode": "poetry"}}, 422, "options.mode"),
    ({"documents": [{"text": "x"}], "options": {"max_words": 5}}, 422, "options.max_words"),
    ({"documents": [{"text": "x"}], "options": {"max_words": 301}}, 413, "options.max_words"),
    ({"documents": [{"text": "x"}] * 7}, 413, "documents"),
    ({"documents": [{"text": "x" * 6001}]}, 413, "documents[0].text"),
    ({"documents": [{"text": "x" * 5000}] * 5}, 413, "documents"),
    ({"documents": [{"text": "x"}], "options": {"mode": "model"}}, 422, "options.mode"),
])
def test_bad_input_names_the_field_and_service_keeps_serving(strict_client: TestClient, payload: dict,
                                                             status: int, field: str) -> None:
    assert_error(strict_client.post("/v1/briefs", json=payload), status, field)
    if status == 413:
        assert strict_client.post("/v1/briefs", json=payload).json()["error"]["limit"] > 0
    assert strict_client.post("/v1/briefs", json={"documents": seed_documents()[:2]}).status_code == 200


@pytest.mark.parametrize(("raw", "status"), [
    (b'{"documents": [', 400), (b"\xff\xfe{not utf-8}", 400), (b"", 422),
    ('{"documents": [{"text": "caf\xe9"}]}'.encode("latin-1"), 400),
])
def test_malformed_bodies_get_4xx(client: TestClient, raw: bytes, status: int) -> None:
    response = client.post("/v1/briefs", content=raw, headers={"content-type": "application/json"})
    assert_error(response, status, None)
    assert client.get("/healthz").status_code == 200


def test_unknown_route_uses_the_error_shape(client: TestClient) -> None:
    assert_error(client.get("/v1/nothing"), 404, None)
    assert_error(client.get("/v1/briefs"), 405, None)


def test_error_shape_is_pinned_in_openapi(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    responses = schema["paths"]["/v1/briefs"]["post"]["responses"]
    assert {"200", "400", "413", "422", "500", "503"} <= set(responses)
    error_body = schema["components"]["schemas"]["ErrorBody"]["properties"]
    assert set(error_body) == {"status", "code", "message", "field", "limit", "errors"}
    assert json.dumps(schema)  # serialisable
