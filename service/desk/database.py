"""The desk's database: an SQLite file by default, PostgreSQL when `BRIEF_DATABASE_URL` names one.

Opening it brings the schema to the newest Alembic revision (the migrations ship inside the
package). Writers of one collection are serialised by `lock_collection`, the first statement of
every transaction that changes it: an UPDATE of the collection's row, which takes SQLite's write
lock or PostgreSQL's row lock, and returns the collection's new revision.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text, update
from sqlalchemy.orm import Session, sessionmaker

from ..errors import StartupError
from .models import Collection

SQLITE_BUSY_MS = 600_000  # a writer waits for another's transaction (one batch) rather than failing
MIGRATION_LOCK = 7_215_015  # PostgreSQL advisory lock held while one replica migrates


def open_engine(url: str) -> Engine:
    """An engine for `url`, its schema migrated; an SQLite file's folder is created."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")  # psycopg 3, not the psycopg2 default
    sqlite = url.startswith("sqlite")
    if sqlite and (path := url.split(":///", 1)[-1]) and path != ":memory:":
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(url, pool_pre_ping=not sqlite, **({"connect_args": {"timeout": SQLITE_BUSY_MS / 1000,
                                                                                  "check_same_thread": False}}
                                                                 if sqlite else {}))
    except Exception as exc:  # a malformed URL or a missing driver
        raise StartupError(f"invalid setting BRIEF_DATABASE_URL: {exc}") from exc
    if sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    migrate(engine)
    return engine


def sqlite_file(engine: Engine) -> Path | None:
    """The SQLite file the engine writes; None for PostgreSQL or an in-memory database."""
    name = engine.url.database
    return Path(name).resolve() if engine.dialect.name == "sqlite" and name and name != ":memory:" else None


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
    cursor.execute("PRAGMA foreign_keys=ON")  # ON DELETE CASCADE is what deletes derived data
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable at each checkpoint; WAL keeps the file consistent
    cursor.close()


def migrate(engine: Engine) -> None:
    """Upgrade the schema to the newest revision, one process at a time."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("service.desk").joinpath("migrations")))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def lock_collection(session: Session, collection_id: int) -> int:
    """Take the collection's write lock for the rest of the transaction; return its new revision.

    The collection's row in the session is read again with the lock: another process may have moved
    its counters (`next_seq`, `next_story`) since this transaction first read it.
    """
    found = session.execute(update(Collection).where(Collection.id == collection_id)
                            .values(revision=Collection.revision + 1).returning(Collection)
                            .execution_options(populate_existing=True)).scalar()
    if found is None:
        from ..errors import NotFound

        raise NotFound("the collection was deleted", field="collection")
    return int(found.revision)
