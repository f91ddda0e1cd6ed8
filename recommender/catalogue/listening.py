"""The playlist data a build keeps: which catalogue artists each playlist holds, and whose it is.

Co-listening (:mod:`recommender.ranking.signals.colistening`) is fitted on it. It
comes from every playlist file a build is given (:func:`read_playlist_data`):
listener exports, and catalogue files whose rows also name a playlist (the
TidyTuesday songs carry the playlist each track was found in). A playlist is
identified by its listener and its value in the playlist column; a playlist
without a listener is its own listener (:func:`listener_key`), so leaving a
listener out of a fit never leaves out more, or less, than what that person
(or that anonymous playlist) contributed.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from recommender.catalogue.catalogue import Catalogue
from recommender.catalogue.playlist_files import MatchedPlaylists, PlaylistMatcher, read_playlists

__all__ = ["listener_key", "PlaylistArtists", "read_playlist_data"]


def listener_key(listener: str, playlist: str) -> str:
    """Whose playlist it is: the named listener, else the playlist itself."""
    return f"listener:{listener}" if listener else f"playlist:{playlist}"


@dataclass(frozen=True)
class PlaylistArtists:
    """Which catalogue artists each playlist holds.

    ``playlists`` has one row per playlist (``listener``, ``playlist``: the
    values of the file, ``listener`` ``""`` when it names none), its
    position being the playlist number; ``pairs`` is int64 (n, 2) of distinct
    (playlist number, artist id), sorted. Artists count when the playlist
    names them, whether or not that row's song is in the catalogue.
    """

    playlists: pd.DataFrame
    pairs: np.ndarray

    @classmethod
    def empty(cls) -> PlaylistArtists:
        return cls(pd.DataFrame({"listener": pd.Series(dtype=object), "playlist": pd.Series(dtype=object)}),
                   np.zeros((0, 2), dtype=np.int64))

    @classmethod
    def from_table(cls, listener: Sequence[str], playlist: Sequence[str], artist: np.ndarray) -> PlaylistArtists:
        """From one row per (playlist, artist) occurrence, repeats allowed."""
        artist = np.asarray(artist, dtype=np.int64)
        if not len(artist):
            return cls.empty()
        number, names = pd.factorize(pd.MultiIndex.from_arrays([list(listener), list(playlist)]))
        playlists = pd.DataFrame({"listener": names.get_level_values(0).astype(object),
                                  "playlist": names.get_level_values(1).astype(object)})
        pairs = np.unique(np.column_stack([number.astype(np.int64), artist]), axis=0)
        return cls(playlists, pairs)

    @classmethod
    def from_matches(cls, matched: MatchedPlaylists) -> PlaylistArtists:
        rows = matched.rows[matched.rows["artist_id"] >= 0]
        return cls.from_table(rows["listener"].tolist(), rows["playlist"].tolist(), rows["artist_id"].to_numpy())

    @classmethod
    def concat(cls, parts: Sequence[PlaylistArtists]) -> PlaylistArtists:
        """All parts as one; a playlist in several parts (same listener and name) is one playlist."""
        listener: list[str] = []
        playlist: list[str] = []
        artists: list[np.ndarray] = []
        for part in parts:
            number, artist = part.pairs[:, 0], part.pairs[:, 1]
            listener += part.playlists["listener"].to_numpy()[number].tolist()
            playlist += part.playlists["playlist"].to_numpy()[number].tolist()
            artists.append(artist)
        return cls.from_table(listener, playlist, np.concatenate(artists) if artists else np.zeros(0))

    def listener_keys(self) -> np.ndarray:
        """:func:`listener_key` of every playlist, by playlist number."""
        return np.array([listener_key(l, p) for l, p in zip(self.playlists["listener"], self.playlists["playlist"],
                                                             strict=True)], dtype=object)

    def without(self, listeners: Collection[str]) -> PlaylistArtists:
        """The same data without every playlist of the given listener keys (playlists renumbered)."""
        if not listeners or not len(self.playlists):
            return self
        kept = ~np.isin(self.listener_keys(), np.asarray(list(listeners), dtype=object))
        if kept.all():
            return self
        number = np.cumsum(kept) - 1  # old playlist number -> new one, for kept playlists
        pairs = self.pairs[kept[self.pairs[:, 0]]]
        return PlaylistArtists(self.playlists[kept].reset_index(drop=True),
                               np.column_stack([number[pairs[:, 0]], pairs[:, 1]]))


def read_playlist_data(paths: Sequence[Path], catalogue: Catalogue) -> tuple[PlaylistArtists, list[str]]:
    """Every playlist of these files matched to ``catalogue``, and one note per file for the build report.

    Raises :class:`~recommender.catalogue.playlist_files.PlaylistFileError` for a file that cannot be read as playlists.
    """
    matcher = PlaylistMatcher(catalogue)
    parts, notes = [], []
    for path in paths:
        matched = matcher.match(read_playlists(path))
        part = PlaylistArtists.from_matches(matched)
        counts = matched.counts()
        parts.append(part)
        notes.append(
            f"{matched.name}: read as playlist data, {len(part.playlists):,} playlists with a catalogue artist "
            f"({counts.rows - counts.unmatched:,} of {counts.rows:,} rows name one)"
        )
    return PlaylistArtists.concat(parts), notes
