"""listeners' tags of the build's artists (Last.fm), for genre knowledge

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 01:20:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0007'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('artist_tags',
    sa.Column('artist_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('tag', sa.Text(), nullable=False),
    sa.Column('users', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['artist_id'], ['artists.id'], ),
    sa.PrimaryKeyConstraint('artist_id', 'tag')
    )


def downgrade() -> None:
    op.drop_table('artist_tags')
