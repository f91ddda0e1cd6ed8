"""The loaded music library: one build, fitted once, queried by every message.

Matching and neighbour look-ups are pure in-memory work, so answers keep
coming when the database is slow or gone; only history and feedback need it.
"""

from __future__ import annotations

import hashlib

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.chat.replies import ItemRef, Pick
from bot.storage.catalogue_store import BuildInfo, StoredBuild
from bot.storage import fitted
from recommender.ranking.blend import Blend, BlendWeights, HybridModel, TunedBlend
from recommender.catalogue.catalogue import Catalogue, song_key
from recommender.matching.matcher import Item, Matcher
from recommender.ranking.neighbours import NeighbourTables
from recommender.ranking.picks import Candidate, Recommender

__all__ = ["Library", "to_ref"]


def _blend(tuned: TunedBlend | None, familiarity: float) -> Blend:
    return Blend(tuned.weights if tuned is not None else BlendWeights(), familiarity)


def to_ref(item: Item) -> ItemRef:
    return ItemRef(kind=item.kind, id=item.id, title=item.title, artist=item.artist, korean=item.korean)


@dataclass
class Library:
    info: BuildInfo
    catalogue: Catalogue
    tables: NeighbourTables
    matcher: Matcher
    recommender: Recommender
    _keys: list[str] = field(init=False, repr=False)
    ids_by_key: dict[str, int] = field(init=False, repr=False)  # stored song key -> song id
    _titles: list[str] = field(init=False, repr=False)
    _artists: list[str] = field(init=False, repr=False)
    _spotify_ids: list[str | None] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        songs = self.catalogue.songs
        names = self.catalogue.artists["name"].to_numpy()[songs["artist_id"].to_numpy()]
        self._keys = [
            song_key(sid if isinstance(sid, str) else None, title, name)
            for sid, title, name in zip(songs["spotify_id"], songs["title"], names)
        ]
        self.ids_by_key = {key: i for i, key in enumerate(self._keys)}
        # plain lists: building a reply must not pay for a pandas row lookup per pick
        self._titles = songs["title"].astype(str).tolist()
        self._artists = [str(n) for n in names]
        self._spotify_ids = [sid if isinstance(sid, str) else None for sid in songs["spotify_id"]]

    @classmethod
    def from_build(cls, build: StoredBuild, *, familiarity: float = 1.0) -> "Library":
        """The build's catalogue, ranked with its playlist data and its tuned weights (equal until tuned)."""
        model = HybridModel(build.catalogue, build.tables, build.playlists, tags=build.tags)
        return cls(
            info=build.info,
            catalogue=build.catalogue,
            tables=build.tables,
            matcher=Matcher.fit(build.catalogue),
            recommender=Recommender(build.catalogue, build.tables, model=model,
                                    blend=_blend(build.blend, familiarity)),
        )

    def save(self, folder: Path) -> None:
        """Store everything fitted on the build (matcher, ranking signals, catalogue, tables) for :meth:`load`."""
        fitted.save(self, folder)

    @classmethod
    def load(cls, folder: Path, info: BuildInfo, tuned: TunedBlend | None, *, familiarity: float = 1.0) -> "Library":
        """A library :meth:`save` stored, with the build's current description, weights and familiarity.

        Those three may change without the build changing (``publish`` names an
        artifact, ``tune`` stores weights), so they are not taken from the folder.
        """
        library = fitted.load(folder)
        if not isinstance(library, cls) or library.info.id != info.id:
            raise ValueError(f"{folder} does not hold build #{info.id}")
        library.info = info
        library.recommender.blend = _blend(tuned, familiarity)
        return library

    def item(self, kind: str, item_id: int) -> ItemRef:
        return to_ref(self.matcher.item(kind, item_id))

    @property
    def stamp(self) -> str:
        """Six hex digits naming this build's contents; buttons carry it, since item ids are row positions
        that mean other songs after a rebuild. Every worker of one build (or artifact) agrees on it."""
        info = self.info
        described = f"{info.created_at.isoformat()}|{sorted(info.counts.items())}|{info.scaling}"
        return hashlib.sha256(described.encode()).hexdigest()[:6]

    def song_key(self, song_id: int) -> str:
        """The song's identity in stored history (it outlives rebuilds, unlike ``song_id``)."""
        return self._keys[song_id]

    def to_picks(self, candidates: list[Candidate], first_rank: int) -> list[Pick]:
        return [
            Pick(
                rank=first_rank + offset,
                song_id=cand.song_id,
                title=self._titles[cand.song_id],
                artist=self._artists[cand.song_id],
                spotify_id=self._spotify_ids[cand.song_id],
                distance=float(cand.distance) if np.isfinite(cand.distance) else None,
                reason=cand.reason,
            )
            for offset, cand in enumerate(candidates)
        ]
