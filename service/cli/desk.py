"""The desk on the command line: `brief add`, `brief stories`, `brief story`, `brief collections`, `brief delete`.

They open the same database as the server (`BRIEF_DATABASE_URL`, else the SQLite file), so a
server and the command line share one desk. Long work shows a progress bar on stderr.
"""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING, Any

import click

from ..settings import load_settings

if TYPE_CHECKING:
    from ..desk.desk import Desk


def _desk(models: bool = True) -> Desk:
    """The desk, with the models loaded when the command writes briefs (imported here: `brief --help` stays quick)."""
    from ..desk.desk import Desk
    from ..pipeline import Pipeline

    settings = load_settings()
    return Desk(settings, Pipeline(settings) if models else None)


class Bars:
    """One progress bar per stage on a terminal; elsewhere (a log, a pipe), where a bar cannot redraw and
    would leave its label alone, one line per stage as it ends."""

    def __init__(self) -> None:
        self.stream = sys.stderr  # read when the bars are made: CliRunner swaps it per call
        self.bars: dict[str, Any] = {}
        self.ended: set[str] = set()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage == "finished" or not total:
            return
        if not self.stream.isatty():
            if done >= total and stage not in self.ended:
                self.ended.add(stage)
                click.echo(f"{stage}: {done} of {total} done", file=self.stream)
            return
        bar = self.bars.get(stage)
        if bar is None:
            for other in self.bars.values():
                other.render_finish()
            bar = self.bars[stage] = click.progressbar(length=total, label=f"{stage:>8}", file=self.stream)
        bar.update(done - bar.pos)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.render_finish()


@click.command()
@click.argument("collection")
@click.argument("paths", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the job as the API's GET /v1/jobs/{id} shows it.")
def add(collection: str, paths: tuple[str, ...], as_json: bool) -> None:
    """Add the articles in PATH (files or folders) to COLLECTION, created on first use."""
    from ..desk import jobs, queries, store
    from .files import build_request
    from .render import counted

    store.check_name(collection)  # before any file is read
    desk = _desk()
    request = build_request(paths, desk.settings)  # bad input fails before anything is stored
    owner = jobs.owner_id()
    job_id = jobs.submit(desk, collection, request, owner=owner)
    bars = Bars()
    try:
        with jobs.heartbeat(desk, job_id, owner):
            jobs.run(desk, job_id, threading.Event(), bars)
    finally:
        bars.close()
    out = queries.job(desk, job_id)
    if as_json:
        click.echo(out.model_dump_json(indent=2))
        return
    statuses = [d.status for d in out.documents]
    conflicts = f", {statuses.count('conflict')} in conflict" if "conflict" in statuses else ""
    click.echo(f"{collection}: {statuses.count('added')} added, {statuses.count('already_stored')} already stored"
               f"{conflicts}; {counted(len({d.story_id for d in out.documents if d.story_id}), 'story', 'stories')}")
    for document in out.documents:
        if document.status == "conflict":
            click.echo(f"conflict: {document.reason}", err=True)


@click.command()
@click.argument("collection")
@click.option("--limit", type=int, default=20, show_default=True, help="Stories shown, most recently updated first.")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON (GET /v1/collections/{name}/stories).")
def stories(collection: str, limit: int, as_json: bool) -> None:
    """Bring COLLECTION's briefs up to date (those due are written now), then show its stories."""
    from ..desk import briefs, queries, store
    from .render import counted, written_by

    desk = _desk()
    with desk.sessions() as session:
        found = store.collection(session, collection).id
    bars = Bars()
    try:
        briefs.write_all_due(desk.sessions, desk.pipeline, found, threading.Event(),
                             lambda done, total: bars("briefs", done, total))
    finally:
        bars.close()
    page = queries.stories(desk, collection, limit)
    if as_json:
        click.echo(page.model_dump_json(indent=2))
        return
    for story_out in page.stories:
        failure = f"brief failed: {story_out.brief_error}\n" if story_out.brief_error else ""
        click.echo(f"## {story_out.title or '(no brief yet)'}\n{story_out.id} v{story_out.version}: "
                   f"{counted(len(story_out.document_ids), 'document')}, {counted(story_out.sources, 'source')}, "
                   f"updated {story_out.updated_at:%Y-%m-%d %H:%M}\n{failure}\n"
                   + (f"{written_by(story_out.brief)}\n\n{story_out.brief.text}\n" if story_out.brief else ""))


@click.command()
@click.argument("collection")
@click.argument("story_id")
@click.option("--since", default=None, help="A brief version or an ISO 8601 time: also show what changed since.")
def story(collection: str, story_id: str, since: str | None) -> None:
    """Print one story as JSON (GET /v1/collections/{name}/stories/{id})."""
    from ..desk import queries

    click.echo(queries.story(_desk(models=since is not None), collection, story_id, since).model_dump_json(indent=2))


@click.command()
def collections() -> None:
    """List the collections as JSON (GET /v1/collections)."""
    from ..desk import queries

    click.echo(queries.collections(_desk(models=False)).model_dump_json(indent=2))


@click.command()
@click.argument("collection")
@click.argument("document_id", required=False)
def delete(collection: str, document_id: str | None) -> None:
    """Delete COLLECTION, or one document of it, with everything derived from it."""
    desk = _desk(models=False)
    if document_id is None:
        desk.delete_collection(collection)
    else:
        desk.delete_document(collection, document_id)


COMMANDS = (add, stories, story, collections, delete)
