"""weekly recap: a recap weekday per schedule (Monday by default, null = off) and the recap ledger

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

import bot.models


revision: str = '0010'
down_revision: Union[str, None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('schedule') as batch:
        batch.add_column(sa.Column('recap_weekday', sa.String(length=3), nullable=True, server_default='mon'))
    op.create_table('recap',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('slot_at', bot.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('claim_token', sa.String(length=36), nullable=True),
    sa.Column('claimed_at', bot.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('next_attempt_at', bot.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('message_ref', sa.String(length=200), nullable=True),
    sa.Column('posted_at', bot.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['schedule_id'], ['schedule.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('schedule_id', 'week_start', name='uq_recap_schedule_week')
    )


def downgrade() -> None:
    op.drop_table('recap')
    with op.batch_alter_table('schedule') as batch:
        batch.drop_column('recap_weekday')
