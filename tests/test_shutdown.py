"""SIGTERM on a real server process: in-flight work finishes, new connections are refused, exit code 0."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx

from tests.conftest import ROOT, seed_documents


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_sigterm_finishes_in_flight_work_and_exits_0() -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEF_")}
    env.update(BRIEF_MODEL="none", BRIEF_SHUTDOWN_GRACE="20")
    server = subprocess.Popen([sys.executable, "-m", "service", "serve", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        else:
            raise AssertionError("server never became ready")
        result: dict[str, int] = {}

        def post() -> None:
            response = httpx.post(f"{base}/v1/briefs", json={"documents": seed_documents()}, timeout=60)
            result["status"] = response.status_code

        worker = threading.Thread(target=post)
        worker.start()
        time.sleep(0.3)  # the brief is now running (it takes about a second)
        server.send_signal(signal.SIGTERM)
        worker.join(60)
        assert result.get("status") == 200
        assert server.wait(30) == 0
        output, _ = server.communicate()
        assert '"level": "info"' in output.decode() and "Shutting down" in output.decode()
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
