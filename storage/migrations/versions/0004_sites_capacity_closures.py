"""sites with booths and weekly hours, closures as ranges, staff capacity limits

Each existing office gets one site holding its booths (today's `booths` setting), open
Monday–Friday 9:00–17:00; its bookings and waitlist entries move there. Existing closures
stay what they were: whole days, office-wide.

Revision ID: 0004_sites_capacity_closures
Revises: 0003_form_links_and_staff_mfa
Create Date: 2026-11-30 10:00:00
"""
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, time

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.types import UTCDateTime

revision: str = '0004_sites_capacity_closures'
down_revision: str | None = '0003_form_links_and_staff_mfa'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WEEKDAYS = range(5)


def _create_tables() -> None:
    op.create_table('sites',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('office_id', sa.Uuid(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('map_url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('access_notes', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sites_office_id'), ['office_id'], unique=False)
    op.create_table('site_hours',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('opens', sa.Time(), nullable=False),
    sa.Column('closes', sa.Time(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.PrimaryKeyConstraint('site_id', 'weekday')
    )
    op.create_table('booths',
    sa.Column('office_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], ),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.PrimaryKeyConstraint('office_id', 'number')
    )
    with op.batch_alter_table('booths', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booths_site_id'), ['site_id'], unique=False)
    op.create_table('capacity_limits',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('office_id', sa.Uuid(), nullable=False),
    sa.Column('day', sa.Date(), nullable=True),
    sa.Column('weekday', sa.Integer(), nullable=True),
    sa.Column('starts', sa.Time(), nullable=False),
    sa.Column('ends', sa.Time(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('capacity_limits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capacity_limits_office_id'), ['office_id'],
                              unique=False)


def _add_columns() -> None:
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('site_id', sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f('ix_bookings_site_id'), ['site_id'], unique=False)
        batch_op.create_foreign_key('fk_bookings_site_id_sites', 'sites', ['site_id'], ['id'])
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('usual_site_id', sa.Uuid(), nullable=True))
    with op.batch_alter_table('waitlist', schema=None) as batch_op:
        batch_op.add_column(sa.Column('site_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key('fk_waitlist_site_id_sites', 'sites', ['site_id'], ['id'])


def _one_day_closures_become_ranges() -> None:
    """Drop the one-closure-per-day rule (a day may now hold several ranges) and add the range,
    site and who/when columns; existing rows keep null range and site: whole day, office-wide."""
    bind = op.get_bind()
    unique = [c for c in sa.inspect(bind).get_unique_constraints('closures')
              if c['column_names'] == ['office_id', 'day']]
    # SQLite names the constraint of 0001 nothing: the naming convention gives it a name that
    # batch mode (which rebuilds the table) can drop.
    convention = {"uq": "uq_%(table_name)s_%(column_0_name)s_%(column_1_name)s"}
    with op.batch_alter_table('closures', schema=None, naming_convention=convention) as batch_op:
        for constraint in unique:
            batch_op.drop_constraint(constraint['name'] or 'uq_closures_office_id_day',
                                     type_='unique')
        batch_op.add_column(sa.Column('starts', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('ends', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('site_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('created_at', UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=100),
                                      nullable=True))
        batch_op.add_column(sa.Column('reopened_at', UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reopened_by',
                                      sqlmodel.sql.sqltypes.AutoString(length=100),
                                      nullable=True))
        batch_op.create_index(batch_op.f('ix_closures_day'), ['day'], unique=False)
        batch_op.create_foreign_key('fk_closures_site_id_sites', 'sites', ['site_id'], ['id'])


def _default_sites() -> None:
    """Each office's booths become one site with the office's hours; its rows move there."""
    bind = op.get_bind()
    offices = sa.table('offices', sa.column('id', sa.Uuid()), sa.column('name', sa.String()),
                       sa.column('address', sa.String()), sa.column('booths', sa.Integer()))
    sites = sa.table('sites', *(sa.column(name, kind) for name, kind in (
        ('id', sa.Uuid()), ('office_id', sa.Uuid()), ('name', sa.String()),
        ('address', sa.String()), ('map_url', sa.String()), ('access_notes', sa.String()),
        ('active', sa.Boolean()), ('position', sa.Integer()), ('created_at', UTCDateTime()))))
    hours = sa.table('site_hours', sa.column('site_id', sa.Uuid()),
                     sa.column('weekday', sa.Integer()), sa.column('opens', sa.Time()),
                     sa.column('closes', sa.Time()))
    booths = sa.table('booths', sa.column('office_id', sa.Uuid()),
                      sa.column('number', sa.Integer()), sa.column('site_id', sa.Uuid()))
    now = datetime.now(UTC)
    for office_id, name, address, count in bind.execute(
            sa.select(offices.c.id, offices.c.name, offices.c.address, offices.c.booths)).all():
        site_id = uuid.uuid4()
        bind.execute(sites.insert().values(
            id=site_id, office_id=office_id, name=f"{name} 相談ブース", address=address or "",
            map_url="", access_notes="", active=True, position=0, created_at=now))
        bind.execute(hours.insert(), [dict(site_id=site_id, weekday=day, opens=time(9),
                                           closes=time(17)) for day in _WEEKDAYS])
        bind.execute(booths.insert(), [dict(office_id=office_id, number=number, site_id=site_id)
                                       for number in range(1, max(count or 1, 1) + 1)])
        for table in ('bookings', 'waitlist'):
            moved = sa.table(table, sa.column('office_id', sa.Uuid()),
                             sa.column('site_id', sa.Uuid()))
            bind.execute(moved.update().where(moved.c.office_id == office_id)
                         .values(site_id=site_id))


def upgrade() -> None:
    _create_tables()
    _add_columns()
    _one_day_closures_become_ranges()
    _default_sites()


def downgrade() -> None:
    with op.batch_alter_table('closures', schema=None) as batch_op:
        batch_op.drop_constraint('fk_closures_site_id_sites', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_closures_day'))
        for column in ('reopened_by', 'reopened_at', 'created_by', 'created_at', 'site_id',
                       'ends', 'starts'):
            batch_op.drop_column(column)
        batch_op.create_unique_constraint('uq_closures_office_id_day', ['office_id', 'day'])
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('usual_site_id')
    for table, column, name in (('waitlist', 'site_id', 'fk_waitlist_site_id_sites'),
                                ('bookings', 'site_id', 'fk_bookings_site_id_sites')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(name, type_='foreignkey')
            if table == 'bookings':
                batch_op.drop_index(batch_op.f('ix_bookings_site_id'))
            batch_op.drop_column(column)
    op.drop_table('capacity_limits')
    op.drop_table('booths')
    op.drop_table('site_hours')
    op.drop_table('sites')
