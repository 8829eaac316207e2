"""Large batches as jobs: stored at once, then read, grouped and briefed in chunks, with progress.

A job's documents are stored (as pending) in the transaction that creates the job, so once the
client has its 202 nothing it sent can be lost. The job then places them `CHUNK` at a time, each
chunk in one transaction that also records the progress: after a crash, the pending documents
are exactly those still to place. A running job's owner beats its heart every `HEARTBEAT`
seconds; a job whose heart has not beaten for `LEASE` seconds (its process died) is claimed by
the next worker that looks, in any process, and resumed, up to `MAX_ATTEMPTS` runs. A job that
still fails is marked failed and its unplaced documents are removed, so sending them again adds them.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import Session

from ..schemas import BriefRequest
from . import briefs, models, records, store
from .database import lock_collection
from .desk import Added, Desk

CHUNK = 250
HEARTBEAT = 2.0
LEASE = timedelta(seconds=15)
MAX_ATTEMPTS = 3
STAGES = ("stored", "read", "grouped", "briefs")
Progress = Callable[[str, int, int], None]  # stage, done, total


def submit(desk: Desk, name: str, request: BriefRequest, owner: str | None = None) -> str:
    """Store the batch as pending documents of a new job; return the job's id. With an `owner` the job
    is created running under it (the command line runs its own jobs), else queued for any worker."""
    ids, effective, given = desk.check(request)
    job_id = uuid.uuid4().hex
    with desk.locks[name], desk.sessions.begin() as session:
        now = records.utcnow()
        collection = store.open_collection(session, name, effective, given, now)
        lock_collection(session, collection.id)
        session.add(models.Job(id=job_id, collection_id=collection.id, state="running" if owner else "queued",
                               stage="read", progress={}, attempts=1 if owner else 0, created_at=now, owner=owner,
                               heartbeat_at=now if owner else None))
        session.flush()
        stored = store.store(session, collection, request.documents, ids, now, job_id=job_id)
        added = sum(s.pk is not None for s in stored)
        job = session.get(models.Job, job_id)
        assert job is not None
        job.progress = {"stored": _stage(added, added), "read": _stage(0, added), "grouped": _stage(0, added)}
        job.result = {"documents": [[s.id, s.existing, s.status] for s in stored]}
    return job_id


def owner_id() -> str:
    """Who runs a job: host, process and a random part, so two processes never share one."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim(session: Session, owner: str) -> str | None:
    """Take the oldest queued job, or one whose owner stopped beating; None when there is none."""
    now = records.utcnow()
    free = or_(models.Job.state == "queued", and_(models.Job.state == "running", models.Job.heartbeat_at < now - LEASE))
    for job_id, state, beat in session.execute(select(models.Job.id, models.Job.state, models.Job.heartbeat_at)
                                               .where(free).order_by(models.Job.created_at).limit(5)):
        unchanged = models.Job.heartbeat_at.is_(None) if beat is None else models.Job.heartbeat_at == beat
        taken = session.execute(update(models.Job).where(models.Job.id == job_id, models.Job.state == state, unchanged)
                                .values(state="running", owner=owner, heartbeat_at=now, attempts=models.Job.attempts + 1))
        if taken.rowcount:  # type: ignore[attr-defined]
            return str(job_id)
    return None


