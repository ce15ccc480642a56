"""ticket durations kept for statistics

Each ticket keeps its wait (first call − issue, of the ticket as printed) and its service time (finish − call,
of a served ticket) in seconds, filled here for the tickets already on file; one index holds every column the
statistics read, after the site and the local day, and one per duration holds it in order; the wait
estimate's last service times of a queue today are read from an index of their own.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

STATISTICS_COLUMNS = ['site', 'day', 'queue', 'service', 'window', 'clerk_id', 'issued_at', 'status', 'outcome',
                      'origin_id', 'called_at', 'wait_s', 'service_s']


def _seconds(dialect: str, later: str, earlier: str) -> str:
    if dialect == 'postgresql':
        return f'date_part(\'epoch\', {later} - {earlier})'
    return f'round((julianday({later}) - julianday({earlier})) * 86400.0, 3)'


def upgrade() -> None:
    op.add_column('tickets', sa.Column('wait_s', sa.Float(), nullable=True))
    op.add_column('tickets', sa.Column('service_s', sa.Float(), nullable=True))
    dialect = op.get_bind().dialect.name
    op.execute(f'UPDATE tickets SET wait_s = {_seconds(dialect, "called_at", "issued_at")} '
               'WHERE called_at IS NOT NULL AND origin_id IS NULL')
    op.execute(f'UPDATE tickets SET service_s = {_seconds(dialect, "finished_at", "called_at")} '
               'WHERE outcome IS NOT NULL AND called_at IS NOT NULL AND finished_at IS NOT NULL')
    op.create_index('ix_tickets_statistics', 'tickets', STATISTICS_COLUMNS)
    for duration in ('wait_s', 'service_s'):
        op.create_index(f'ix_tickets_{duration}', 'tickets', ['site', duration, 'day', 'window'],
                        sqlite_where=sa.text(f'{duration} IS NOT NULL'),
                        postgresql_where=sa.text(f'{duration} IS NOT NULL'))
    op.create_index('ix_tickets_recent_service', 'tickets', ['site', 'queue', 'day', 'status', 'finished_at'])


def downgrade() -> None:
    op.drop_index('ix_tickets_recent_service', table_name='tickets')
    op.drop_index('ix_tickets_service_s', table_name='tickets')
    op.drop_index('ix_tickets_wait_s', table_name='tickets')
    op.drop_index('ix_tickets_statistics', table_name='tickets')
    op.drop_column('tickets', 'service_s')
    op.drop_column('tickets', 'wait_s')
