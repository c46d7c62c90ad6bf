"""gazetteer and account requests

Places get their GeoNames id, whether they are in the catalogue (every place so far is)
and their names for search; GeoNames entries that may be seeded places wait in
place_match for a moderator; account requests wait in account_request.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 12:13:06.169917
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('account_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('job_title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('organisation_name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('organisation_type', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('message', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_account_request_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_account_request_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_account_request_place_id_place')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_account_request_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_request'))
    )
    with op.batch_alter_table('account_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_request_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_request_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_request_place_id'), ['place_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_request_status'), ['status'], unique=False)

    op.create_table('place_match',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('geonames_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_place_match_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_place_match_place_id_place'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_place_match'))
    )
    with op.batch_alter_table('place_match', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_place_match_place_id'), ['place_id'], unique=False)

    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.add_column(sa.Column('licence', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))

    with op.batch_alter_table('place', schema=None) as batch_op:
        batch_op.add_column(sa.Column('geonames_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('catalogued', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('search_names', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_place_catalogued'), ['catalogued'], unique=False)
        batch_op.create_index(batch_op.f('ix_place_geonames_id'), ['geonames_id'], unique=True)



def downgrade() -> None:
    with op.batch_alter_table('place', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_place_geonames_id'))
        batch_op.drop_index(batch_op.f('ix_place_catalogued'))
        batch_op.drop_column('search_names')
        batch_op.drop_column('catalogued')
        batch_op.drop_column('geonames_id')

    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.drop_column('licence')

    with op.batch_alter_table('place_match', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_place_match_place_id'))

    op.drop_table('place_match')
    with op.batch_alter_table('account_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_request_status'))
        batch_op.drop_index(batch_op.f('ix_account_request_place_id'))
        batch_op.drop_index(batch_op.f('ix_account_request_email'))
        batch_op.drop_index(batch_op.f('ix_account_request_created_at'))

    op.drop_table('account_request')