@contextmanager
def heartbeat(desk: Desk, job_id: str, owner: str) -> Iterator[None]:
    """Beat the job's heart every `HEARTBEAT` seconds from a thread of its own while the block runs."""
    done = threading.Event()

    def beat() -> None:
        while not done.wait(HEARTBEAT):
            with desk.sessions.begin() as session:
                session.execute(update(models.Job).where(models.Job.id == job_id, models.Job.owner == owner,
                                                         models.Job.state == "running")
                                .values(heartbeat_at=records.utcnow()))

    thread = threading.Thread(target=beat, name="desk-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def run(desk: Desk, job_id: str, cancel: threading.Event, progress: Progress | None = None) -> None:
    """Place the job's pending documents chunk by chunk, write the briefs due, and mark it done (or failed)."""
    with desk.sessions.begin() as session:
        job = session.get(models.Job, job_id)
        if job is None:
            return  # its collection was deleted
        if job.attempts > MAX_ATTEMPTS:
            return _fail(session, job, f"interrupted {job.attempts - 1} times; its unplaced documents were removed")
        name = session.get(models.Collection, job.collection_id).name  # type: ignore[union-attr]
    try:
        while _chunk(desk, job_id, name, cancel, progress):
            pass
        _briefs(desk, job_id, cancel, progress)
    except Exception as exc:
        if cancel.is_set():
            raise  # stopped, not failed: the job stays running and is resumed once its lease runs out
        with desk.sessions.begin() as session:
            job = session.get(models.Job, job_id)
            if job is not None:
                _fail(session, job, f"{type(exc).__name__}: {exc}")
        raise


def _chunk(desk: Desk, job_id: str, name: str, cancel: threading.Event, progress: Progress | None) -> bool:
    with desk.sessions() as session:
        rows = session.scalars(select(models.Document).where(models.Document.job_id == job_id,
                                                             models.Document.state == "pending")
                               .order_by(models.Document.seq).limit(CHUNK)).all()
        if not rows:
            return False
        job = session.get(models.Job, job_id)
        assert job is not None
        done, total = job.progress["grouped"]["done"], job.progress["grouped"]["total"]
    read = dict(zip((r.id for r in rows), desk.read([records.document_in(r) for r in rows], [r.doc_id for r in rows],
                                                    cancel)))
    _report(desk, job_id, "read", done + len(rows), total, progress)
    with desk.locks[name]:
        with desk.sessions.begin() as session:
            job = session.get(models.Job, job_id)
            if job is None:
                return False  # the collection was deleted meanwhile
            collection = session.get(models.Collection, job.collection_id)
            assert collection is not None
            revision = lock_collection(session, collection.id)
            pending = session.scalars(select(models.Document).where(models.Document.id.in_(list(read)),
                                                                    models.Document.state == "pending")).all()
            _, index = desk.place(session, collection, revision, [(row, read[row.id]) for row in pending],
                                  Added(name, []))
            job.progress = {**job.progress, "grouped": _stage(done + len(pending), total)}
            job.stage = "grouped"
        desk.keep(index)
    if progress:
        progress("grouped", done + len(pending), total)
    return True


def _briefs(desk: Desk, job_id: str, cancel: threading.Event, progress: Progress | None) -> None:
    """The job's burst is over: every brief due in its collection is written now, not after the debounce."""
    with desk.sessions() as session:
        job = session.get(models.Job, job_id)
        if job is None:
            return
        collection_id = job.collection_id
    briefs.write_all_due(desk.sessions, desk.pipeline, collection_id, cancel,
                         lambda done, total: _report(desk, job_id, "briefs", done, total, progress))
    with desk.sessions.begin() as session:
        session.execute(update(models.Job).where(models.Job.id == job_id).values(
            state="done", stage="finished", finished_at=records.utcnow(), heartbeat_at=None))
    if progress:
        progress("finished", 0, 0)


def _report(desk: Desk, job_id: str, stage: str, done: int, total: int, progress: Progress | None) -> None:
    with desk.sessions.begin() as session:
        job = session.get(models.Job, job_id)
        if job is not None:
            job.progress, job.stage = {**job.progress, stage: _stage(done, total)}, stage
    if progress:
        progress(stage, done, total)


def _fail(session: Session, job: models.Job, error: str) -> None:
    removed = session.execute(delete(models.Document).where(models.Document.job_id == job.id,
                                                            models.Document.state == "pending"))
    job.state, job.error, job.finished_at, job.heartbeat_at = "failed", error, records.utcnow(), None
    job.result = {**(job.result or {}), "removed": removed.rowcount}  # type: ignore[attr-defined]


def _stage(done: int, total: int) -> dict[str, int]:
    return {"done": done, "total": total}
