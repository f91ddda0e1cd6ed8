"""index feedback by recommendation, for re-counting a song's votes after each vote

Without it SQLite builds a temporary index on every such query (a scan of all
feedback), which made each vote cost time proportional to all votes so far.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 12:00:00
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0004'
down_revision: Union[str, None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_recommendation', ['recommendation_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_recommendation')
