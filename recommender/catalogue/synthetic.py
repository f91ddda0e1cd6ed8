"""Synthetic catalogues for tests and benchmarks: valid, seeded, and made of nothing real.

Tests describe only what matters to them (:func:`make_catalogue`: who sings,
which side, sometimes a few feature values). Benchmarks ask for a size and a
shape: western and Korean sides that sound a little different
(:func:`sided_catalogue`), artists of very uneven size (:func:`uneven_catalogue`),
or 100,000 titles of pronounceable made-up words to match against
(:func:`made_up_catalogue`, with :func:`made_up_queries`). Every one is put
together by :func:`assemble`, so each has the columns and types an import gives.

It lives in the package, not under ``tests/``, because benchmarks import it and
benchmarks never import tests. Seeds are fixed by the callers: the same call
gives the same catalogue on every run, so benchmark figures stay comparable.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from recommender.catalogue.catalogue import FEATURES, Catalogue
from recommender.catalogue.normalize import title_key

__all__ = [
    "assemble",
    "random_features",
    "spotify_like_features",
    "make_catalogue",
    "add_artist",
    "sided_catalogue",
    "uneven_catalogue",
    "made_up_catalogue",
    "made_up_queries",
]

Row = tuple[str, str, bool, float]  # (title, artist, korean, popularity)


def assemble(
    *,
    titles: Sequence[str],
    artist_id: Sequence[int] | np.ndarray,
    korean: Sequence[bool] | np.ndarray,
    popularity: Sequence[float] | np.ndarray | float,
    features: np.ndarray,
    artist_names: Sequence[str],
    artist_korean: Sequence[bool] | np.ndarray,
    artist_popularity: Sequence[float] | np.ndarray | float,
    genres: Sequence[tuple[str, ...]] | None = None,
    aliases: Sequence[tuple[str, ...]] | None = None,
    sources: str = "synthetic",
) -> Catalogue:
    """A catalogue from its columns: per song, then per artist (NaN popularity where unknown).

    ``features`` is (songs, 11) in FEATURES order; genres and aliases default to none.
    """
    n, m = len(titles), len(artist_names)
    songs = pd.DataFrame(
        {
            "spotify_id": [None] * n,
            "title": list(titles),
            "artist_id": np.asarray(artist_id, dtype=np.int64),
            "korean": np.asarray(korean, dtype=bool),
            "popularity": np.broadcast_to(np.asarray(popularity, dtype=np.float64), (n,)).copy(),
            **{name: np.asarray(features[:, j], dtype=np.float64) for j, name in enumerate(FEATURES)},
            "sources": [sources] * n,
        }
    )
    artists = pd.DataFrame(
        {
            "name": list(artist_names),
            "korean": np.broadcast_to(np.asarray(artist_korean, dtype=bool), (m,)).copy(),
            "popularity": np.broadcast_to(np.asarray(artist_popularity, dtype=np.float64), (m,)).copy(),
            "genres": list(genres) if genres is not None else [()] * m,
            "aliases": list(aliases) if aliases is not None else [()] * m,
        }
    )
    return Catalogue(songs=songs, artists=artists)


# --- sound ------------------------------------------------------------------------------------


def random_features(n: int, rng: np.random.Generator) -> np.ndarray:
    """(n, 11) raw features in Spotify's ranges, uniform: 0..1 levels, key 0..11, mode 0/1, dB, BPM."""
    out = rng.random((n, len(FEATURES)))
    column = {name: i for i, name in enumerate(FEATURES)}
    out[:, column["key"]] = rng.integers(0, 12, n)
    out[:, column["mode"]] = rng.integers(0, 2, n)
    out[:, column["loudness"]] = rng.uniform(-20.0, 0.0, n)
    out[:, column["tempo"]] = rng.uniform(60.0, 200.0, n)
    return out


