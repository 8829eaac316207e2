import gzip
import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.http.app import create_app
from service.http.observability import JsonFormatter
from service.pipeline import Pipeline
from service.settings import load_settings
from tests.conftest import eventually, seed_documents, with_settings


@pytest.fixture
def client(pipeline: Pipeline) -> Iterator[TestClient]:
    with TestClient(create_app(pipeline=pipeline)) as test_client:
        yield test_client


@pytest.fixture
def strict_client(pipeline: Pipeline) -> Iterator[TestClient]:
    """The same models under tight limits, to reach each limit with small requests."""
    limited = with_settings(pipeline, max_documents=6, max_document_chars=6000, max_total_chars=20000,
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


def test_head_and_the_icon_answer_like_get(client: TestClient) -> None:
    """`HEAD /` was a 405, and /favicon.ico a 404 that the page logged as an error."""
    for path in ("/", "/favicon.ico"):
        head, get = client.head(path), client.get(path)
        assert head.status_code == get.status_code == 200 and head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]
    assert client.get("/favicon.ico").headers["content-type"] == "image/svg+xml"
    assert '<link rel="icon" href="/static/favicon.svg"' in client.get("/").text
    assert client.get("/static/favicon.svg").content == client.get("/favicon.ico").content


def test_a_timeout_under_a_second_is_stated_as_asked(client: TestClient) -> None:
    """`timeout_s: 0.001` was answered "longer than 0 s"."""
    response = client.post("/v1/briefs", json={"documents": seed_documents(), "options": {"timeout_s": 0.001}})
    assert_error(response, 504, None)
    error = response.json()["error"]
    assert error["field"] == "options.timeout_s" and error["limit"] == 0.001
    assert "longer than 0.001 s" in error["message"]


def test_not_ready_until_models_load() -> None:
    app = create_app(settings=load_settings(embedding_model="/nonexistent/model"))
    with TestClient(app) as test_client:
        eventually(lambda: app.state.brief.failure is not None)  # the background load fails on a missing directory
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


LONG_SENTENCE = ("The council approved a plan on Monday to build 37 new parks, three libraries and a swimming pool "
                 "across the northern districts of the city by 2030.")


@pytest.mark.parametrize("text", ["word " * 38000, LONG_SENTENCE], ids=["unpunctuated line", "one long sentence"])
def test_max_words_holds_when_one_sentence_is_longer_than_the_budget(client: TestClient, text: str) -> None:
    """The brief is the sentence's first `max_words` words, cut on a word boundary, cited exactly where they stand."""
    body = client.post("/v1/briefs", json={"documents": [{"id": "a", "text": text}], "options": {"max_words": 10}}).json()
    [story] = body["stories"]
    assert len(story["brief"]["text"].split()) == 10
    for sentence in story["brief"]["sentences"]:
        assert [text[c["start"]:c["end"]] for c in sentence["citations"]] == [sentence["text"]]


def test_max_words_holds_on_a_page_and_the_cut_sentence_cites_its_markup(client: TestClient) -> None:
    """On a page, a sentence's span is the markup that holds it (here with an entity), and holds the words kept."""
    page = f"<html><body><article><p>{LONG_SENTENCE.replace(' and ', ' &amp; ')}</p></article></body></html>"
    body = client.post("/v1/briefs", json={"documents": [{"id": "page", "text": page}],
                                           "options": {"max_words": 12}}).json()
    [sentence] = body["stories"][0]["brief"]["sentences"]
    assert sentence["text"] == "The council approved a plan on Monday to build 37 new parks,"
    [citation] = sentence["citations"]
    assert page[citation["start"]:citation["end"]] == LONG_SENTENCE.replace(" and ", " &amp; ")


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
    ({"documents": [{"text": "x"}], "options": {"max_words": "50"}}, 422, "options.max_words"),  # a string
    ({"documents": [{"text": "x"}], "options": {"max_words": True}}, 422, "options.max_words"),  # not 1
    ({"documents": [{"text": "x"}], "options": {"story_threshold": "0.5"}}, 422, "options.story_threshold"),
    ({"documents": [{"text": "x"}] * 7}, 413, "documents"),
    ({"documents": [{"text": "x" * 6001}]}, 413, "documents[0].text"),
    ({"documents": [{"text": "x" * 5000}] * 5}, 413, "documents"),
    ({"documents": [{"text": "x"}], "options": {"mode": "model"}}, 422, "options.mode"),
    ({"documents": [{"text": "x", "published_at": "-1"}]}, 422, "documents[0].published_at"),  # not 1969
    ({"documents": [{"text": "x", "published_at": 1700000000}]}, 422, "documents[0].published_at"),  # ISO 8601 only
])
def test_bad_input_names_the_field_and_service_keeps_serving(strict_client: TestClient, payload: dict,
                                                             status: int, field: str) -> None:
    assert_error(strict_client.post("/v1/briefs", json=payload), status, field)
    if status == 413:  # the limit, and the setting that raises it
        error = strict_client.post("/v1/briefs", json=payload).json()["error"]
        assert error["limit"] > 0 and "(BRIEF_MAX_" in error["message"], error
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
    for status, response in responses.items():
        if status != "200" and not status.startswith("2"):
            assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}


