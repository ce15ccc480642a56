"""alerts: one open per (site, kind, subject), kept as a log once cleared

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alerts',
                    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
                    sa.Column('site', sa.String(length=64), nullable=False),
                    sa.Column('kind', sa.String(length=32), nullable=False),
                    sa.Column('subject', sa.String(length=64), nullable=False),
                    sa.Column('message', sa.Text(), nullable=False),
                    sa.Column('opened_at', sa.DateTime(), nullable=False),
                    sa.Column('cleared_at', sa.DateTime(), nullable=True),
                    sa.Column('acked_at', sa.DateTime(), nullable=True),
                    sa.Column('acked_by', sa.String(length=64), nullable=True),
                    sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_alerts_open_cause', 'alerts', ['site', 'kind', 'subject'], unique=True,
                    sqlite_where=sa.text('cleared_at IS NULL'), postgresql_where=sa.text('cleared_at IS NULL'))
    op.create_index('ix_alerts_site_opened', 'alerts', ['site', 'opened_at'])


def downgrade() -> None:
    op.drop_index('ix_alerts_site_opened', table_name='alerts')
    op.drop_index('ix_alerts_open_cause', table_name='alerts')
    op.drop_table('alerts')
