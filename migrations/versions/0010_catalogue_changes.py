"""catalogue changes

Which practices each catalogue version changed, so that a worker updates its practice index
and peer arrays instead of rebuilding them after every publication.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 18:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'catalogue_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('practice_id', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_change')),
    )
    op.create_index(
        op.f('ix_catalogue_change_version'), 'catalogue_change', ['version'], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_catalogue_change_version'), table_name='catalogue_change')
    op.drop_table('catalogue_change')
