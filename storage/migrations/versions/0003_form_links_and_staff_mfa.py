"""form links bound to one browser; staff password changes and TOTP

Revision ID: 0003_form_links_and_staff_mfa
Revises: 0002_waitlist_request
Create Date: 2026-11-30 08:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.types import UTCDateTime

revision: str = '0003_form_links_and_staff_mfa'
down_revision: str | None = '0002_waitlist_request'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('form_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('browser_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('opened_at', UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('revoked_at', UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_form_tokens_browser_key'), ['browser_key'], unique=False)
    with op.batch_alter_table('staff_accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_changed_at', UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_secret', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('recovery_codes', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('staff_accounts', schema=None) as batch_op:
        for column in ('recovery_codes', 'totp_last_step', 'totp_enabled_at', 'totp_secret',
                       'password_changed_at'):
            batch_op.drop_column(column)
    with op.batch_alter_table('form_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_tokens_browser_key'))
        batch_op.drop_column('revoked_at')
        batch_op.drop_column('opened_at')
        batch_op.drop_column('browser_key')
