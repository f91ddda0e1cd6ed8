"""catalogue, neighbour tables, recommendations and feedback

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 12:23:29.734368
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0001'
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('artist_neighbours',
    sa.Column('artist_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('neighbour_ids', sa.LargeBinary(), nullable=False),
    sa.Column('distances', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('artist_id')
    )
    op.create_table('artists',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('korean', sa.Boolean(), nullable=False),
    sa.Column('popularity', sa.Float(), nullable=True),
    sa.Column('genres', sa.JSON(), nullable=False),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('builds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('scaling', sa.String(length=16), nullable=False),
    sa.Column('k_songs', sa.Integer(), nullable=False),
    sa.Column('k_artists', sa.Integer(), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('rejected', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('recommendations',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('chat_id', sa.String(length=64), nullable=False),
    sa.Column('message_id', sa.String(length=64), nullable=True),
    sa.Column('query', sa.Text(), nullable=False),
    sa.Column('match_kind', sa.String(length=8), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=False),
    sa.Column('match_label', sa.Text(), nullable=False),
    sa.Column('page_offset', sa.Integer(), nullable=False),
    sa.Column('arm', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.create_index('ix_recommendations_message', ['platform', 'chat_id', 'message_id'], unique=False)
        batch_op.create_index('ix_recommendations_user', ['platform', 'user_id'], unique=False)

    op.create_table('song_neighbours',
    sa.Column('song_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('neighbour_ids', sa.LargeBinary(), nullable=False),
    sa.Column('distances', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('song_id')
    )
    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('recommendation_id', sa.BigInteger(), nullable=False),
    sa.Column('pick_rank', sa.SmallInteger(), nullable=False),
    sa.Column('vote', sa.SmallInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('platform', 'user_id', 'recommendation_id', 'pick_rank', name='uq_feedback_vote')
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_user', ['platform', 'user_id'], unique=False)

    op.create_table('recommendation_picks',
    sa.Column('recommendation_id', sa.BigInteger(), nullable=False),
    sa.Column('rank', sa.SmallInteger(), autoincrement=False, nullable=False),
    sa.Column('song_key', sa.String(length=64), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('artist', sa.Text(), nullable=False),
    sa.Column('distance', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('recommendation_id', 'rank')
    )
    with op.batch_alter_table('recommendation_picks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recommendation_picks_song_key'), ['song_key'], unique=False)

    op.create_table('songs',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('spotify_id', sa.String(length=32), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('artist_id', sa.Integer(), nullable=False),
    sa.Column('korean', sa.Boolean(), nullable=False),
    sa.Column('popularity', sa.Float(), nullable=True),
    sa.Column('danceability', sa.Float(), nullable=False),
    sa.Column('energy', sa.Float(), nullable=False),
    sa.Column('key', sa.Float(), nullable=False),
    sa.Column('loudness', sa.Float(), nullable=False),
    sa.Column('mode', sa.Float(), nullable=False),
    sa.Column('speechiness', sa.Float(), nullable=False),
    sa.Column('acousticness', sa.Float(), nullable=False),
    sa.Column('instrumentalness', sa.Float(), nullable=False),
    sa.Column('liveness', sa.Float(), nullable=False),
    sa.Column('valence', sa.Float(), nullable=False),
    sa.Column('tempo', sa.Float(), nullable=False),
    sa.Column('sources', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['artist_id'], ['artists.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('songs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_songs_artist_id'), ['artist_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_songs_spotify_id'), ['spotify_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('songs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_songs_spotify_id'))
        batch_op.drop_index(batch_op.f('ix_songs_artist_id'))

    op.drop_table('songs')
    with op.batch_alter_table('recommendation_picks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recommendation_picks_song_key'))

    op.drop_table('recommendation_picks')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_user')

    op.drop_table('feedback')
    op.drop_table('song_neighbours')
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.drop_index('ix_recommendations_user')
        batch_op.drop_index('ix_recommendations_message')

    op.drop_table('recommendations')
    op.drop_table('builds')
    op.drop_table('artists')
    op.drop_table('artist_neighbours')
