"""`brief serve` in a real process whose briefs are held until released: a stand-in for a long brief.

Tests synchronise on what the server logs ("job held", then the access line of the request) rather
than on how long a brief takes. Run as `python -m tests.held_server serve ...`; SIGUSR1 releases
every held job, and a job the service cancels is released at once. On the test side, `HeldServer`
starts it and waits for its log lines.
"""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.server import start_server
from service.cli import main as cli
from service.pipeline import Pipeline

released = threading.Event()
_run = Pipeline.run


def hold(release: threading.Event, cancel: threading.Event) -> bool:
    """Wait until `release` or `cancel` is set; return whether the job was cancelled."""
    while not (release.is_set() or cancel.wait(0.01)):
        pass
    return cancel.is_set()


def _held_run(self: Pipeline, request: Any, cancel: threading.Event | None = None) -> Any:
    cancel = cancel or threading.Event()
    logging.getLogger("service").info("job held")
    cancelled = hold(released, cancel)
    logging.getLogger("service").info("job released", extra={"fields": {"cancelled": cancelled}})
    return _run(self, request, cancel)


class HeldServer:
    """The held server as a subprocess, with its JSON log lines collected as they come."""

    def __init__(self, settings: dict[str, str], folder: Path) -> None:
        self.process, self.base = start_server({"BRIEF_MODEL": "none"} | settings, folder, output=subprocess.PIPE,
                                               module="tests.held_server")
        self.lines: list[dict[str, Any]] = []
        self.arrived = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            try:
                line = json.loads(raw)
            except ValueError:
                line = {"msg": raw.decode(errors="replace")}
            with self.arrived:
                self.lines.append(line)
                self.arrived.notify_all()

    def wait_for(self, msg: str, within: float = 60, **fields: Any) -> dict[str, Any]:
        """The first log line with this message and these fields, waiting for it to be logged."""
        matches: Callable[[dict[str, Any]], bool] = lambda line: line.get("msg") == msg and all(
            line.get(k) == v for k, v in fields.items())
        with self.arrived:
            if not self.arrived.wait_for(lambda: any(map(matches, self.lines)), within):
                raise AssertionError(f"no log line {msg!r} {fields} within {within} s; last: "
                                     f"{[line.get('msg') for line in self.lines[-10:]]}")
            return next(filter(matches, self.lines))

    def release(self) -> None:
        self.process.send_signal(signal.SIGUSR1)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(30)
        self.reader.join(30)
        assert self.process.stdout is not None
        self.process.stdout.close()


if __name__ == "__main__":
    signal.signal(signal.SIGUSR1, lambda *_: released.set())
    Pipeline.run = _held_run  # type: ignore[method-assign]
    cli.main()
