"""playlist data for co-listening, and the tuned blend of a build

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 15:10:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('playlists',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('listener', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('playlist_artists',
    sa.Column('playlist_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('artist_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.ForeignKeyConstraint(['artist_id'], ['artists.id'], ),
    sa.ForeignKeyConstraint(['playlist_id'], ['playlists.id'], ),
    sa.PrimaryKeyConstraint('playlist_id', 'artist_id')
    )
    with op.batch_alter_table('builds') as batch_op:
        batch_op.add_column(sa.Column('blend', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('builds') as batch_op:
        batch_op.drop_column('blend')
    op.drop_table('playlist_artists')
    op.drop_table('playlists')
