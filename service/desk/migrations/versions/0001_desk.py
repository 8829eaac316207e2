"""The desk: collections, documents, duplicate groups, links, stories, their events and brief versions, jobs

Revision ID: 0001
Revises: 

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('collections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('next_seq', sa.Integer(), nullable=False),
    sa.Column('next_story', sa.Integer(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('jobs',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('collection_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('stage', sa.String(length=32), nullable=False),
    sa.Column('progress', sa.JSON(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['collection_id'], ['collections.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_collection_id'), ['collection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_state'), ['state'], unique=False)

    op.create_table('stories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collection_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('rewrite_due', sa.DateTime(), nullable=True),
    sa.Column('changes', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('brief', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['collection_id'], ['collections.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('collection_id', 'number')
    )
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stories_rewrite_due'), ['rewrite_due'], unique=False)
        batch_op.create_index('stories_listed', ['collection_id', 'state', 'updated_at', 'number'], unique=False)

    op.create_table('brief_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('brief', sa.JSON(), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('document_pks', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('story_id', 'version')
    )
    with op.batch_alter_table('brief_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_brief_versions_story_id'), ['story_id'], unique=False)

    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collection_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.String(length=32), nullable=True),
    sa.Column('doc_id', sa.String(length=200), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('is_html', sa.Boolean(), nullable=False),
    sa.Column('meta', sa.JSON(), nullable=True),
    sa.Column('sentences', sa.JSON(), nullable=True),
    sa.Column('fingerprint', sa.LargeBinary(), nullable=True),
    sa.Column('signature', sa.LargeBinary(), nullable=True),
    sa.Column('vector', sa.LargeBinary(), nullable=True),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['collection_id'], ['collections.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('collection_id', 'content_hash'),
    sa.UniqueConstraint('collection_id', 'doc_id'),
    sa.UniqueConstraint('collection_id', 'seq')
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index('documents_pending', ['collection_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_job_id'), ['job_id'], unique=False)

    op.create_table('story_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('other', sa.String(length=32), nullable=False),
    sa.Column('document_ids', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('story_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_story_events_story_id'), ['story_id'], unique=False)

    op.create_table('duplicate_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collection_id', sa.Integer(), nullable=False),
    sa.Column('representative_id', sa.Integer(), nullable=False),
    sa.Column('similarity', sa.Float(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['collection_id'], ['collections.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['representative_id'], ['documents.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('duplicate_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duplicate_groups_collection_id'), ['collection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duplicate_groups_story_id'), ['story_id'], unique=False)

    op.create_table('links',
    sa.Column('first_group', sa.Integer(), nullable=False),
    sa.Column('second_group', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['first_group'], ['duplicate_groups.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['second_group'], ['duplicate_groups.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('first_group', 'second_group')
    )
    with op.batch_alter_table('links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_links_second_group'), ['second_group'], unique=False)
    # documents and duplicate groups refer to each other: the second reference comes once both exist
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_foreign_key('documents_group_id_fkey', 'duplicate_groups', ['group_id'], ['id'],
                                    ondelete='SET NULL')



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_links_second_group'))

    op.drop_table('links')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_constraint('documents_group_id_fkey', type_='foreignkey')
    with op.batch_alter_table('duplicate_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duplicate_groups_story_id'))
        batch_op.drop_index(batch_op.f('ix_duplicate_groups_collection_id'))

    op.drop_table('duplicate_groups')
    with op.batch_alter_table('story_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_story_events_story_id'))

    op.drop_table('story_events')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_job_id'))
        batch_op.drop_index(batch_op.f('ix_documents_group_id'))
        batch_op.drop_index('documents_pending')

    op.drop_table('documents')
    with op.batch_alter_table('brief_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_brief_versions_story_id'))

    op.drop_table('brief_versions')
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_index('stories_listed')
        batch_op.drop_index(batch_op.f('ix_stories_rewrite_due'))

    op.drop_table('stories')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_state'))
        batch_op.drop_index(batch_op.f('ix_jobs_collection_id'))

    op.drop_table('jobs')
    op.drop_table('collections')
