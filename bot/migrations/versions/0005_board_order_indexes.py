"""board order indexes: the top ten is an index range, ties included

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import bot.models


revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# bot.models.BOARD_ORDER, copied: a migration must not change when the code does.
ORDER = (sa.text("points DESC"), sa.text("(correct * 1.0 / answers) DESC"), "learner_id")
ANSWERED = sa.text("answers > 0")


def upgrade() -> None:
    # Same names, wider keys: (community, points) sorted only by points, and every tie was sorted per call.
    with op.batch_alter_table('learner_period', schema=None) as batch_op:
        batch_op.drop_index('ix_learner_period_board')
        batch_op.create_index('ix_learner_period_board', ['community_id', 'period', 'start', *ORDER], unique=False)
    with op.batch_alter_table('learner_stats', schema=None) as batch_op:
        batch_op.drop_index('ix_learner_stats_board')
        batch_op.create_index('ix_learner_stats_board', ['community_id', *ORDER], unique=False,
                              sqlite_where=ANSWERED, postgresql_where=ANSWERED)


def downgrade() -> None:
    with op.batch_alter_table('learner_stats', schema=None) as batch_op:
        batch_op.drop_index('ix_learner_stats_board')
        batch_op.create_index('ix_learner_stats_board', ['community_id', 'points'], unique=False)
    with op.batch_alter_table('learner_period', schema=None) as batch_op:
        batch_op.drop_index('ix_learner_period_board')
        batch_op.create_index('ix_learner_period_board', ['community_id', 'period', 'start', 'points'], unique=False)
