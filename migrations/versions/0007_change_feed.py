"""change feed

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 16:34:29.928433
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('practice_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('was_public', sa.Boolean(), nullable=False),
    sa.Column('is_public', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_change'))
    )
    with op.batch_alter_table('practice_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_change_seq'), ['seq'], unique=False)

    # The practices already public enter the feed as created, so that a partner starting
    # from the beginning gets all of them.
    op.execute(
        "INSERT INTO practice_change (seq, at, practice_id, slug, was_public, is_public) "
        "SELECT (SELECT version FROM catalogue_version WHERE id = 1), CURRENT_TIMESTAMP, "
        "id, slug, false, true FROM practice "
        "WHERE status = 'published' AND visibility = 'public' ORDER BY id"
    )



def downgrade() -> None:
    with op.batch_alter_table('practice_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practice_change_seq'))

    op.drop_table('practice_change')
