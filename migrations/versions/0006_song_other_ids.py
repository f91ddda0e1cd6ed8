"""the Spotify ids of other releases merged into a song

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 22:30:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0006'
down_revision: Union[str, None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('songs') as batch_op:
        batch_op.add_column(sa.Column('other_ids', sa.Text(), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('songs') as batch_op:
        batch_op.drop_column('other_ids')
