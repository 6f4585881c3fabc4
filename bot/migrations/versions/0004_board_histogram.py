"""board histogram: learners per points value per board

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""
from datetime import date
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import bot.models


revision: str = '0004'
down_revision: Union[str, None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The start the all-time board is filed under (bot.engine.histogram.ALL_TIME; copied, as a
# migration must not change when the code does).
ALL_TIME = date(1970, 1, 1)


def upgrade() -> None:
    op.create_table('board_histogram',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=5), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('learners', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('community_id', 'period', 'start', 'points')
    )
    backfill()


def backfill() -> None:
    """Count the existing rollups, so ranks are right straight after the upgrade (set-based, in the database)."""
    histogram = sa.table('board_histogram', *(sa.column(c) for c in ('community_id', 'period', 'start', 'points', 'learners')))
    stats = sa.table('learner_stats', *(sa.column(c) for c in ('community_id', 'points', 'answers')))
    period = sa.table('learner_period', *(sa.column(c) for c in ('community_id', 'period', 'start', 'points')))
    columns = ['community_id', 'period', 'start', 'points', 'learners']
    # Only learners who answered are on a board; a learner_period row exists only once its learner answered.
    op.execute(histogram.insert().from_select(columns, sa.select(
        stats.c.community_id, sa.literal('all', sa.String), sa.literal(ALL_TIME, sa.Date), stats.c.points, sa.func.count())
        .where(stats.c.answers > 0).group_by(stats.c.community_id, stats.c.points)))
    op.execute(histogram.insert().from_select(columns, sa.select(
        period.c.community_id, period.c.period, period.c.start, period.c.points, sa.func.count())
        .group_by(period.c.community_id, period.c.period, period.c.start, period.c.points)))


def downgrade() -> None:
    op.drop_table('board_histogram')