def test_docs_load_no_asset_from_outside(client: TestClient) -> None:
    """/docs and /redoc must work offline: every script, style and icon they name is served here."""
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        assets = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", html)
        assert assets, html
        for asset in assets:
            assert not re.match(r"(https?:)?//", asset), f"{page} loads {asset} from outside"
            served = client.get(asset)
            assert served.status_code == 200 and served.content, asset


def test_lone_surrogates_become_replacement_characters(client: TestClient) -> None:
    """A `\\ud800` escape in any string field: U+FFFD in its place, every offset unchanged, never a 500."""
    broken = seed_documents()[0]["text"].replace("cartel", "cart\ud800l")
    body = {"documents": [{"id": "a\udc00", "text": broken, "title": "Title \udfff"}]}
    response = client.post("/v1/briefs", content=json.dumps(body), headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["documents"][0]["id"] == "a\ufffd" and result["stories"][0]["title"] == "Title \ufffd"
    fixed = broken.replace("\ud800", "\ufffd")
    sentences = result["stories"][0]["brief"]["sentences"]
    assert any("cart\ufffdl" in s["text"] for s in sentences)
    for sentence in sentences:
        assert any(fixed[c["start"]:c["end"]] == sentence["text"] for c in sentence["citations"])
    unknown = client.post("/v1/briefs", content='{"documents": [{"text": "x", "\\ud800": 1}]}',
                          headers={"content-type": "application/json"})
    assert_error(unknown, 422, None)


@pytest.mark.parametrize(("raw", "headers", "status", "field", "says"), [
    (b'{"documents": [{"text": "caf\xed\xa0\x80"}]}', {}, 400, "body", "CESU-8"),
    ('{"documents": [{"text": "caf\xe9"}]}'.encode("latin-1"), {}, 400, "body", "latin-1"),
    (gzip.compress(b'{"documents": [{"text": "x"}]}'), {"content-encoding": "gzip"}, 415, "Content-Encoding", "gzip"),
    (gzip.compress(b'{"documents": [{"text": "x"}]}'), {}, 400, "body", "gzip"),
    (b'{"documents": [{"text": "x"}]}', {"content-type": "text/plain"}, 415, "Content-Type", "got text/plain"),
    (b"documents=x", {"content-type": "application/x-www-form-urlencoded"}, 415, "Content-Type", "application/json"),
    (b'{"documents": [{"text": "x"}]}', {"content-type": "application/json; charset=latin-1"}, 415, "Content-Type",
     "latin-1"),
], ids=["cesu-8", "latin-1", "gzip-declared", "gzip-undeclared", "text-plain", "form", "charset-latin-1"])
def test_wrong_encodings_and_types_say_what_was_expected(client: TestClient, raw: bytes, headers: dict[str, str],
                                                         status: int, field: str, says: str) -> None:
    response = client.post("/v1/briefs", content=raw, headers={"content-type": "application/json"} | headers)
    assert_error(response, status, field)
    message = response.json()["error"]["message"]
    assert says in message and ("UTF-8" in message or "application/json" in message or "uncompressed" in message)


def test_missing_content_type_is_named(client: TestClient) -> None:
    response = client.post("/v1/briefs", content=b'{"documents": [{"text": "x"}]}')
    assert_error(response, 415, "Content-Type")


def test_an_unexpected_error_is_one_json_500_with_its_request_id(pipeline: Pipeline) -> None:
    """A failure no handler knows (injected: the real ones are fixed) gets the error shape and one log line."""
    broken = with_settings(pipeline)

    def failing_run(request, cancel=None):  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug")

    broken.run = failing_run  # type: ignore[method-assign]
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(JsonFormatter())  # formats as the service's handler does: when the line is logged
    logging.getLogger().addHandler(handler)
    try:  # the test client raises what the app re-raises: nothing may escape
        with TestClient(create_app(pipeline=broken)) as http:
            response = http.post("/v1/briefs", json={"documents": seed_documents()[:1]},
                                 headers={"X-Request-ID": "trace-500"})
            assert http.get("/healthz").status_code == 200
    finally:
        logging.getLogger().removeHandler(handler)
    assert_error(response, 500, None)
    assert response.headers["x-request-id"] == "trace-500"
    logged = [json.loads(line) for line in lines.getvalue().splitlines()]
    tracebacks = [line for line in logged if "exc" in line]
    assert len(tracebacks) == 1 and tracebacks[0]["request_id"] == "trace-500"
    assert "RuntimeError: a bug" in tracebacks[0]["exc"]


def test_the_readme_example_answers_as_the_readme_says(client: TestClient) -> None:
    """The first request a new user pastes: one story of two sources, nothing left out."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    body = re.search(r"curl -s localhost:8000/v1/briefs .*?<<'EOF'\n(.*?)\nEOF", readme, re.DOTALL)
    assert body is not None
    response = client.post("/v1/briefs", json=json.loads(body.group(1)))
    assert response.status_code == 200, response.text
    [story] = response.json()["stories"]
    assert story["sources"] == 2 and story["brief"]["sentences"][0]["sources"] == 2, story
    assert {c["document_id"] for c in story["brief"]["sentences"][0]["citations"]} == {"wire", "local"}
    assert [fact["written"] for fact in story["facts"]] == ["37"]
    sheinbaum = [s["citations"] for s in story["brief"]["sentences"] if "Sheinbaum" in s["text"]]
    assert sorted(c["document_id"] for cited in sheinbaum for c in cited) == ["local", "wire"]  # each to its own
    assert all(d["status"] == "in_story" for d in response.json()["documents"])


@pytest.mark.parametrize(("document", "message"), [
    ({"id": "", "text": "x"}, "documents[0].id: at least 1 character, not 0"),
    ({"id": "a" * 201, "text": "x"}, "documents[0].id: at most 200 characters, not 201"),
    ({"id": "two\nlines", "text": "x"}, "documents[0].id: must have no control characters (line breaks, tabs, NUL)"),
])
def test_a_refused_value_is_told_the_rule_in_words(client: TestClient, document: dict, message: str) -> None:
    """Not pydantic's "items after validation" nor the regular expression of a pattern."""
    assert client.post("/v1/briefs", json={"documents": [document]}).json()["error"]["message"] == message


def test_malformed_json_is_located_in_the_body(client: TestClient) -> None:
    body = '{"documents": [{"text": "Caf\u00e9 au lait"}, ]}'.encode()  # é: two bytes, one character
    error = client.post("/v1/briefs", content=body, headers={"content-type": "application/json"}).json()["error"]
    assert error["field"] == "body" and [d["field"] for d in error["errors"]] == ["body"], error
    assert error["errors"][0]["message"] == "Expecting value at character 41", error


def test_a_threshold_that_is_not_a_number_is_told_so(client: TestClient) -> None:
    """Python's JSON reader takes NaN; a threshold of NaN is no number, not one over its limit."""
    body = b'{"documents": [{"text": "x"}], "options": {"rewrite_threshold": NaN}}'
    error = client.post("/v1/briefs", content=body, headers={"content-type": "application/json"}).json()["error"]
    assert error["message"] == "options.rewrite_threshold: Input should be a finite number", error
