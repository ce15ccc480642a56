"""cases (办件) from 受理 to 出件, and their history

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cases',
                    sa.Column('id', sa.String(length=40), nullable=False),
                    sa.Column('site', sa.String(length=64), nullable=False),
                    sa.Column('number', sa.String(length=32), nullable=False),
                    sa.Column('service', sa.String(length=64), nullable=False),
                    sa.Column('department', sa.String(length=64), nullable=False),
                    sa.Column('status', sa.String(length=16), nullable=False),
                    sa.Column('ticket_id', sa.String(length=40), nullable=True),
                    sa.Column('window', sa.String(length=64), nullable=True),
                    sa.Column('applicant_name', sa.String(length=64), nullable=True),
                    sa.Column('applicant_phone', sa.String(length=16), nullable=True),
                    sa.Column('delivery', sa.String(length=32), nullable=False),
                    sa.Column('accepted_at', sa.DateTime(), nullable=False),
                    sa.Column('accepted_day', sa.Date(), nullable=False),
                    sa.Column('deadline', sa.Date(), nullable=False),
                    sa.Column('decided_at', sa.DateTime(), nullable=True),
                    sa.Column('note', sa.Text(), nullable=True),
                    sa.Column('tracking', sa.String(length=64), nullable=True),
                    sa.Column('updated_at', sa.DateTime(), nullable=False),
                    sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_cases_site_number', 'cases', ['site', 'number'], unique=True)
    op.create_index('ix_cases_site_department_status', 'cases', ['site', 'department', 'status'])
    op.create_table('case_events',
                    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
                    sa.Column('case_id', sa.String(length=40), nullable=False),
                    sa.Column('status', sa.String(length=16), nullable=False),
                    sa.Column('at', sa.DateTime(), nullable=False),
                    sa.Column('actor', sa.String(length=64), nullable=True),
                    sa.Column('note', sa.Text(), nullable=True),
                    sa.Column('tracking', sa.String(length=64), nullable=True),
                    sa.Column('ticket_id', sa.String(length=40), nullable=True),
                    sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
                    sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_case_events_case', 'case_events', ['case_id', 'id'])
    with op.batch_alter_table('tickets') as batch:
        batch.add_column(sa.Column('case_id', sa.String(length=40), nullable=True))
    op.create_index('ix_tickets_case', 'tickets', ['case_id'])


def downgrade() -> None:
    op.drop_index('ix_tickets_case', table_name='tickets')
    with op.batch_alter_table('tickets') as batch:
        batch.drop_column('case_id')
    op.drop_index('ix_case_events_case', table_name='case_events')
    op.drop_table('case_events')
    op.drop_index('ix_cases_site_department_status', table_name='cases')
    op.drop_index('ix_cases_site_number', table_name='cases')
    op.drop_table('cases')
