"""SIGTERM on a real server process: in-flight work finishes, new connections are refused, exit code 0."""

from __future__ import annotations

import signal
import subprocess
import threading
import time

import httpx

from bench.server import start_server
from tests.conftest import seed_documents


def test_sigterm_finishes_in_flight_work_and_exits_0() -> None:
    server, base = start_server({"BRIEF_MODEL": "none", "BRIEF_SHUTDOWN_GRACE": "20"}, output=subprocess.PIPE)
    try:
        result: dict[str, int] = {}

        def post() -> None:
            response = httpx.post(f"{base}/v1/briefs", json={"documents": seed_documents()}, timeout=60)
            result["status"] = response.status_code

        worker = threading.Thread(target=post)
        worker.start()
        time.sleep(0.3)  # the brief is now running (it takes about a second)
        server.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        try:
            refused = httpx.get(f"{base}/healthz", timeout=2).status_code != 200
        except httpx.TransportError:
            refused = True
        assert refused, "a stopping server takes no new connections"
        worker.join(60)
        assert result.get("status") == 200
        assert server.wait(30) == 0
        output, _ = server.communicate()
        assert '"level": "info"' in output.decode() and "Shutting down" in output.decode()
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
