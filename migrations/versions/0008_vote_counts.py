"""running vote counts per song, backfilled from the stored votes

Reading everyone's votes used to aggregate every vote ever given; votes now
move these two tables in their own transaction (see bot.storage.vote_counts).
The backfill is the same count that bot.storage.vote_counts.recount makes,
written out here so this migration keeps meaning what it meant when later
code changes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 02:10:00.000000
"""
from datetime import datetime, timezone
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0008'
down_revision: Union[str, None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'person_song_votes',
        sa.Column('song_key', sa.String(length=64), nullable=False),
        sa.Column('platform', sa.String(length=16), nullable=False),
        sa.Column('user_id', sa.String(length=64), nullable=False),
        sa.Column('vote', sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column('votes', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('song_key', 'platform', 'user_id', 'vote'),
    )
    counts = op.create_table(
        'song_vote_counts',
        sa.Column('song_key', sa.String(length=64), nullable=False),
        sa.Column('up', sa.Integer(), nullable=False),
        sa.Column('down', sa.Integer(), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('song_key'),
    )
    op.create_index('ix_song_vote_counts_changed_at', 'song_vote_counts', ['changed_at'], unique=False)
    op.execute(
        "INSERT INTO person_song_votes (song_key, platform, user_id, vote, votes) "
        "SELECT p.song_key, f.platform, f.user_id, f.vote, count(*) "
        "FROM recommendation_picks p JOIN feedback f ON f.recommendation_id = p.recommendation_id "
        "AND (f.pick_rank = 0 OR f.pick_rank = p.rank) WHERE f.vote != 0 "
        "GROUP BY p.song_key, f.platform, f.user_id, f.vote"
    )
    bind = op.get_bind()
    totals = bind.execute(sa.text(
        "SELECT song_key, sum(CASE WHEN vote > 0 THEN 1 ELSE 0 END), sum(CASE WHEN vote < 0 THEN 1 ELSE 0 END) "
        "FROM person_song_votes GROUP BY song_key"
    ))
    now = datetime.now(timezone.utc)
    rows = [{'song_key': key, 'up': int(up), 'down': int(down), 'changed_at': now} for key, up, down in totals]
    if rows:
        op.bulk_insert(counts, rows)


def downgrade() -> None:
    op.drop_index('ix_song_vote_counts_changed_at', table_name='song_vote_counts')
    op.drop_table('song_vote_counts')
    op.drop_table('person_song_votes')
