"""membership consent

A membership has a status: "invited" (by the network's coordinator, waiting for the member),
"requested" (by the member, waiting for the coordinator) or "active" (accepted). Only active
memberships decide who reads what; the memberships recorded so far are active.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 15:03:57.083743
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN with a constant default, as for organisation.trusted in 0006.
    op.add_column(
        'membership',
        sa.Column(
            'status',
            sqlmodel.sql.sqltypes.AutoString(length=20),
            nullable=False,
            server_default='active',
        ),
    )
    op.create_index(op.f('ix_membership_status'), 'membership', ['status'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_membership_status'), table_name='membership')
    op.drop_column('membership', 'status')  # SQLite 3.35+ drops a plain column in place
