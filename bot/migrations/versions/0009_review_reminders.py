"""review_reminder and reminder_send: opt-in review reminders and their once-a-day ledger

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from bot.models.columns import UTCDateTime


revision: str = '0009'
down_revision: Union[str, None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('review_reminder',
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('local_time', sa.String(length=5), nullable=False),
    sa.Column('since', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['learner_id'], ['learner.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('learner_id')
    )
    op.create_table('reminder_send',
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('local_day', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('due', sa.Integer(), server_default='0', nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('claimed_at', UTCDateTime(), nullable=False),
    sa.Column('next_attempt_at', UTCDateTime(), nullable=True),
    sa.Column('sent_at', UTCDateTime(), nullable=True),
    sa.Column('error', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['learner_id'], ['learner.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('learner_id', 'local_day')
    )
    op.create_index('ix_reminder_send_retry', 'reminder_send', ['status', 'next_attempt_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_reminder_send_retry', table_name='reminder_send')
    op.drop_table('reminder_send')
    op.drop_table('review_reminder')