def spotify_like_features(n: int, rng: np.random.Generator, korean: bool) -> np.ndarray:
    """(n, 11) float32 raw features with Spotify-like marginals, filled a column at a time.

    The Korean side is louder and more energetic on average, as K-pop is.
    """
    lift = 0.1 if korean else 0.0
    columns: dict[str, Callable[[], np.ndarray]] = {
        "danceability": lambda: rng.beta(5, 3, n) + lift / 2,
        "energy": lambda: rng.beta(4 + 10 * lift, 2.5, n),
        "key": lambda: rng.integers(0, 12, n),
        "loudness": lambda: -np.abs(rng.normal(7.0 - 20 * lift, 3.0, n)),
        "mode": lambda: rng.random(n) < 0.6,
        "speechiness": lambda: rng.beta(1, 10, n),
        "acousticness": lambda: rng.beta(0.7, 2 + 10 * lift, n),
        "instrumentalness": lambda: np.where(rng.random(n) < 0.85, rng.random(n) * 1e-3, rng.random(n)),
        "liveness": lambda: rng.beta(2, 8, n),
        "valence": lambda: rng.beta(3 + 5 * lift, 3, n),
        "tempo": lambda: np.clip(rng.normal(120.0, 28.0, n), 50.0, 220.0),
    }
    out = np.empty((n, len(FEATURES)), dtype=np.float32)
    for j, name in enumerate(FEATURES):
        out[:, j] = columns[name]()
    return out


# --- small catalogues described row by row (tests) ---------------------------------------------


def make_catalogue(
    rows: Iterable[Row],
    features: np.ndarray | Sequence[Mapping[str, float]] | None = None,
    *,
    aliases: Mapping[str, Sequence[str]] | None = None,
    genres: Mapping[str, Sequence[str]] | None = None,
    seed: int = 0,
) -> Catalogue:
    """A catalogue with one song per row; artists are numbered in order of first appearance.

    ``features`` is an (n, 11) array in FEATURES order, or one mapping per row
    giving some features by name (the rest random), or None for all random
    (seeded by ``seed``). An artist's ``korean`` flag is taken from its rows,
    which must agree; its popularity is that of its most popular song (NaN when
    none is known). ``aliases`` and ``genres`` are keyed by artist name.
    """
    rows = list(rows)
    matrix = random_features(len(rows), np.random.default_rng(seed))
    if isinstance(features, np.ndarray):
        if features.shape != matrix.shape:
            raise ValueError(f"features must have shape {matrix.shape}, got {features.shape}")
        matrix = features.astype(np.float64)
    elif features is not None:
        if len(features) != len(rows):
            raise ValueError(f"need one feature mapping per row: {len(features)} for {len(rows)} rows")
        for i, given in enumerate(features):
            for name, value in given.items():
                matrix[i, FEATURES.index(name)] = value

    artist_ids: dict[str, int] = {}
    artist_korean: dict[str, bool] = {}
    for _, artist, korean, _ in rows:
        artist_ids.setdefault(artist, len(artist_ids))
        if artist_korean.setdefault(artist, korean) != korean:
            raise ValueError(f"artist {artist!r} is marked both Korean and not Korean")
    song_artist = np.array([artist_ids[artist] for _, artist, _, _ in rows], dtype=np.int64)
    song_popularity = np.array([popularity for _, _, _, popularity in rows], dtype=np.float64)
    popularity = pd.Series(song_popularity).groupby(song_artist).max().reindex(range(len(artist_ids)))
    return assemble(
        titles=[title for title, _, _, _ in rows],
        artist_id=song_artist,
        korean=[korean for _, _, korean, _ in rows],
        popularity=song_popularity,
        features=matrix,
        artist_names=list(artist_ids),
        artist_korean=[artist_korean[a] for a in artist_ids],
        artist_popularity=popularity.to_numpy(dtype=np.float64),
        genres=[tuple((genres or {}).get(a, ())) for a in artist_ids],
        aliases=[tuple((aliases or {}).get(a, ())) for a in artist_ids],
        sources="test",
    )


