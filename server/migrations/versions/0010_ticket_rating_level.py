"""the counted 好差评 level on the ticket

The statistics count ratings from the same index range as every other figure of a ticket: the ticket row
keeps the level of its rating (none once an appeal sets it aside), filled here for the ratings on file, and
the statistics index holds it after the durations.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

STATISTICS_COLUMNS = ['site', 'day', 'queue', 'service', 'window', 'clerk_id', 'issued_at', 'status', 'outcome',
                      'origin_id', 'called_at', 'wait_s', 'service_s']


def upgrade() -> None:
    op.add_column('tickets', sa.Column('rating_level', sa.Integer(), nullable=True))
    op.execute('UPDATE tickets SET rating_level = (SELECT ratings.level FROM ratings '
               'WHERE ratings.ticket_id = tickets.id AND NOT ratings.set_aside) '
               'WHERE id IN (SELECT ticket_id FROM ratings)')
    op.drop_index('ix_tickets_statistics', table_name='tickets')
    op.create_index('ix_tickets_statistics', 'tickets', STATISTICS_COLUMNS + ['rating_level'])


def downgrade() -> None:
    op.drop_index('ix_tickets_statistics', table_name='tickets')
    op.create_index('ix_tickets_statistics', 'tickets', STATISTICS_COLUMNS)
    with op.batch_alter_table('tickets') as batch:
        batch.drop_column('rating_level')
