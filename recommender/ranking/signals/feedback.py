"""The bot's own feedback: 👍 raises and 👎 lowers a Korean song, and its artist, for everyone.

Each person counts once per song (the votes come as distinct people up and
down, :meth:`bot.storage.vote_log.VoteLog.song_votes`). A song's score is
``(up - down) / (up + down + PRIOR_VOTES)``: in (-1, 1), and shrunk towards
zero while votes are few, so three people's 👍 move a song a little and
twenty people's 👍 move it a lot. Below ``MIN_PEOPLE`` voters it is 0: one
or two people cannot change what everyone is shown, just as they cannot
sink a song (:class:`bot.votes.policy.SinkPolicy`); their own 👎 still hides the
song from them. An artist's score is the same formula over the votes on all
of its songs. Offline playlists carry no votes, so this
signal is not tuned; its weight in the blend is fixed
(:data:`recommender.ranking.blend.FEEDBACK_WEIGHT`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from recommender.ranking.signals.space import KoreanArtists

__all__ = ["PRIOR_VOTES", "MIN_PEOPLE", "FeedbackScores"]

#: Votes' worth of "no opinion" every song starts with.
PRIOR_VOTES = 3.0
#: Fewest distinct voters whose votes count for everyone.
MIN_PEOPLE = 3


@dataclass(frozen=True)
class FeedbackScores:
    """Shrunk net votes per song id and per Korean artist column, float64, 0 where nobody voted."""

    songs: np.ndarray
    artists: np.ndarray

    @classmethod
    def from_votes(
        cls, votes: Mapping[int, tuple[int, int]], artist_of: np.ndarray, artists: KoreanArtists
    ) -> FeedbackScores:
        """``votes`` maps song id -> (people up, people down); ``artist_of`` gives every song's artist."""
        n_songs = len(artist_of)
        song_up, song_down = np.zeros(n_songs), np.zeros(n_songs)
        for song_id, (ups, downs) in votes.items():
            if not 0 <= song_id < n_songs:
                raise ValueError(f"votes name song id {song_id}, outside the catalogue's {n_songs} songs")
            if ups < 0 or downs < 0:
                raise ValueError(f"vote counts cannot be negative: song {song_id} has {ups} up, {downs} down")
            song_up[song_id], song_down[song_id] = ups, downs
        column = artists.position[np.asarray(artist_of, dtype=np.int64)]
        korean = column >= 0
        artist_up = np.bincount(column[korean], weights=song_up[korean], minlength=len(artists))
        artist_down = np.bincount(column[korean], weights=song_down[korean], minlength=len(artists))
        return cls(_shrunk(song_up, song_down), _shrunk(artist_up, artist_down))

    @property
    def has_effect(self) -> bool:
        """False when no song's votes lean either way (nothing to move)."""
        return bool(self.songs.any())


def _shrunk(up: np.ndarray, down: np.ndarray) -> np.ndarray:
    return np.where(up + down >= MIN_PEOPLE, (up - down) / (up + down + PRIOR_VOTES), 0.0)
