"""A story's failed brief tries and why; content hashes of words, as copies compare texts; jobs' document statuses

Revision ID: 0002
Revises: 0001

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from service.desk.records import content_hash

# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BATCH = 1000
documents = sa.table('documents', sa.column('id', sa.Integer()), sa.column('collection_id', sa.Integer()),
                     sa.column('text', sa.Text()), sa.column('content_hash', sa.String()))
jobs = sa.table('jobs', sa.column('id', sa.String()), sa.column('result', sa.JSON()))


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('brief_failures', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('brief_error', sa.Text(), nullable=True))
    _rehash()
    _statuses()


def _rehash() -> None:
    """Each stored document's hash as `records.content_hash` computes it now. Of two stored texts that are now
    one (they differed in spacing or case), one takes the new hash and the other keeps its old one: both stay
    stored, and the text sent again finds the first."""
    connection = op.get_bind()
    last = 0
    while rows := connection.execute(sa.select(documents.c.id, documents.c.collection_id, documents.c.text,
                                               documents.c.content_hash)
                                     .where(documents.c.id > last).order_by(documents.c.id).limit(BATCH)).all():
        last = rows[-1].id
        for row in rows:
            digest = content_hash(row.text)
            held = connection.execute(sa.select(documents.c.id).where(documents.c.collection_id == row.collection_id,
                                                                      documents.c.content_hash == digest)).first()
            if digest != row.content_hash and held is None:
                connection.execute(documents.update().where(documents.c.id == row.id).values(content_hash=digest))


def _statuses() -> None:
    """A job's documents carry their status (added, already_stored, conflict): before, none was a conflict."""
    connection = op.get_bind()
    for job_id, result in connection.execute(sa.select(jobs.c.id, jobs.c.result).where(jobs.c.result.is_not(None))).all():
        entries = [[doc_id, existing, "already_stored" if existing else "added"]
                   for doc_id, existing in result.get("documents", [])]
        connection.execute(jobs.update().where(jobs.c.id == job_id).values(result={**result, "documents": entries}))


def downgrade() -> None:
    """Downgrade schema (content hashes stay as they are: a text stored twice keeps both rows)."""
    connection = op.get_bind()
    for job_id, result in connection.execute(sa.select(jobs.c.id, jobs.c.result).where(jobs.c.result.is_not(None))).all():
        entries = [[doc_id, existing] for doc_id, existing, _ in result.get("documents", [])]
        connection.execute(jobs.update().where(jobs.c.id == job_id).values(result={**result, "documents": entries}))
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_column('brief_error')
        batch_op.drop_column('brief_failures')
