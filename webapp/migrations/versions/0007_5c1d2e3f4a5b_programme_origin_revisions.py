"""programme origin and revisions; one result per answers and catalogue

Revision ID: 5c1d2e3f4a5b
Revises: a452fb96b9c3
Create Date: 2026-12-03 15:40:00

Only adds: new nullable columns (rows stored before keep every value), and a unique constraint that widens the one
it replaces (a draft revision may now have one result per catalogue and model version).
"""
from alembic import op
import sqlalchemy as sa


revision = '5c1d2e3f4a5b'
down_revision = 'a452fb96b9c3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('origin_version', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('origin_digest', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('revision_document', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('revision_lifecycle', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('revision_origin', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('revision_author', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('revision_updated_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_constraint('uq_assessments_draft_revision', type_='unique')
        batch_op.create_unique_constraint(
            'uq_assessments_draft_revision_catalogue', ['draft_id', 'draft_revision', 'catalogue_version', 'model_version']
        )


def downgrade():
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_constraint('uq_assessments_draft_revision_catalogue', type_='unique')
        batch_op.create_unique_constraint('uq_assessments_draft_revision', ['draft_id', 'draft_revision'])

    with op.batch_alter_table('programmes', schema=None) as batch_op:
        for column in ('revision_updated_at', 'revision_author', 'revision_origin', 'revision_lifecycle', 'revision_document',
                       'origin_digest', 'origin_version', 'origin'):
            batch_op.drop_column(column)
