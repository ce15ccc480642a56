"""accounts with sites, departments and token versions; ticket cancel reasons, rejection reasons,
missing checklist entries and requeues; idempotency keys of ticket requests

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sites', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('department', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('token_version', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('missing', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('requeued_at', sa.DateTime(), nullable=True))
    op.create_table('idempotency_keys',
                    sa.Column('site', sa.String(length=64), nullable=False),
                    sa.Column('key', sa.String(length=160), nullable=False),
                    sa.Column('ticket_id', sa.String(length=40), nullable=False),
                    sa.Column('created_at', sa.DateTime(), nullable=False),
                    sa.PrimaryKeyConstraint('site', 'key'))


def downgrade() -> None:
    op.drop_table('idempotency_keys')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        for column in ('requeued_at', 'missing', 'reason', 'cancel_reason'):
            batch_op.drop_column(column)
    with op.batch_alter_table('users', schema=None) as batch_op:
        for column in ('token_version', 'department', 'sites'):
            batch_op.drop_column(column)
