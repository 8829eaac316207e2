"""SIGTERM on a real server process: in-flight work finishes within the grace period, new connections
are refused, work past the grace period is answered in the error shape, and the exit code is 0.

The brief in flight is held by `tests/held_server.py` until the test releases it, so nothing here
depends on how long a brief takes.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import httpx
import pytest

from tests.conftest import seed_documents
from tests.held_server import HeldServer


def test_sigterm_finishes_in_flight_work_and_exits_0(tmp_path: Path) -> None:
    server = HeldServer({"BRIEF_SHUTDOWN_GRACE": "30"}, tmp_path)
    try:
        result: dict[str, httpx.Response] = {}
        worker = threading.Thread(target=lambda: result.update(response=httpx.post(
            f"{server.base}/v1/briefs", json={"documents": seed_documents()}, timeout=60)))
        worker.start()
        server.wait_for("job held")
        server.process.send_signal(signal.SIGTERM)
        server.wait_for("Waiting for connections to close. (CTRL+C to force quit)")  # listening sockets closed
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{server.base}/healthz", timeout=5)
        server.release()
        worker.join(60)
        assert result["response"].status_code == 200
        assert server.process.wait(30) == 0
    finally:
        server.close()


def test_work_past_the_grace_period_gets_the_json_error_shape(tmp_path: Path) -> None:
    server = HeldServer({"BRIEF_SHUTDOWN_GRACE": "1"}, tmp_path)
    try:
        result: dict[str, httpx.Response] = {}
        worker = threading.Thread(target=lambda: result.update(response=httpx.post(
            f"{server.base}/v1/briefs", json={"documents": seed_documents()}, timeout=60,
            headers={"X-Request-ID": "late-1"})))
        worker.start()
        server.wait_for("job held")
        server.process.send_signal(signal.SIGTERM)  # never released: the grace period runs out
        worker.join(60)
        response = result["response"]
        assert response.status_code == 503 and response.headers["retry-after"]
        assert response.headers["x-request-id"] == "late-1"
        assert response.json()["error"]["code"] == "cancelled"
        assert server.wait_for("job released", cancelled=True)
        assert server.wait_for("request", request_id="late-1")["status"] == 503
        assert server.process.wait(30) == 0
        assert not [line for line in server.lines if line.get("level") == "error" and "exc" in line]
    finally:
        server.close()
