"""schedule_question: when each schedule last used each question, so picking the next one stays bounded

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0006'
down_revision: Union[str, None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# bot.engine.tracks.USED, copied: a migration must not change when the code does.
USED = ('claimed', 'posted', 'failed')


def upgrade() -> None:
    op.create_table('schedule_question',
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('last_used', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['schedule_id'], ['schedule.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('schedule_id', 'question_id')
    )
    # Filled from the ledger as it stands, so the next pick is the same as before the upgrade.
    post = sa.table('post', *(sa.column(c) for c in ('schedule_id', 'question_id', 'local_date', 'status')))
    rollup = sa.table('schedule_question', *(sa.column(c) for c in ('schedule_id', 'question_id', 'last_used')))
    op.execute(rollup.insert().from_select(['schedule_id', 'question_id', 'last_used'], sa.select(
        post.c.schedule_id, post.c.question_id, sa.func.max(post.c.local_date))
        .where(post.c.status.in_(USED), post.c.question_id.is_not(None))
        .group_by(post.c.schedule_id, post.c.question_id)))


def downgrade() -> None:
    op.drop_table('schedule_question')
