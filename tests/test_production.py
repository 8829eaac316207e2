"""Operating the service: queue bounds, time limits, auth, request ids, metrics, body limits, CORS, logs."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from service.errors import Cancelled, Overloaded, RequestTimeout
from service.http.app import create_app
from service.http.lanes import Jobs
from service.http.observability import JsonFormatter
from service.pipeline import Pipeline
from tests.conftest import seed_documents, with_settings
from tests.held_server import hold


def client_for(pipeline: Pipeline, **settings: object) -> TestClient:
    return TestClient(create_app(pipeline=with_settings(pipeline, **settings)))


@pytest.fixture
def client(pipeline: Pipeline) -> Iterator[TestClient]:
    with client_for(pipeline) as test_client:
        yield test_client


class HeldBriefs:
    """Briefs held until released or cancelled: a stand-in for a slow brief that a test controls."""

    def __init__(self, pipeline: Pipeline, **settings: object) -> None:
        self.pipeline = with_settings(pipeline, **settings)
        self.release = threading.Event()
        self.started = threading.Semaphore(0)  # one permit per brief that has started
        self.stopped = threading.Event()
        real_run = self.pipeline.run

        def held_run(request, cancel=None):  # type: ignore[no-untyped-def]
            cancel = cancel or threading.Event()
            self.started.release()
            hold(self.release, cancel)
            try:
                return real_run(request, cancel)
            finally:
                self.stopped.set()

        self.pipeline.run = held_run  # type: ignore[method-assign]

    async def wait_started(self) -> None:
        assert await asyncio.to_thread(self.started.acquire, timeout=30), "no brief started"


async def settle(condition: Callable[[], bool]) -> None:
    """Let the event loop run until `condition()` holds (bounded in loop turns, not in time)."""
    for _ in range(100_000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition not reached")


def test_jobs_refuse_beyond_the_queue_at_once() -> None:
    async def scenario() -> None:
        jobs = Jobs(concurrency=1, queue=1)
        gate, started = threading.Event(), threading.Event()
        first = asyncio.create_task(jobs.run(lambda cancel: started.set() or gate.wait(30), 30))
        second = asyncio.create_task(jobs.run(lambda cancel: "second", 30))
        await asyncio.to_thread(started.wait, 30)
        await settle(lambda: jobs.waiting == 1)
        assert (jobs.running, jobs.waiting) == (1, 1)
        with pytest.raises(Overloaded):  # not RequestTimeout: refused without waiting for a slot
            await jobs.run(lambda cancel: "third", 30)
        gate.set()
        assert await first is True and await second == "second"
        assert (jobs.running, jobs.waiting) == (0, 0)

    asyncio.run(scenario())


def test_work_that_stores_is_answered_with_what_it_did_even_past_its_deadline() -> None:
    """A desk batch answered 504 at its deadline though its transaction went on to commit (a hostile pass found the
    documents stored after the 504). Settled work is told to stop, then awaited: a stop before any change is a
    timeout, a change made is the answer. Work that is not settled is answered at its deadline, as before."""
    def committing(cancel: threading.Event) -> str:
        cancel.wait(30)  # past its deadline, and past the point where it could stop
        return "stored"

    def stopping(cancel: threading.Event) -> str:
        cancel.wait(30)
        raise Cancelled("stopped before storing")

    async def scenario() -> None:
        jobs = Jobs(concurrency=2, queue=0)
        assert await jobs.run(committing, 0.01, settle=True) == "stored"
        with pytest.raises(RequestTimeout):
            await jobs.run(stopping, 0.01, settle=True)
        with pytest.raises(RequestTimeout):
            await jobs.run(committing, 0.01)
        await settle(lambda: jobs.running == 0)

    asyncio.run(scenario())


def test_overload_gets_503_with_retry_after_and_no_500(pipeline: Pipeline) -> None:
    """Holds the one slot and the one queue place, then overflows the queue."""
    held = HeldBriefs(pipeline, max_concurrency=1, max_queue=1)
    app = create_app(pipeline=held.pipeline)
    jobs = app.state.brief.lanes["extractive"]
    body = {"documents": seed_documents()[:2]}

    async def scenario() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=30) as http:
            jobs.open()
            tasks = [asyncio.create_task(http.post("/v1/briefs", json=body)) for _ in range(2)]
            await held.wait_started()
            await settle(lambda: jobs.waiting == 1)
            refused = [await http.post("/v1/briefs", json=body) for _ in range(3)]
            held.release.set()
            return refused + [await t for t in tasks]

    responses = asyncio.run(scenario())
    statuses = [r.status_code for r in responses]
    assert statuses[:3] == [503, 503, 503] and statuses[3:] == [200, 200]
    assert responses[0].headers["retry-after"] and responses[0].json()["error"]["code"] == "overloaded"


def test_timeout_gets_504_and_the_work_stops(pipeline: Pipeline) -> None:
    held = HeldBriefs(pipeline)  # never released: only the timeout's cancellation ends it
    app = create_app(pipeline=held.pipeline)
    jobs = app.state.brief.lanes["extractive"]

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=30) as http:
            jobs.open()
            response = await http.post("/v1/briefs", json={"documents": seed_documents(), "options": {"timeout_s": 0.5}})
            assert response.status_code == 504 and response.json()["error"]["field"] == "options.timeout_s"
            assert await asyncio.to_thread(held.stopped.wait, 30), "the cancelled brief must stop, not run on"
            for _ in range(3000):  # its slot is freed once the worker thread has returned
                if not jobs.running:
                    break
                await asyncio.sleep(0.01)
            assert jobs.running == 0
            held.release.set()
            assert (await http.post("/v1/briefs", json={"documents": seed_documents()[:2]})).status_code == 200
            too_long = await http.post("/v1/briefs", json={"documents": seed_documents()[:1],
                                                          "options": {"timeout_s": 10_000}})
            assert too_long.status_code == 413 and too_long.json()["error"]["field"] == "options.timeout_s"
            assert "(BRIEF_MAX_REQUEST_TIMEOUT)" in too_long.json()["error"]["message"]

    asyncio.run(scenario())


def test_api_keys(pipeline: Pipeline, caplog: pytest.LogCaptureFixture) -> None:
    body = {"documents": seed_documents()[:1]}
    with client_for(pipeline, api_keys="k-one, s3cret-two") as http, caplog.at_level(logging.INFO):
        assert http.post("/v1/briefs", json=body).status_code == 401
        wrong = http.post("/v1/briefs", json=body, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
        assert http.post("/v1/briefs", json=body, headers={"Authorization": "Basic s3cret-two"}).status_code == 401
        assert http.post("/v1/briefs", json=body, headers={"Authorization": "Bearer s3cret-two"}).status_code == 200
        for open_path in ("/healthz", "/readyz", "/metrics"):
            assert http.get(open_path).status_code == 200
    assert "s3cret-two" not in caplog.text


def test_request_id_kept_or_made(client: TestClient) -> None:
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"
    made = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"}).headers["x-request-id"]
    assert made != "bad id\twith spaces" and len(made) == 32
    assert client.post("/v1/briefs", json={"documents": []}).headers["x-request-id"]


def test_metrics_after_a_brief(client: TestClient) -> None:
    documents = seed_documents()[:2] + [{"id": "junk", "text": "Advertisement"}]
    assert client.post("/v1/briefs", json={"documents": documents}).status_code == 200
    client.post("/v1/briefs", json={"documents": []})
    text = client.get("/metrics").text
    assert 'brief_requests_total{route="/v1/briefs",status="200"} 1.0' in text
    assert 'brief_requests_total{route="/v1/briefs",status="422"} 1.0' in text
    for stage in ("normalize", "near_duplicates", "stories", "evidence", "writer", "verify"):
        assert f'brief_stage_seconds_count{{stage="{stage}"}}' in text
    assert 'brief_documents_left_out_total{reason="empty"} 1.0' in text
    for name in ("brief_queue_depth", "brief_jobs_in_flight", "brief_generated_tokens_total",
                 "brief_verify_rejected_sentences_total"):
        assert name in text


def test_body_size_is_capped_before_parsing(pipeline: Pipeline) -> None:
    with client_for(pipeline, max_body_bytes=2048) as http:
        big = json.dumps({"documents": [{"text": "word " * 1000}]})
        response = http.post("/v1/briefs", content=big, headers={"content-type": "application/json"})
        assert response.status_code == 413 and response.json()["error"]["limit"] == 2048
        assert "(BRIEF_MAX_BODY_BYTES)" in response.json()["error"]["message"]
        streamed = http.post("/v1/briefs", content=iter([big[:1500].encode(), big[1500:].encode()]),
                             headers={"content-type": "application/json"})
        assert streamed.status_code == 413 and streamed.json()["error"]["code"] == "limit_exceeded"
        assert streamed.json()["error"]["limit"] == 2048  # as with Content-Length (it was null)
        assert http.get("/healthz").status_code == 200


def test_cors_off_unless_configured(pipeline: Pipeline) -> None:
    origin = {"Origin": "https://newsroom.example", "Access-Control-Request-Method": "POST"}
    with client_for(pipeline) as http:
        assert "access-control-allow-origin" not in http.options("/v1/briefs", headers=origin).headers
    with client_for(pipeline, cors_origins="https://newsroom.example") as http:
        allowed = http.options("/v1/briefs", headers=origin).headers
        assert allowed["access-control-allow-origin"] == "https://newsroom.example"


def test_logs_are_json_with_request_id_and_no_article_text(client: TestClient,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    documents = seed_documents()[:2]
    with caplog.at_level(logging.INFO):
        client.post("/v1/briefs", json={"documents": documents}, headers={"X-Request-ID": "trace-7"})
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "service"]
    access = [line for line in lines if line["msg"] == "request"]
    assert access and access[-1]["request_id"] == "trace-7" and access[-1]["status"] == 200
    joined = json.dumps(lines)
    assert documents[0]["text"][:40] not in joined and "Sheinbaum" not in joined
