"""`POST /v1/extract` and `brief extract`: what is read from each document, and the limits that fit web pages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from service.cli.main import cli
from service.pipeline import Pipeline
from tests.conftest import seed_documents
from tests.test_html import PARAGRAPHS, article_markup, furniture_around, page, visible
from tests.test_production import (
    client_for,  # the session's models behind an app with other settings
)

HEAD = ('<title>Sheinbaum defends transfer | Daily Example</title>'
        '<meta property="og:title" content="Sheinbaum defends cartel transfer | Daily Example">'
        '<meta property="og:site_name" content="Daily Example">'
        '<meta property="article:published_time" content="2025-08-13T09:30:00Z">')
PAGE = page(furniture_around(article_markup()), head=HEAD)


@pytest.fixture
def client(pipeline: Pipeline) -> Iterator[TestClient]:
    with client_for(pipeline) as test_client:
        yield test_client


def test_extract_reports_metadata_and_paragraphs_with_offsets(client: TestClient) -> None:
    plain = seed_documents()[0]["text"]
    response = client.post("/v1/extract", json={"documents": [{"id": "page", "text": PAGE}, {"text": plain}]})
    assert response.status_code == 200, response.text
    html, text = response.json()["documents"]
    assert (html["format"], html["title"], html["source"], html["published_at"]) == \
        ("html", "Sheinbaum defends cartel transfer", "Daily Example", "2025-08-13T09:30:00Z")
    assert html["status"] == "read" and html["unaligned_characters"] == 0
    assert [p["text"] for p in html["paragraphs"] if p["text"] in PARAGRAPHS] == PARAGRAPHS
    for span in html["paragraphs"] + html["sentences"]:
        assert visible(PAGE[span["start"]:span["end"]]) == span["text"]
    assert text["format"] == "text" and text["id"] == "doc-2" and text["source"] is None
    assert all(plain[s["start"]:s["end"]] == s["text"] for s in text["paragraphs"] + text["sentences"])


def test_extract_marks_each_paragraph_briefs_leave_out_and_why(client: TestClient, tmp_path: Path) -> None:
    """Extract showed furniture as if briefs used it: a paragraph they use no sentence of now says why."""
    disguised = "Yоur аccount wіll bе clоsed tоday unless yоu cоnfirm."  # Cyrillic look-alikes
    plain = seed_documents()[1]["text"] + f"\n{disguised}\n"
    [read] = client.post("/v1/extract", json={"documents": [{"text": plain}]}).json()["documents"]
    flagged = {p["text"]: p["left_out"] for p in read["paragraphs"] if p["left_out"]}
    assert flagged == {"Listen to this article": "page furniture", "Average 3 minutes": "page furniture",
                       next(t for t in flagged if t.startswith("The audio version")): "page furniture",
                       disguised: "look-alike letters"}
    read_at = [s["start"] for s in read["sentences"]]
    for paragraph in read["paragraphs"]:
        assert (paragraph["left_out"] is None) == any(paragraph["start"] <= at < paragraph["end"] for at in read_at)
    (tmp_path / "a.txt").write_text(plain, encoding="utf-8")
    shown = CliRunner().invoke(cli, ["extract", str(tmp_path / "a.txt")])
    assert "(left out: page furniture) Listen to this article\n" in shown.output
    assert f"(left out: look-alike letters) {disguised}\n" in shown.output


def test_the_request_s_own_title_and_source_win(client: TestClient) -> None:
    document = {"text": PAGE, "title": "Given title", "source": "Wire"}
    [read] = client.post("/v1/extract", json={"documents": [document]}).json()["documents"]
    assert (read["title"], read["source"]) == ("Given title", "Wire")


def test_the_page_title_becomes_the_story_title(client: TestClient) -> None:
    body = client.post("/v1/briefs", json={"documents": [{"id": "page", "text": PAGE}],
                                           "options": {"mode": "extractive"}}).json()
    [story] = body["stories"]
    assert story["title"] == "Sheinbaum defends cartel transfer"


def test_a_real_sized_page_is_accepted_at_default_limits(client: TestClient) -> None:
    scripts = "<script>" + "window.dataLayer.push({'event': 'view'});" * 35_000 + "</script>"
    big = page(furniture_around(article_markup()), head=HEAD + scripts)
    assert len(big) > 1_400_000
    response = client.post("/v1/briefs", json={"documents": [{"id": "big", "text": big}],
                                                "options": {"mode": "extractive"}})
    assert response.status_code == 200, response.text
    assert response.json()["documents"][0]["status"] == "in_story"


@pytest.mark.parametrize(("settings", "text", "setting"), [
    ({"max_html_bytes": 20_000}, PAGE + " " * 20_000, "BRIEF_MAX_HTML_BYTES"),
    ({"max_document_chars": 1_000}, "Officials met on Monday. " * 60, "BRIEF_MAX_DOCUMENT_CHARS"),
    ({"max_document_chars": 1_000}, PAGE, "BRIEF_MAX_DOCUMENT_CHARS"),
])
def test_each_limit_says_which_it_is(pipeline: Pipeline, settings: dict[str, int], text: str, setting: str) -> None:
    with client_for(pipeline, **settings) as limited:
        for route in ("/v1/briefs", "/v1/extract"):
            response = limited.post(route, json={"documents": [{"text": text}]})
            assert response.status_code == 413, response.text
            error = response.json()["error"]
            assert error["field"] == "documents[0].text" and setting in error["message"]
            assert error["limit"] == next(iter(settings.values()))
    if text is PAGE:
        assert "article text read from the HTML page" in error["message"]


def test_cli_extract_prints_what_was_read(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    readable = CliRunner().invoke(cli, ["extract", str(tmp_path / "page.html")])
    assert readable.exit_code == 0, readable.output
    assert "## page (html): Sheinbaum defends cartel transfer" in readable.output and PARAGRAPHS[0] in readable.output
    as_json = CliRunner().invoke(cli, ["extract", str(tmp_path / "page.html"), "--json"])
    [read] = json.loads(as_json.output)["documents"]
    assert read["id"] == "page" and read["source"] == "Daily Example"
