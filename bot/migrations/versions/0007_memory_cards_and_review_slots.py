"""memory_card and review_slot: spaced review (FSRS) per learner and question

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

import bot.models


revision: str = '0007'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Cards start empty: a learner's card is made at the next graded answer (FSRS cannot rebuild a
    # memory from answers without their review order and dates, and the log keeps every answer anyway).
    op.create_table('memory_card',
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('state', sa.SmallInteger(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=True),
    sa.Column('stability', sa.Float(), nullable=False),
    sa.Column('difficulty', sa.Float(), nullable=False),
    sa.Column('due', bot.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_review', bot.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reviews', sa.Integer(), server_default='0', nullable=False),
    sa.Column('lapses', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['learner_id'], ['learner.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('learner_id', 'question_id')
    )
    op.create_index('ix_memory_card_learner_due', 'memory_card', ['learner_id', 'due'], unique=False)
    op.create_table('review_slot',
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('due', bot.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['delivery.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['learner_id'], ['learner.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('learner_id', 'question_id', 'due')
    )


def downgrade() -> None:
    op.drop_table('review_slot')
    op.drop_index('ix_memory_card_learner_due', table_name='memory_card')
    op.drop_table('memory_card')
