"""A client that disconnects gets its brief cancelled, on a real server process and a real socket.

The brief is held by `tests/held_server.py` until the service cancels it; before cancellation on
disconnect existed, nothing released it and the wait below ran out.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from tests.conftest import eventually, seed_documents
from tests.held_server import HeldServer


def test_disconnected_client_cancels_its_brief(tmp_path: Path) -> None:
    server = HeldServer({"BRIEF_MAX_CONCURRENCY": "1", "BRIEF_MAX_QUEUE": "1"}, tmp_path)
    try:
        with connect(server) as client:
            send_brief(client, "gone-1")
            server.wait_for("job held")
        assert server.wait_for("job released", within=30)["cancelled"] is True
        assert server.wait_for("request", request_id="gone-1")["status"] == 499
        server.release()  # from here on briefs run unheld: the service still serves
        after = httpx.post(f"{server.base}/v1/briefs", json={"documents": seed_documents()[:2]}, timeout=60)
        assert after.status_code == 200
    finally:
        server.close()


def test_a_client_waiting_in_the_queue_gives_up_its_place(tmp_path: Path) -> None:
    server = HeldServer({"BRIEF_MAX_CONCURRENCY": "1", "BRIEF_MAX_QUEUE": "1"}, tmp_path)
    try:
        with connect(server) as running:
            send_brief(running, "running")
            server.wait_for("job held")
            with connect(server) as queued:
                send_brief(queued, "queued")
                eventually(lambda: "brief_queue_depth 1.0" in httpx.get(f"{server.base}/metrics").text)
        assert server.wait_for("request", request_id="queued")["status"] == 499
        assert server.wait_for("request", request_id="running")["status"] == 499
        assert "brief_queue_depth 0.0" in httpx.get(f"{server.base}/metrics").text
    finally:
        server.close()


def connect(server: HeldServer) -> socket.socket:
    address = urlsplit(server.base)
    return socket.create_connection((address.hostname, address.port), timeout=30)


def send_brief(client: socket.socket, request_id: str) -> None:
    body = json.dumps({"documents": seed_documents()[:2]}).encode()
    client.sendall(b"POST /v1/briefs HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                   b"X-Request-ID: %b\r\nContent-Length: %d\r\n\r\n%b" % (request_id.encode(), len(body), body))