def add_artist(catalogue: Catalogue, name: str, korean: bool) -> Catalogue:
    """The same catalogue plus one artist without songs (known by name only, e.g. from an alias list)."""
    extra = pd.DataFrame({"name": [name], "korean": [korean], "popularity": [np.nan], "genres": [()], "aliases": [()]})
    return Catalogue(songs=catalogue.songs, artists=pd.concat([catalogue.artists, extra], ignore_index=True))


# --- large catalogues of a given shape (benchmarks) --------------------------------------------


def sided_catalogue(n_western: int, n_korean: int, seed: int, *, songs_per_artist: int = 10) -> Catalogue:
    """Western songs first, then Korean ones, with :func:`spotify_like_features`; ``songs_per_artist`` each."""
    rng = np.random.default_rng(seed)
    features = np.vstack([spotify_like_features(n_western, rng, False), spotify_like_features(n_korean, rng, True)])
    korean = np.arange(n_western + n_korean) >= n_western
    western_artists = math.ceil(n_western / songs_per_artist)
    artist_id = np.concatenate(
        [np.arange(n_western) // songs_per_artist, western_artists + np.arange(n_korean) // songs_per_artist]
    )
    n_artists = int(artist_id.max()) + 1
    return assemble(
        titles=[f"song {i}" for i in range(len(korean))],
        artist_id=artist_id,
        korean=korean,
        popularity=np.nan,
        features=features,
        artist_names=[f"artist {a}" for a in range(n_artists)],
        artist_korean=np.arange(n_artists) >= western_artists,
        artist_popularity=np.nan,
    )


def _uneven(rng: np.random.Generator, n_songs: int, n_artists: int, exponent: float) -> np.ndarray:
    """Artist of each song; the artist of rank r gets a share proportional to r ** -exponent."""
    weights = np.arange(1, n_artists + 1) ** -exponent
    return rng.choice(n_artists, size=n_songs, p=weights / weights.sum())


def uneven_catalogue(
    rng: np.random.Generator,
    n_western: int,
    n_korean: int,
    western_artists: int,
    korean_artists: int,
    *,
    exponent: float = 0.7,
) -> Catalogue:
    """Western songs first, then Korean ones, with :func:`random_features`, uniform popularity and artists
    of very uneven size, as in real catalogues: on each side, the artist of rank r sings a share of the
    songs proportional to r ** -exponent."""
    n = n_western + n_korean
    features = random_features(n, rng)
    artist_id = np.concatenate([
        _uneven(rng, n_western, western_artists, exponent),
        western_artists + _uneven(rng, n_korean, korean_artists, exponent),
    ])
    popularity = rng.uniform(0, 100, n)
    m = western_artists + korean_artists
    return assemble(
        titles=[f"song {i}" for i in range(n)],
        artist_id=artist_id,
        korean=np.arange(n) >= n_western,
        popularity=popularity,
        features=features,
        artist_names=[f"artist {a}" for a in range(m)],
        artist_korean=np.arange(m) >= western_artists,
        artist_popularity=rng.uniform(0, 100, m),
    )


# --- made-up titles to match against (matching and whole-core benchmarks) ---------------------

_ONSETS = ["", *"b br ch d f g h j k l m n p r s sh st t tr v w y z".split()]
_VOWELS = "a e i o u ai ea ou y".split()
_CODAS = ["", "", *"n r s t ck ng ll x".split()]


def made_up_catalogue(
    n_songs: int, n_artists: int, seed: int, *, features_seed: int | None = None
) -> Catalogue:
    """Songs and artists named with pronounceable made-up words (some Hangul), word frequencies Zipf-like.

    A tenth of the titles are Hangul and a tenth credit a featured artist, as in
    real catalogues. Without ``features_seed`` every audio feature is 0 (matching
    never reads them) and a song's side is drawn on its own; with it, songs get
    :func:`random_features` and follow their artist's side (an artist is Korean
    when its first song is), so the catalogue can be ranked too.
    """
    rng = random.Random(seed)
    words: set[str] = set()
    while len(words) < 6000:
        syllables = rng.choice([1, 1, 2, 2, 2, 3])
        words.add("".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syllables)))
    vocabulary = sorted(words)
    cum_weights = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(vocabulary))))

    def phrase(n_words: int) -> str:
        return " ".join(w.capitalize() for w in rng.choices(vocabulary, cum_weights=cum_weights, k=n_words))

    def hangul() -> str:
        return "".join(chr(0xAC00 + rng.randrange(11172)) for _ in range(rng.choice([2, 2, 3, 4])))

    names = list(dict.fromkeys(phrase(rng.choice([1, 1, 2, 2, 3])) for _ in range(n_artists)))
    titles = []
    for _ in range(n_songs):
        title = hangul() if rng.random() < 0.1 else phrase(rng.choice([1, 2, 2, 3, 3, 4, 5]))
        if rng.random() < 0.1:
            title += f" (feat. {rng.choice(names)})"
        titles.append(title)
    popularity = [rng.betavariate(2, 3) * 100 if rng.random() > 0.05 else np.nan for _ in range(n_songs)]
    artist_id = np.array([rng.randrange(len(names)) for _ in range(n_songs)], dtype=np.int64)
    korean = np.array([rng.random() < 0.3 for _ in range(n_songs)], dtype=bool)
    artist_popularity = [rng.uniform(0, 100) for _ in names]
    artist_korean = np.zeros(len(names), dtype=bool)
    features = np.zeros((n_songs, len(FEATURES)))
    if features_seed is not None:
        features = random_features(n_songs, np.random.default_rng(features_seed))
        first = pd.Series(korean).groupby(artist_id).first()
        artist_korean = first.reindex(range(len(names)), fill_value=False).to_numpy(dtype=bool)
        korean = artist_korean[artist_id]
    return assemble(
        titles=titles,
        artist_id=artist_id,
        korean=korean,
        popularity=popularity,
        features=features,
        artist_names=names,
        artist_korean=artist_korean,
        artist_popularity=artist_popularity,
    )


