"""`brief batch INPUT... --out DIR`: a corpus too large for one request, on Ray (`service/batch/job.py`)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from ..settings import load_settings


@click.command()
@click.argument("inputs_named", metavar="INPUT...", nargs=-1, required=True)
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder: stories/ and documents/, and the job's state in .work/ (a rerun goes on from it).")
@click.option("--format", "output_format", type=click.Choice(["jsonl", "parquet"]), default="jsonl",
              help="Format of the output parts (default: jsonl).")
@click.option("--briefs/--no-briefs", default=True,
              help="Write each story's brief (default), or only find the stories.")
@click.option("--mode", type=click.Choice(["extractive", "model", "auto"]), default=None,
              help="Writer engine (default: BRIEF_MODE).")
@click.option("--max-words", type=click.IntRange(min=10), default=None,
              help="Brief length per story (default: BRIEF_MAX_WORDS).")
@click.option("--brief-actors", type=click.IntRange(min=1), default=2, show_default=True,
              help="Actors writing briefs, each with its own loaded models.")
@click.option("--partition-size", type=click.IntRange(min=1), default=2000, show_default=True,
              help="Documents per partition: the unit of work, of progress and of a rerun.")
@click.option("--cpus", type=click.IntRange(min=1), default=None,
              help="Cores of the Ray started here (default: all); ignored with RAY_ADDRESS.")
@click.option("--restart", is_flag=True, help="Start over, discarding what an earlier run left in --out.")
def batch(inputs_named: tuple[str, ...], out: Path, output_format: str, briefs: bool, mode: str | None,
          max_words: int | None, brief_actors: int, partition_size: int, cpus: int | None, restart: bool) -> None:
    """Brief the documents of INPUT (JSONL or Parquet files, or folders of them) on Ray: local, or the
    cluster at RAY_ADDRESS. One document a line or row: id, text, and optionally title, url, source,
    published_at."""
    try:
        from ..batch import cluster, inputs, job
        from ..batch.progress import Progress
    except ImportError as exc:
        raise click.ClickException(f"brief batch needs Ray and pyarrow ({exc.name} is missing): "
                                   "pip install -e '.[batch]' (make test installs them)") from None

    settings = load_settings()
    inputs.input_files(inputs_named)  # a wrong path fails at once, before Ray starts
    options = job.Options(inputs_named, out, output_format, briefs, mode, max_words, partition_size,  # type: ignore[arg-type]
                          brief_actors, restart)
    bars = sys.stderr.isatty()
    if not bars:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s batch %(message)s"))
        logging.getLogger("service.batch").addHandler(handler)
        logging.getLogger("service.batch").setLevel(logging.INFO)
    cluster.connect(cpus)
    progress = Progress(bars)
    try:
        summary = job.run(options, settings, progress)
    finally:
        progress.close()
    failed = f", {summary.failed_briefs} failed" if summary.failed_briefs else ""
    click.echo(f"{summary.documents} documents: {summary.articles} in {summary.groups} duplicate groups and "
               f"{summary.stories} stories, {summary.left_out} left out (with the reason); "
               f"{summary.briefs} briefs written{failed}. Output in {out}")
