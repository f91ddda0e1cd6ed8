"""A genre-family profile for every artist: what the evidence says, and for Korean acts without any, what their sound says.

Spotify genres reach fewer than one Korean act in ten in the public catalogues, and listeners' tags
fewer still, so a genre signal built on them alone knows a handful of acts and keeps naming them.
Each artist gets a profile instead: a distribution over the genre bridge's families.

* **Evidence** (:func:`evidence`): each Spotify genre adds its families (through the reviewed
  bridge, ``recommender/data/genre_bridge.csv``), each listener tag adds its families weighed by how
  many listeners gave it. Genres and tags count as two equal sources, so one long genre list does not
  drown the tags. Noise is outvoted rather than filtered: Green Day's one "latin hip hop" token is a
  small share beside its rock ones.
* **Sound** (:class:`SoundModel`): a classifier from the eleven audio features to a family, trained
  on the songs of western artists whose evidence points one way (the family holding at least half of
  their profile), applied to every song of a Korean act and averaged over its songs. It is what a
  Korean act without evidence is known by; acts with evidence keep it.

:func:`holdout_accuracy` measures the sound model where it can be checked: on Korean acts that have
evidence (never trained on), is the family it predicts one the evidence supports? The majority-class
rate beside it is what always answering the most common family would score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

from recommender.catalogue.catalogue import Catalogue
from recommender.ranking.signals.genre import GenreBridge
from recommender.ranking.signals.space import KoreanArtists

__all__ = ["CLEAR_SHARE", "GenreProfiles", "GenreSimilarity", "SoundModel", "Accuracy", "evidence", "holdout_accuracy"]

#: A profile points one way when one family holds at least this share of it (training labels, true families).
CLEAR_SHARE = 0.5
#: Families holding at least this share of a profile are the artist's families (reasons, shared families).
MEMBER_SHARE = 0.3
#: Training songs per family at most: keeps fitting to a second or two, and the big families from drowning the rest.
_PER_FAMILY = 1500


def evidence(catalogue: Catalogue, tags: pd.DataFrame | None, bridge: GenreBridge, families: Sequence[str]) -> np.ndarray:
    """(artists, families) float64: each row the artist's evidence as a distribution (all zero without any)."""
    column = {name: j for j, name in enumerate(families)}
    n = len(catalogue.artists)
    genres = np.zeros((n, len(families)))
    for i, (names, korean) in enumerate(zip(catalogue.artists["genres"], catalogue.artists["korean"], strict=True)):
        for genre in names:
            for family in bridge.families([genre], korean=bool(korean)):
                genres[i, column[family]] += 1.0
    tagged = np.zeros((n, len(families)))
    if tags is not None and len(tags):
        for artist, tag, users in tags[["artist_id", "tag", "users"]].itertuples(index=False):
            for family in bridge.families([str(tag).replace("-", " ")], korean=False):
                tagged[int(artist), column[family]] += float(users)
    total = _rows_to_one(genres) + _rows_to_one(tagged)
    return _rows_to_one(total)


def _rows_to_one(matrix: np.ndarray) -> np.ndarray:
    sums = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, sums, out=np.zeros_like(matrix), where=sums > 0)


class SoundModel:
    """Family from audio features (scaled as the neighbour tables scale them), fitted once per build."""

    def __init__(self, families: Sequence[str]) -> None:
        self.families = tuple(families)
        # Pairs of features (fast and loud, acoustic and slow) tell genres apart better than each alone.
        self._classifier = make_pipeline(
            PolynomialFeatures(degree=2, include_bias=False), StandardScaler(), LogisticRegression(max_iter=200, C=0.5)
        )
        self._classes: np.ndarray = np.zeros(0, dtype=np.int64)

    def fit(self, vectors: np.ndarray, labels: np.ndarray, seed: int = 0) -> SoundModel:
        """``labels`` are family columns, -1 for songs that teach nothing; each family capped at ``_PER_FAMILY``."""
        rng = np.random.default_rng(seed)
        chosen = np.concatenate([
            rng.permutation(np.flatnonzero(labels == family))[:_PER_FAMILY] for family in np.unique(labels[labels >= 0])
        ]) if (labels >= 0).any() else np.zeros(0, dtype=np.int64)
        if len(np.unique(labels[chosen])) >= 2:
            self._classifier.fit(vectors[chosen], labels[chosen])
            self._classes = self._classifier.classes_.astype(np.int64)
        return self

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """(songs, families) float64; uniform when the model could not be fitted."""
        out = np.full((len(vectors), len(self.families)), 1.0 / max(len(self.families), 1))
        if len(self._classes) and len(vectors):
            out[:] = 0.0
            out[:, self._classes] = self._classifier.predict_proba(vectors)
        return out


