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

Similarity is the cosine between the two artists' family *profiles*
(:mod:`recommender.ranking.signals.genre_profiles`: the evidence of Spotify
genres and listeners' tags, and for Korean acts without any, what a model of
their sound says), each family weighted by how rare it is (sharing hip hop
says more than sharing pop). A query without a profile scores every artist 0,
so the signal leaves the order to the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache


from recommender.catalogue.reviewed import genre_bridge_rows

__all__ = ["GenreBridge"]

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

    def family_names(self) -> tuple[str, ...]:
        """Every family the bridge knows, sorted."""
        return tuple(sorted({f for fs in (*self.korean.values(), *self.western.values()) for f in fs}))

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
