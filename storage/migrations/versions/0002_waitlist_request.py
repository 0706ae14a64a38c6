"""waitlist entries keep the request they wait for

Revision ID: 0002_waitlist_request
Revises: 0001
Create Date: 2026-11-24 21:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0002_waitlist_request'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('waitlist', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        batch_op.add_column(sa.Column('job_number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
        batch_op.add_column(sa.Column('applicants', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('attendant', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('waitlist', schema=None) as batch_op:
        batch_op.drop_column('attendant')
        batch_op.drop_column('applicants')
        batch_op.drop_column('job_number')
        batch_op.drop_column('purpose')
