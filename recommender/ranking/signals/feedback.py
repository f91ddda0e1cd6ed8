"""The bot's own feedback: 👍 raises and 👎 lowers a Korean song, and its artist, for everyone.

Each person counts once per song (the votes come as distinct people up and
down). A song's score is ``(up - down) / (up + down + prior_votes)``: in
(-1, 1), and shrunk towards zero while votes are few, so a few people's 👍
move a song a little and many people's 👍 move it a lot. Below
``min_people`` voters it is 0, so a few people cannot change what everyone
is shown. Both numbers are the bot's vote policy, passed in by the caller.
An artist's score is the same formula over the votes on all of its songs.
Offline playlists carry no votes, so this signal is not tuned; its weight in
the blend is fixed
(:data:`recommender.ranking.blend.FEEDBACK_WEIGHT`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from recommender.ranking.signals.space import KoreanArtists

__all__ = ["FeedbackScores"]


@dataclass(frozen=True)
class FeedbackScores:
    """Shrunk net votes per song id and per Korean artist column, float64, 0 where nobody voted."""

    songs: np.ndarray
    artists: np.ndarray

    @classmethod
    def from_votes(
        cls,
        votes: Mapping[int, tuple[int, int]],
        artist_of: np.ndarray,
        artists: KoreanArtists,
        *,
        min_people: int,
        prior_votes: float,
    ) -> FeedbackScores:
        """``votes`` maps song id -> (people up, people down); ``artist_of`` gives every song's artist.

        A score counts once ``min_people`` distinct people voted, shrunk by ``prior_votes`` of "no opinion".
        """
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
        return cls(
            _shrunk(song_up, song_down, min_people, prior_votes),
            _shrunk(artist_up, artist_down, min_people, prior_votes),
        )

    @property
    def has_effect(self) -> bool:
        """False when no song's votes lean either way (nothing to move)."""
        return bool(self.songs.any())


def _shrunk(up: np.ndarray, down: np.ndarray, min_people: int, prior_votes: float) -> np.ndarray:
    return np.where(up + down >= min_people, (up - down) / (up + down + prior_votes), 0.0)
