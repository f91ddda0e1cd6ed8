"""The loaded music library: one build, fitted once, queried by every message.

Matching and neighbour look-ups are pure in-memory work, so answers keep
coming when the database is slow or gone; only history and feedback need it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.replies import ItemRef, Pick
from bot.storage.catalogue_store import BuildInfo, StoredBuild
from recommender.catalogue import Catalogue, song_key
from recommender.matching import Item, Matcher
from recommender.neighbours import NeighbourTables
from recommender.recommend import Candidate, Recommender

__all__ = ["Library", "to_ref"]


def to_ref(item: Item) -> ItemRef:
    return ItemRef(kind=item.kind, id=item.id, title=item.title, artist=item.artist, korean=item.korean)


@dataclass
class Library:
    info: BuildInfo
    catalogue: Catalogue
    tables: NeighbourTables
    matcher: Matcher
    recommender: Recommender

    @classmethod
    def from_build(cls, build: StoredBuild) -> "Library":
        return cls(
            info=build.info,
            catalogue=build.catalogue,
            tables=build.tables,
            matcher=Matcher.fit(build.catalogue),
            recommender=Recommender(build.catalogue, build.tables),
        )

    def item(self, kind: str, item_id: int) -> ItemRef:
        return to_ref(self.matcher.item(kind, item_id))

    def song_key(self, song_id: int) -> str:
        row = self.catalogue.songs.loc[song_id]
        return song_key(row["spotify_id"], row["title"], self.catalogue.artist_name(int(row["artist_id"])))

    def to_picks(self, candidates: list[Candidate], first_rank: int) -> list[Pick]:
        songs = self.catalogue.songs
        picks = []
        for offset, cand in enumerate(candidates):
            row = songs.loc[cand.song_id]
            picks.append(
                Pick(
                    rank=first_rank + offset,
                    song_id=cand.song_id,
                    title=str(row["title"]),
                    artist=self.catalogue.artist_name(int(row["artist_id"])),
                    spotify_id=row["spotify_id"] if isinstance(row["spotify_id"], str) else None,
                    distance=float(cand.distance) if np.isfinite(cand.distance) else None,
                    reason=cand.reason,
                )
            )
        return picks
