"""emergency closure: bookings closed by the office, and who was told and how they answered

Revision ID: 0005_emergency_closure
Revises: 0004_sites_capacity_closures
Create Date: 2026-11-30 10:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.types import UTCDateTime

revision: str = '0005_emergency_closure'
down_revision: str | None = '0004_sites_capacity_closures'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closure_id', sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f('ix_bookings_closure_id'), ['closure_id'], unique=False)
    op.create_table('closure_notices',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('office_id', sa.Uuid(), nullable=False),
    sa.Column('closure_id', sa.Uuid(), nullable=False),
    sa.Column('booking_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('told_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('outbox_id', sa.Uuid(), nullable=True),
    sa.Column('answer', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('answered_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('moved_to_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], ),
    sa.ForeignKeyConstraint(['closure_id'], ['closures.id'], ),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('booking_id')
    )
    with op.batch_alter_table('closure_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_closure_notices_closure_id'), ['closure_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_closure_notices_office_id'), ['office_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_closure_notices_user_id'), ['user_id'],
                              unique=False)


def downgrade() -> None:
    op.drop_table('closure_notices')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bookings_closure_id'))
        batch_op.drop_column('closure_id')
