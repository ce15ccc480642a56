"""window assignments (弹性窗口): a manager sends a window to other queues until a time

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('window_assignments',
                    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
                    sa.Column('site', sa.String(length=64), nullable=False),
                    sa.Column('window', sa.String(length=64), nullable=False),
                    sa.Column('day', sa.Date(), nullable=False),
                    sa.Column('queues', sa.Text(), nullable=False),
                    sa.Column('until_at', sa.DateTime(), nullable=True),
                    sa.Column('reason', sa.Text(), nullable=True),
                    sa.Column('assigned_by', sa.String(length=64), nullable=False),
                    sa.Column('assigned_at', sa.DateTime(), nullable=False),
                    sa.Column('ended_at', sa.DateTime(), nullable=True),
                    sa.Column('ended_by', sa.String(length=64), nullable=True),
                    sa.Column('end_reason', sa.String(length=16), nullable=True),
                    sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_window_assignments_in_force', 'window_assignments', ['site', 'window'], unique=True,
                    sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))
    op.create_index('ix_window_assignments_site_day', 'window_assignments', ['site', 'day'])


def downgrade() -> None:
    op.drop_index('ix_window_assignments_site_day', table_name='window_assignments')
    op.drop_index('ix_window_assignments_in_force', table_name='window_assignments')
    op.drop_table('window_assignments')