def _typo(rng: random.Random, text: str) -> str:
    """One random edit (replace, drop, insert, swap) after the first character."""
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    edit = rng.randrange(4)
    if edit == 0:
        return text[:i] + rng.choice("abcdefghijklmnopqrstuvwxyz") + text[i + 1 :]
    if edit == 1:
        return text[:i] + text[i + 1 :]
    if edit == 2:
        return text[:i] + rng.choice("abcdefghijklmnopqrstuvwxyz") + text[i:]
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def made_up_queries(catalogue: Catalogue, n: int, seed: int) -> list[tuple[str, str, str]]:
    """(kind of query, query, title key it aims at or "") in a fixed mix over the catalogue's songs.

    The mix: exact titles, typo'd titles (twice as many), artist names (half
    typo'd), typo'd "title - artist" and junk.
    """
    rng = random.Random(seed)
    titles = catalogue.songs["title"].tolist()
    artist_of = catalogue.songs["artist_id"].tolist()
    names = catalogue.artists["name"].tolist()
    queries = []
    for i in range(n):
        s = rng.randrange(len(titles))
        title, artist = titles[s], names[artist_of[s]]
        kind = ("exact", "typo", "typo", "artist", "title-artist", "junk")[i % 6]
        if kind == "exact":
            queries.append((kind, title.upper() if rng.random() < 0.5 else title, title_key(title)))
        elif kind == "typo":
            queries.append((kind, _typo(rng, title_key(title)), title_key(title)))
        elif kind == "artist":
            queries.append((kind, _typo(rng, artist) if rng.random() < 0.5 else artist, ""))
        elif kind == "title-artist":
            queries.append((kind, f"{_typo(rng, title_key(title))} - {artist}", title_key(title)))
        else:
            junk = "".join(rng.choice("qwxzjkvbfgh") for _ in range(rng.randrange(5, 15)))
            queries.append((kind, junk, ""))
    return queries