def _mean_by(owner: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    sums = np.zeros((n, values.shape[1]))
    np.add.at(sums, owner, values)
    return _rows_to_one(sums)


class GenreProfiles:
    """Every artist's family profile: evidence where there is some, else (Korean acts) the sound model's."""

    def __init__(self, catalogue: Catalogue, song_vectors: np.ndarray, tags: pd.DataFrame | None = None,
                 bridge: GenreBridge | None = None) -> None:
        bridge = bridge or GenreBridge.reviewed()
        self.families = bridge.family_names()
        self.evidence = evidence(catalogue, tags, bridge, self.families)
        self.known = self.evidence.any(axis=1)
        korean = catalogue.artists["korean"].to_numpy(dtype=bool)
        artist_of = catalogue.songs["artist_id"].to_numpy(dtype=np.int64)
        top = self.evidence.argmax(axis=1)
        clear = self.known & ~korean & (self.evidence.max(axis=1) >= CLEAR_SHARE)
        labels = np.where(clear[artist_of], top[artist_of], -1)
        self.sound = SoundModel(self.families).fit(song_vectors, labels)
        korean_songs = np.flatnonzero(korean[artist_of])
        self.by_sound = _mean_by(artist_of[korean_songs], self.sound.probabilities(song_vectors[korean_songs]),
                                   len(korean))
        self.profiles = np.where(self.known[:, None], self.evidence, self.by_sound)

    def members(self, artist_id: int) -> frozenset[str]:
        """The families holding at least ``MEMBER_SHARE`` of the artist's profile."""
        row = self.profiles[artist_id]
        return frozenset(self.families[j] for j in np.flatnonzero(row >= MEMBER_SHARE))


class GenreSimilarity:
    """Cosine between any query artist's family profile and every Korean artist's (see :mod:`.genre_profiles`)."""

    def __init__(self, profiles: GenreProfiles, artists: KoreanArtists) -> None:
        self._profiles = profiles
        known = profiles.evidence[profiles.known] > 0
        # Rarer families weigh more (sharing hip hop says more than sharing pop); +1 keeps a family all share above zero.
        self._rarity = np.log1p(max(len(known), 1) / np.maximum(known.sum(axis=0), 1))
        weighted = profiles.profiles * self._rarity
        norms = np.linalg.norm(weighted, axis=1, keepdims=True)
        self._vectors = np.divide(weighted, norms, out=np.zeros_like(weighted), where=norms > 0).astype(np.float32)
        self._korean = self._vectors[artists.ids]
        self._artists = artists

    def for_artists(self, artist_ids: np.ndarray) -> np.ndarray:
        """(n, Korean artists) float32 cosine in [0, 1]; 0 everywhere for a query with no profile."""
        return self._vectors[np.asarray(artist_ids, dtype=np.intp)] @ self._korean.T

    def shared(self, artist_id: int, korean_artist_id: int) -> tuple[str, ...]:
        """Families both artists belong to, most telling (rarest) first."""
        both = self._profiles.members(artist_id) & self._profiles.members(korean_artist_id)
        rarity = dict(zip(self._profiles.families, self._rarity.tolist()))
        return tuple(sorted(both, key=lambda f: (-rarity[f], f)))


@dataclass(frozen=True)
class Accuracy:
    """The sound model on Korean acts with evidence: how often its family is one the evidence supports."""

    acts: int
    accuracy: float
    majority: float  # always answering the family most of these acts have
    majority_family: str


def holdout_accuracy(profiles: GenreProfiles, korean_ids: np.ndarray) -> Accuracy:
    """Checked on Korean acts with evidence (the sound model never trains on a Korean act)."""
    acts = korean_ids[profiles.known[korean_ids] & profiles.by_sound[korean_ids].any(axis=1)]
    if not len(acts):
        return Accuracy(0, float("nan"), float("nan"), "")
    supported = profiles.evidence[acts] >= MEMBER_SHARE
    predicted = profiles.by_sound[acts].argmax(axis=1)
    majority = int(supported.sum(axis=0).argmax())
    return Accuracy(
        acts=len(acts),
        accuracy=float(supported[np.arange(len(acts)), predicted].mean()),
        majority=float(supported[:, majority].mean()),
        majority_family=profiles.families[majority],
    )
