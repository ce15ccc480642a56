"""appointments (预约取号): slots booked and checked in

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('appointments',
                    sa.Column('id', sa.String(length=40), nullable=False),
                    sa.Column('site', sa.String(length=64), nullable=False),
                    sa.Column('code', sa.String(length=16), nullable=False),
                    sa.Column('service', sa.String(length=64), nullable=False),
                    sa.Column('day', sa.Date(), nullable=False),
                    sa.Column('start_at', sa.DateTime(), nullable=False),
                    sa.Column('end_at', sa.DateTime(), nullable=False),
                    sa.Column('status', sa.String(length=16), nullable=False),
                    sa.Column('name', sa.String(length=64), nullable=False),
                    sa.Column('person_key', sa.String(length=64), nullable=False),
                    sa.Column('id_number_masked', sa.String(length=18), nullable=False),
                    sa.Column('phone', sa.String(length=16), nullable=False),
                    sa.Column('booked_at', sa.DateTime(), nullable=False),
                    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
                    sa.Column('checked_in_at', sa.DateTime(), nullable=True),
                    sa.Column('missed_at', sa.DateTime(), nullable=True),
                    sa.Column('ticket_id', sa.String(length=40), nullable=True),
                    sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_appointments_site_code', 'appointments', ['site', 'code'], unique=True)
    op.create_index('ix_appointments_open', 'appointments', ['site', 'status', 'start_at'])
    op.create_index('ix_appointments_site_day', 'appointments', ['site', 'day'])
    op.create_table('appointment_slots',
                    sa.Column('site', sa.String(length=64), nullable=False),
                    sa.Column('service', sa.String(length=64), nullable=False),
                    sa.Column('start_at', sa.DateTime(), nullable=False),
                    sa.Column('booked', sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint('site', 'service', 'start_at'))
    op.create_table('appointment_person_days',
                    sa.Column('site', sa.String(length=64), nullable=False),
                    sa.Column('person_key', sa.String(length=64), nullable=False),
                    sa.Column('day', sa.Date(), nullable=False),
                    sa.Column('booked', sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint('site', 'person_key', 'day'))
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('appointment_id', sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_column('appointment_id')
    op.drop_table('appointment_person_days')
    op.drop_table('appointment_slots')
    op.drop_index('ix_appointments_site_day', table_name='appointments')
    op.drop_index('ix_appointments_open', table_name='appointments')
    op.drop_index('ix_appointments_site_code', table_name='appointments')
    op.drop_table('appointments')
