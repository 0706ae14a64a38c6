"""sites get a short code for their walk-up poster's QR message (DESIGN §13)

Each existing site gets a fresh random code; the code is unique within an office. Plain
ADD COLUMN and CREATE INDEX, so SQLite never rebuilds `sites` (booths and bookings point at it).

Revision ID: 0006_site_walkup
Revises: 0004_sites_capacity_closures
Create Date: 2026-11-30 10:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from booking.walkup import new_site_code

revision: str = '0006_site_walkup'
down_revision: str | None = '0005_emergency_closure'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('sites', sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=12),
                                     nullable=False, server_default=''))
    bind = op.get_bind()
    sites = sa.table('sites', sa.column('id', sa.Uuid()), sa.column('code', sa.String()))
    for (site_id,) in bind.execute(sa.select(sites.c.id)).all():
        bind.execute(sites.update().where(sites.c.id == site_id).values(code=new_site_code()))
    op.create_index('uq_sites_office_id_code', 'sites', ['office_id', 'code'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_sites_office_id_code', table_name='sites')
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_column('code')
