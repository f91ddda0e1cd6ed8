"""The genre bridge: do a western artist's Spotify genres match a Korean artist's?

Spotify names Korean styles with genres of their own (``k-rap``, ``korean
r&b``, ``k-indie``), so a western rapper and a Korean rapper share no genre
token. The reviewed table ``recommender/data/genre_bridge.csv`` maps both
sides onto a few families (hip hop, R&B, indie, rock, pop, ...):

* ``korean`` rows name a whole Korean genre token (``k-rap`` -> hip hop);
* ``western`` rows name a word or phrase that must appear as whole words in
  a genre (``hip hop`` matches ``atl hip hop``, ``rap`` matches ``gangster
  rap`` but not ``trap``, and ``pop`` never matches inside ``k-pop`` or
  ``folk-pop``, which are single words).

A Korean artist's families come from its Korean genre tokens only. Its other
tokens are left out on purpose: they are mostly playlist themes an import
attached (a K-pop act found in an EDM playlist gets ``edm``), which describe
the playlist rather than the artist, and for playlists that are also
evaluated they would hand the answer to the ranker. A western artist's
families come from every token, Korean ones included.

Similarity is the cosine between the two artists' family vectors, each
family weighted by how rare it is (sharing hip hop says more than sharing
pop). Most Korean artists in public catalogues have no Spotify genres; for
them the similarity is unknown and they get the query's average over the
Korean artists that have some, so that having genres is neither a reward
nor a penalty. A query without families scores every artist 0, so the
signal leaves the order to the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from recommender.catalogue.catalogue import Catalogue
from recommender.catalogue.reviewed import genre_bridge_rows
from recommender.ranking.signals.space import KoreanArtists

__all__ = ["GenreBridge", "GenreSimilarity"]

SIDES = ("korean", "western")


@dataclass(frozen=True)
class GenreBridge:
    """Genre tokens and phrases -> families, read from the reviewed table."""

    korean: Mapping[str, tuple[str, ...]]
    western: Mapping[tuple[str, ...], tuple[str, ...]]
    _phrase_lengths: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_phrase_lengths", tuple(sorted({len(p) for p in self.western})))

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, Sequence[str]]]) -> GenreBridge:
        """Rows of (side, genre, families); a row that cannot mean anything is an error."""
        korean: dict[str, tuple[str, ...]] = {}
        western: dict[tuple[str, ...], tuple[str, ...]] = {}
        for side, genre, families in rows:
            genre = genre.strip().casefold()
            if side not in SIDES or not genre or not families:
                raise ValueError(f"genre bridge row needs a side ({' or '.join(SIDES)}), a genre and families: "
                                 f"{side!r}, {genre!r}, {list(families)!r}")
            if side == "korean":
                korean[genre] = tuple(families)
            else:
                western[tuple(genre.split())] = tuple(families)
        return cls(korean, western)

    @classmethod
    @cache
    def reviewed(cls) -> GenreBridge:
        """The bridge of ``recommender/data/genre_bridge.csv``."""
        return cls.from_rows(genre_bridge_rows())

    def families(self, genres: Iterable[str], *, korean: bool) -> frozenset[str]:
        """The families a Korean or a western artist with these Spotify genres belongs to."""
        found: set[str] = set()
        for genre in genres:
            found.update(self._of_genre(genre.strip().casefold(), korean))
        return frozenset(found)

    def _of_genre(self, genre: str, korean: bool) -> tuple[str, ...]:
        if genre in self.korean:
            return self.korean[genre]
        if korean:
            return ()
        words = genre.split()
        found: list[str] = []
        for n in self._phrase_lengths:
            for start in range(len(words) - n + 1):
                found.extend(self.western.get(tuple(words[start : start + n]), ()))
        return tuple(found)


class GenreSimilarity:
    """Family-vector cosine between any query artist and every Korean artist."""

    def __init__(self, catalogue: Catalogue, artists: KoreanArtists, bridge: GenreBridge | None = None) -> None:
        bridge = bridge or GenreBridge.reviewed()
        flags = catalogue.artists["korean"].to_numpy(dtype=bool)
        self._families = [
            bridge.families(genres, korean=bool(korean))
            for genres, korean in zip(catalogue.artists["genres"], flags, strict=True)
        ]
        names = sorted(set().union(*self._families)) if self._families else []
        member = np.zeros((len(self._families), len(names)), dtype=np.float32)
        column = {name: j for j, name in enumerate(names)}
        for i, families in enumerate(self._families):
            member[i, [column[f] for f in families]] = 1.0
        known = member.any(axis=1)
        # Rarer families weigh more; +1 keeps a family every artist has above zero.
        self._rarity = dict(zip(names, np.log1p(known.sum() / np.maximum(member[known].sum(axis=0), 1)).tolist()))
        weighted = member * np.array([self._rarity[n] for n in names], dtype=np.float32)
        norms = np.linalg.norm(weighted, axis=1, keepdims=True)
        self._vectors = np.divide(weighted, norms, out=np.zeros_like(weighted), where=norms > 0)
        self._artists = artists
        self._known = known[artists.ids]

    def for_artists(self, artist_ids: np.ndarray) -> np.ndarray:
        """(n, Korean artists) float32 cosine in [0, 1]; unknown Korean artists get the row's mean of known ones."""
        query = self._vectors[np.asarray(artist_ids, dtype=np.intp)]
        scores = query @ self._vectors[self._artists.ids].T
        if self._known.any() and not self._known.all():
            scores[:, ~self._known] = scores[:, self._known].mean(axis=1, keepdims=True)
        return scores

    def shared(self, artist_id: int, korean_artist_id: int) -> tuple[str, ...]:
        """Families both artists belong to, most telling (rarest) first."""
        both = self._families[artist_id] & self._families[korean_artist_id]
        return tuple(sorted(both, key=lambda f: (-self._rarity[f], f)))
