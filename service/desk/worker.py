"""The desk's background work in a serving process: jobs, and briefs whose debounce has run out.

One thread per process takes a job when there is one (queued here or by another replica, or left
behind by a process that died), else writes the briefs that are due, else waits to be woken by a
new job or for `POLL` seconds. While it runs a job, a second thread beats the job's heart.
"""

from __future__ import annotations

import logging
import threading

from . import briefs, jobs, records
from .desk import Desk

POLL = 1.0
log = logging.getLogger("service")


class Worker:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.owner = jobs.owner_id()
        self.wake = threading.Event()
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread (again, after `close`: a test client starts and stops an app several times)."""
        if self.thread is None or not self.thread.is_alive():
            self.stop.clear()
            self.thread = threading.Thread(target=self._loop, name="desk-worker", daemon=True)
            self.thread.start()

    def close(self, within: float = 30) -> None:
        """Stop between two steps: a job left running is resumed by the next process once its lease ends."""
        self.stop.set()
        self.wake.set()
        if self.thread is not None:
            self.thread.join(within)

    def _loop(self) -> None:
        from ..runtime.threads import use_threads

        use_threads(self.desk.pipeline.threads)
        while not self.stop.is_set():
            try:
                busy = self.desk.database_problem() is None and (self._job() or self._brief())
            except Exception:
                if not self.stop.is_set():  # stopping cancels the step under way: no fault
                    log.exception("desk worker step failed")
                busy = False
            if not busy:
                self.wake.wait(POLL)
                self.wake.clear()

    def _job(self) -> bool:
        with self.desk.sessions.begin() as session:
            job_id = jobs.claim(session, self.owner)
        if job_id is None:
            return False
        log.info("job started", extra={"fields": {"job": job_id}})
        try:
            with jobs.heartbeat(self.desk, job_id, self.owner):
                jobs.run(self.desk, job_id, self.stop)
            log.info("job finished", extra={"fields": {"job": job_id}})
        except Exception:
            if not self.stop.is_set():
                log.exception("job failed", extra={"fields": {"job": job_id}})
        return True

    def _brief(self) -> bool:
        with self.desk.sessions() as session:
            pending = briefs.due(session, records.utcnow(), limit=1)
        for story, changes in pending:
            briefs.rewrite(self.desk.sessions, self.desk.pipeline, story, changes, records.utcnow(), self.stop)
        return bool(pending)
