"""public event stream: a seq of its own for what anonymous subscribers may see

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('site_sequences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_seq', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('site_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_seq', sa.Integer(), nullable=True))
        batch_op.create_index('ix_site_events_public', ['site', 'kind', 'public_seq'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('site_events', schema=None) as batch_op:
        batch_op.drop_index('ix_site_events_public')
        batch_op.drop_column('public_seq')
    with op.batch_alter_table('site_sequences', schema=None) as batch_op:
        batch_op.drop_column('public_seq')
