"""The OpenAI-compatible generation endpoint, end to end against real servers on loopback.

The server is cyllama's OpenAI-compatible server (`python -m cyllama.llama.server`, the command
behind `cyllama server`: llama.cpp behind a pure-Python HTTP server that answers
`/v1/chat/completions`, `/v1/models` and `/health`), started here as a separate process serving the
embedded SmolLM2 GGUF. It is third-party code speaking the protocol, not the service's own engine.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bench.server import free_port, wait_until_ready
from service.brief.writers.loading import embedded_gguf
from service.http.app import create_app
from service.pipeline import Pipeline
from service.settings import load_settings
from tests.conftest import seed_documents


@pytest.fixture(scope="module")
def endpoint() -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "cyllama.llama.server", "-m", str(embedded_gguf()), "--port",
                               str(port), "--ctx-size", "2048"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until_ready(server, f"http://127.0.0.1:{port}/health", within=120)
    yield server, f"http://127.0.0.1:{port}/v1"
    server.terminate()
    server.wait(30)


def client_for(pipeline: Pipeline, url: str, **settings: object) -> TestClient:
    configured = load_settings(engine="openai", endpoint_url=url, endpoint_model="smollm2", **settings)
    return TestClient(create_app(pipeline=Pipeline(configured, embedder=pipeline.embedder)))


def test_model_brief_through_a_real_endpoint_and_readiness_follows_it(
        endpoint: tuple[subprocess.Popen[bytes], str], pipeline: Pipeline) -> None:
    server, url = endpoint
    # One source: the seeds retell one story, so the others tell every phrase of each and no compression may cut one.
    documents = seed_documents()[:1]
    with client_for(pipeline, url) as client:
        assert client.get("/readyz").status_code == 200
        response = client.post("/v1/briefs", json={"documents": documents,
                                                   "options": {"mode": "model", "max_words": 40}})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["model"]["generator"] == "smollm2" and body["model"]["prompt"].startswith("instruct-compress-v1")
        main = body["stories"][0]
        assert main["brief"]["generated_tokens"] > 0  # the endpoint wrote, verify judged
        texts = {d["id"]: d["text"] for d in documents}
        for story in body["stories"]:
            for sentence in story["brief"]["sentences"]:
                assert sentence["citations"]
                for c in sentence["citations"]:
                    assert len(texts[c["document_id"]][c["start"]:c["end"]].split()) >= 3
        server.terminate()
        server.wait(30)
        ready = client.get("/readyz")
        assert ready.status_code == 503 and url in ready.json()["error"]["message"]


def test_a_down_endpoint_gives_a_clear_error_and_the_service_keeps_serving(pipeline: Pipeline) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    with client_for(pipeline, url, endpoint_retries=1, endpoint_timeout=2) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 503 and "unreachable" in ready.json()["error"]["message"]
        failed = client.post("/v1/briefs", json={"documents": seed_documents(), "options": {"mode": "model"}})
        assert failed.status_code == 502
        error = failed.json()["error"]
        assert error["code"] == "generator_unavailable" and url in error["message"] and "1 retries" in error["message"]
        served = client.post("/v1/briefs", json={"documents": seed_documents(), "options": {"mode": "extractive"}})
        assert served.status_code == 200


def test_an_endpoint_that_never_answers_times_out(pipeline: Pipeline) -> None:
    with socket.socket() as silent:  # accepts connections (in its backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/v1"
        with client_for(pipeline, url, endpoint_retries=0, endpoint_timeout=0.5) as client:
            failed = client.post("/v1/briefs", json={"documents": seed_documents(), "options": {"mode": "model"}})
    assert failed.status_code == 502
    assert "did not answer within 0.5 s" in failed.json()["error"]["message"]
