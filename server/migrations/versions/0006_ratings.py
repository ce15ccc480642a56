"""好差评 ratings and their rectifications

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rating_forms',
                    sa.Column('version', sa.String(length=32), nullable=False),
                    sa.Column('content', sa.Text(), nullable=False),
                    sa.Column('created_at', sa.DateTime(), nullable=False),
                    sa.PrimaryKeyConstraint('version'))
    op.create_table('ratings',
                    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
                    sa.Column('site', sa.String(length=64), nullable=False),
                    sa.Column('ticket_id', sa.String(length=40), nullable=False),
                    sa.Column('window', sa.String(length=64), nullable=True),
                    sa.Column('clerk_id', sa.Integer(), nullable=True),
                    sa.Column('service', sa.String(length=64), nullable=False),
                    sa.Column('level', sa.Integer(), nullable=False),
                    sa.Column('reasons', sa.Text(), nullable=False),
                    sa.Column('comment', sa.Text(), nullable=True),
                    sa.Column('channel', sa.String(length=16), nullable=False),
                    sa.Column('form_version', sa.String(length=32), nullable=False),
                    sa.Column('phone', sa.String(length=16), nullable=True),
                    sa.Column('created_at', sa.DateTime(), nullable=False),
                    sa.Column('set_aside', sa.Boolean(), nullable=False),
                    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id']),
                    sa.ForeignKeyConstraint(['form_version'], ['rating_forms.version']),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('ticket_id'))
    op.create_index('ix_ratings_site_created', 'ratings', ['site', 'created_at'])
    op.create_table('rectifications',
                    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
                    sa.Column('site', sa.String(length=64), nullable=False),
                    sa.Column('rating_id', sa.Integer(), nullable=False),
                    sa.Column('deadline', sa.Date(), nullable=False),
                    sa.Column('status', sa.String(length=16), nullable=False),
                    sa.Column('appeal', sa.String(length=16), nullable=True),
                    sa.Column('created_at', sa.DateTime(), nullable=False),
                    sa.Column('updated_at', sa.DateTime(), nullable=False),
                    sa.ForeignKeyConstraint(['rating_id'], ['ratings.id']),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('rating_id'))
    op.create_index('ix_rectifications_site_status', 'rectifications', ['site', 'status'])
    op.create_table('rectification_actions',
                    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
                    sa.Column('rectification_id', sa.Integer(), nullable=False),
                    sa.Column('action', sa.String(length=16), nullable=False),
                    sa.Column('note', sa.Text(), nullable=False),
                    sa.Column('actor', sa.String(length=64), nullable=False),
                    sa.Column('at', sa.DateTime(), nullable=False),
                    sa.ForeignKeyConstraint(['rectification_id'], ['rectifications.id']),
                    sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_rectification_actions_of', 'rectification_actions', ['rectification_id', 'id'])


def downgrade() -> None:
    op.drop_index('ix_rectification_actions_of', table_name='rectification_actions')
    op.drop_table('rectification_actions')
    op.drop_index('ix_rectifications_site_status', table_name='rectifications')
    op.drop_table('rectifications')
    op.drop_index('ix_ratings_site_created', table_name='ratings')
    op.drop_table('ratings')
    op.drop_table('rating_forms')
