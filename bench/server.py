"""Start `brief serve` as a real process on a free loopback port and wait until it is ready."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(settings: dict[str, str], folder: Path | None = None, output: int | None = subprocess.DEVNULL,
                 ready_within: float = 300, module: str = "service") -> tuple[subprocess.Popen[bytes], str]:
    """`python -m MODULE serve` with only these `BRIEF_*` settings, once `/readyz` answers 200, and its base URL.

    Unless the settings name a desk database, the server keeps an SQLite desk in `folder`, which the caller owns
    and removes (a test's temporary directory): a folder made here would outlive every run.
    """
    if "BRIEF_DATABASE_URL" not in settings:
        if folder is None:
            raise ValueError("start_server needs a folder for its desk database, or BRIEF_DATABASE_URL in settings")
        settings = settings | {"BRIEF_DATABASE_URL": f"sqlite:///{folder / 'desk.db'}"}
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("BRIEF_")} | settings
    server = subprocess.Popen([sys.executable, "-m", module, "serve", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    wait_until_ready(server, f"{base}/readyz", ready_within)
    return server, base


def wait_until_ready(server: subprocess.Popen[bytes], url: str, within: float) -> None:
    """Return once `url` answers 200; kill the process and raise if it has not within `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    server.kill()
    server.communicate()
    raise RuntimeError(f"{url} not ready within {within:.0f} s (exit status {server.returncode})")
