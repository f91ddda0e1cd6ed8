"""Cleaning and merging track rows into one :class:`~recommender.catalogue.catalogue.Catalogue`.

:func:`recommender.catalogue.sources.load_catalogue` reads the files; this module takes
their rows (all strings, in the common shape of
:data:`recommender.catalogue.formats.TRACK_COLUMNS`) and, in order:

1. rejects rows that cannot be trusted (missing or out-of-range features,
   damaged text, invalid ids), then exact duplicate rows, each with its file
   line number;
2. estimates the features a file lacks (loudness, a missing key), and a
   popularity for rows that have a stream count instead;
3. credits a remix to its remixer when the title names one the catalogue knows;
4. labels each artist Korean or not (:mod:`recommender.catalogue.labels`); an artist name
   used by both a Korean and a western act becomes two artists;
5. merges rows that are the same song (same Spotify id, or same title key and
   same artist), keeping the best-documented row and every source name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import numpy as np
import pandas as pd

from recommender.catalogue.catalogue import ARTIST_COLUMNS, FEATURES, SONG_COLUMNS, Catalogue, ImportReport
from recommender.catalogue.labels import ArtistEvidence, Occurrence, decide_korean, is_korean_genre
from recommender.catalogue.remixes import credit_remixers
from recommender.catalogue.normalize import clean_display, compact_key, text_key, title_key
from recommender.catalogue.spotify_ids import track_ids

__all__ = ["build_catalogue"]

_UNIT_FEATURES = ("danceability", "energy", "speechiness", "acousticness", "instrumentalness", "liveness", "valence")
_MISSING = frozenset({"", "nan", "na", "n/a", "null", "none"})  # compared case-folded, in number columns
_MISSING_TEXT = frozenset({"", "NA", "N/A", "NaN", "nan", "NULL", "null"})  # how R and pandas write "no value"
_GARBLED = ("\ufffd", "ï¿½")
_CATEGORIES = frozenset({"key", "mode"})  # features whose values name categories, not amounts
_PITCHES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
#: Songs a stream-count file must share with popularity files before its counts are turned into popularity.
MIN_SHARED_FOR_STREAMS = 20  # the replacement character, and its UTF-8 bytes read as Latin-1


def _in_range(name: str, values: pd.Series) -> pd.Series:
    """Valid values of an audio feature, from Spotify's Web API reference.

    Loudness is documented as "typically -60 to 0 dB"; mastered tracks reach a
    little above 0, so up to +5 is accepted. A tempo of 0 is Spotify's "no beat
    found", which would pull every ballad towards silence in a distance metric.
    """
    if name in _UNIT_FEATURES:
        return values.between(0.0, 1.0)
    if name == "key":
        return values.between(0, 11) & (values == values.round())
    if name == "mode":
        return values.isin([0.0, 1.0])
    if name == "loudness":
        return values.between(-60.0, 5.0)
    if name == "tempo":
        return (values > 0) & (values <= 300)
    raise ValueError(name)


def build_catalogue(tracks: pd.DataFrame, evidence: ArtistEvidence, report: ImportReport) -> Catalogue | None:
    """Check, label and merge ``tracks`` (rows of every track file, in file order).

    Besides TRACK_COLUMNS, ``tracks`` carries each row's ``source`` (file name),
    ``line``, ``record`` (a whole-row fingerprint), ``order``, and the file
    format's ``percent`` flag and ``estimated`` features. Returns None when no
    row survives the checks (the report says why).
    """
    tracks = _valid_rows(tracks, report)
    tracks = _drop_exact_duplicates(tracks, report)
    tracks = _fill_estimated(tracks, report)
    if tracks.empty:
        return None
    tracks = credit_remixers(tracks, evidence, report)
    tracks = _label(tracks, evidence, report)
    return _merge(tracks, evidence, report)


# --- row checks ------------------------------------------------------------------------------------


def _map_unique(values: pd.Series, func: Callable[[str], object]) -> pd.Series:
    """``values.map(func)``, computing ``func`` once per distinct value (names repeat a lot)."""
    distinct = values.unique()
    return values.map(dict(zip(distinct, map(func, distinct), strict=True)))


class _Reasons:
    """The first reason each row is rejected for; later checks do not overwrite earlier ones."""

    def __init__(self, index: pd.Index) -> None:
        self.reason = pd.Series("", index=index, dtype=object)

    def flag(self, mask: pd.Series, reason: str | pd.Series) -> None:
        mask = mask & (self.reason == "")
        self.reason[mask] = reason[mask] if isinstance(reason, pd.Series) else reason


def _parse_numbers(raw: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(values, missing, unparsable) for a column of number strings."""
    values = pd.to_numeric(raw, errors="coerce")
    failed = values.isna()
    missing = pd.Series(False, index=raw.index)
    missing[failed] = _map_unique(raw[failed].astype(str), lambda v: v.strip().casefold() in _MISSING)
    return values.astype(np.float64), missing, failed & ~missing


def _valid_rows(tracks: pd.DataFrame, report: ImportReport) -> pd.DataFrame:
    """Parse and check every row; report the rejected ones; return the rest with typed columns."""
    checks = _Reasons(tracks.index)
    checks.flag(tracks["problem"] != "", tracks["problem"])
    for column in ("title", "artist"):
        raw = tracks[column].fillna("")
        checks.flag(raw.str.strip().isin(_MISSING_TEXT), f"missing {column}")
        checks.flag(_map_unique(raw, lambda v: any(m in v for m in _GARBLED)).astype(bool),
                    "text damaged by a wrong encoding")
        tracks[column] = _map_unique(raw, clean_display)
        checks.flag(tracks[column] == "", f"missing {column}")
    tracks["spotify_id"], invalid = track_ids(tracks["spotify_id"])
    checks.flag(invalid, "invalid Spotify id")

    parsed = {}
    for name in FEATURES:
        values, missing, unparsable = _parse_numbers(tracks[name])
        missing &= ~_estimable(tracks, name)  # filled in later for files that may lack it
        parsed[name] = (values, missing, unparsable)
    checks.flag(pd.concat([m for _, m, _ in parsed.values()], axis=1).any(axis=1), "missing audio features")
    for name, (values, _, unparsable) in parsed.items():
        checks.flag(unparsable, f"unparsable number in {name}")
    for name, (values, _, _) in parsed.items():
        if name in _UNIT_FEATURES:
            values = values.where(~tracks["percent"], values / 100.0)
        checks.flag(values.notna() & ~_in_range(name, values), f"{name} out of range")
        tracks[name] = values.astype(np.float64)
    popularity, _, unparsable = _parse_numbers(tracks["popularity"])
    checks.flag(unparsable, "unparsable number in popularity")
    checks.flag(popularity.notna() & ~popularity.between(0, 100), "popularity out of range")
    tracks["popularity"] = popularity.astype(np.float64)
    streams, _, _ = _parse_numbers(tracks["streams"].str.replace(",", "", regex=False))
    tracks["streams"] = streams.where(streams > 0)  # a damaged count only costs the estimate

    bad = checks.reason != ""
    for source, line, reason in zip(tracks["source"][bad].tolist(), tracks["line"][bad].tolist(),
                                    checks.reason[bad].tolist(), strict=True):
        report.reject(source, int(line), reason)
    return tracks[~bad].copy()


def _drop_exact_duplicates(tracks: pd.DataFrame, report: ImportReport) -> pd.DataFrame:
    dup = tracks.duplicated(["source", "record"])
    for source, line in zip(tracks["source"][dup], tracks["line"][dup], strict=True):
        report.reject(source, int(line), "exact duplicate of an earlier row")
    return tracks[~dup].copy()


def _estimable(tracks: pd.DataFrame, name: str) -> pd.Series:
    """Rows from files that may lack feature ``name`` (see ``Format.estimated``)."""
    return tracks["estimated"].str.split(",").map(lambda features: name in features)


def _fill_estimated(tracks: pd.DataFrame, report: ImportReport) -> pd.DataFrame:
    """Estimate what some files lack: a feature (loudness, key), or a popularity from stream counts.

    Each of the eleven features is needed by every neighbour search. A missing
    value gets what the other files' songs have most: the median for a measure
    (loudness), the most common value for a category (key, mode), a neutral
    guess that leaves the other features to decide. The report says which rows
    got it, and when merging, a row with every feature measured wins over an
    estimated one.
    """
    tracks["imputed"] = False
    for name in FEATURES:
        lacking = _estimable(tracks, name) & tracks[name].isna()
        if not lacking.any():
            continue
        measured = tracks.loc[~_estimable(tracks, name), name]
        if measured.empty:
            for source, line in zip(tracks["source"][lacking], tracks["line"][lacking], strict=True):
                report.reject(source, int(line), f"no {name}, and no other catalogue file to estimate it from")
            tracks = tracks[~lacking].copy()
            continue
        categorical = name in _CATEGORIES
        value = float(measured.mode().iloc[0]) if categorical else float(measured.median())
        tracks.loc[lacking, name] = value
        tracks.loc[lacking, "imputed"] = True
        how = "the most common value" if categorical else "the median"
        for source, count in tracks.loc[lacking, "source"].value_counts(sort=False).items():
            report.note(f"{source}: {count:,} rows have no {name}; used {how} of the other {len(measured):,} songs "
                        f"({_feature_text(name, value)})")
    return _popularity_from_streams(tracks, report)


def _feature_text(name: str, value: float) -> str:
    if name == "loudness":
        return f"{value:.2f} dB"
    if name == "key":
        return _PITCHES[int(value)]
    return f"{value:g}"


def _popularity_from_streams(tracks: pd.DataFrame, report: ImportReport) -> pd.DataFrame:
    """A 0-100 popularity for rows that have a stream count and no popularity.

    Spotify's popularity follows the logarithm of recent plays, so the estimate is
    a straight line in log streams, fitted on the songs that a file with stream
    counts shares with files that give a popularity (same title and artist). The
    shared songs are older hits with years of plays, so a map of their quantiles
    would rank every recent song below them; the line only needs them to tell how
    popularity grows with plays. Without enough shared songs to fit it,
    popularity stays unknown and the report says why: a guess at the scale would
    rank the songs arbitrarily.
    """
    wanting = tracks["streams"].notna() & tracks["popularity"].isna()
    if not wanting.any():
        return tracks
    song = tracks["title"].map(title_key) + "\x1f" + tracks["artist"].map(text_key)
    rated = tracks["popularity"].notna()
    known = tracks[rated].groupby(song[rated])["popularity"].max()
    plays = np.log10(tracks.loc[wanting, "streams"])
    shared = song[wanting].map(known)
    pairs = shared.notna()
    sources = ", ".join(sorted(tracks.loc[wanting, "source"].unique()))
    if pairs.sum() < MIN_SHARED_FOR_STREAMS:
        report.note(f"{sources}: stream counts not turned into popularity: only {int(pairs.sum())} of its songs "
                    f"have a popularity elsewhere (at least {MIN_SHARED_FOR_STREAMS} needed to calibrate)")
        return tracks
    slope, intercept = np.polyfit(plays[pairs], shared[pairs], 1)
    if slope <= 0:
        report.note(f"{sources}: stream counts not turned into popularity: more plays did not mean more "
                    f"popularity on the {int(pairs.sum())} songs other files also rate")
        return tracks
    tracks.loc[wanting, "popularity"] = np.clip(intercept + slope * plays, 0.0, 100.0).round()
    report.note(f"{sources}: popularity estimated for {int(wanting.sum()):,} rows from stream counts "
                f"({slope:.1f} points per tenfold plays, fitted on the {int(pairs.sum())} songs other files also rate)")
    return tracks


# --- labels ----------------------------------------------------------------------------------------


def _flag(claims: list[str]) -> bool | None:
    """One flag from the "1"/"0" flags of an artist's rows: the majority, None when there are none."""
    if not claims:
        return None
    return claims.count("1") * 2 >= len(claims)


def _label(tracks: pd.DataFrame, evidence: ArtistEvidence, report: ImportReport) -> pd.DataFrame:
    """Decide Korean per (file, artist name) and give every row its artist entry."""
    tracks["artist_key"] = _map_unique(tracks["artist"], text_key)
    tracks["title_key"] = _map_unique(tracks["title"], lambda t: title_key(t) or t.casefold())
    flagged = tracks[tracks["claim"] != ""]
    keys, titles, ids, claims = (flagged[c].tolist() for c in ("artist_key", "title_key", "spotify_id", "claim"))
    shared_flag = dict(zip(zip(keys, titles), claims))
    shared_flag.update(((k, i), c) for k, i, c in zip(keys, ids, claims) if i is not None)
    gathered: dict[tuple[str, str], tuple[str, list[str], list[str], set[str], set[str]]] = {}
    columns = ("source", "artist", "artist_key", "claim", "genres", "title_key", "spotify_id")
    for source, name, key, claim, genres, tkey, sid in zip(*(tracks[c].tolist() for c in columns), strict=True):
        entry = gathered.setdefault((source, key), (name, [], [], set(), set()))
        if claim:
            entry[1].append(claim)
        else:
            linked = shared_flag.get((key, tkey)) or shared_flag.get((key, sid))
            if linked:
                entry[2].append(linked)
        entry[3].update(genres)
        entry[4].add(tkey)
    decided = {}
    for occ_key, (name, claims, linked, genres, titles) in gathered.items():
        occ = Occurrence(name, occ_key[1], _flag(claims), _flag(linked), frozenset(genres), frozenset(titles))
        decided[occ_key] = decide_korean(occ, evidence)
    labels = pd.Series([decided[k][0] for k in zip(tracks["source"].tolist(), tracks["artist_key"].tolist())],
                       index=tracks.index, dtype=bool)
    tracks["korean"] = labels
    rules = Counter(rule for _, rule in decided.values())
    report.note("artist labels (one per artist name per file) by deciding rule: "
                + "; ".join(f"{rule} {count:,}" for rule, count in rules.most_common()))
    tracks["entry"] = pd.factorize(tracks["artist_key"] + np.where(tracks["korean"], "\x1fK", "\x1fW"))[0]
    return tracks


# --- merging ---------------------------------------------------------------------------------------


def _components(tracks: pd.DataFrame) -> np.ndarray:
    """Group rows that are one song: linked by Spotify id or by (title key, artist entry), transitively."""
    from scipy.sparse import coo_matrix  # import time only: a start need not import it
    from scipy.sparse.csgraph import connected_components

    n = len(tracks)
    id_code = pd.factorize(tracks["spotify_id"])[0]
    title_code = pd.factorize(tracks["title_key"] + "\x1f" + tracks["entry"].astype(str))[0]
    rows = np.arange(n)
    has_id = id_code >= 0
    n_ids = int(id_code.max()) + 1 if has_id.any() else 0
    src = np.concatenate([rows[has_id], rows])
    dst = np.concatenate([n + id_code[has_id], n + n_ids + title_code])
    size = n + n_ids + int(title_code.max()) + 1
    graph = coo_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(size, size))
    return connected_components(graph, directed=False)[1][:n]


def _merge(tracks: pd.DataFrame, evidence: ArtistEvidence, report: ImportReport) -> Catalogue:
    tracks["song"] = _components(tracks)
    # Keep one row whole: prefer measured features, then known popularity, then the id more files
    # agree on, then the more popular version (the one people know), then the first seen.
    tracks["id_sources"] = tracks.groupby("spotify_id")["source"].transform("nunique").fillna(1)
    ranked = tracks.assign(has_popularity=tracks["popularity"].notna()).sort_values(
        ["song", "imputed", "has_popularity", "id_sources", "popularity", "order"],
        ascending=[True, True, False, False, False, True],
    )
    songs = ranked.drop_duplicates("song").sort_values("order")
    report.merged = len(tracks) - len(songs)
    sources = _source_lists(tracks["song"].to_numpy(), tracks["source"])
    other_ids = _other_ids(tracks, songs)

    entries = pd.unique(songs["entry"])
    artist_id = pd.Series(np.arange(len(entries)), index=entries)
    artists = _artists(tracks, songs, entries, evidence, report)
    out = pd.DataFrame({
        "spotify_id": pd.Series(songs["spotify_id"].to_numpy(dtype=object), dtype=object),  # str or None
        "other_ids": other_ids,
        "title": songs["title"].to_numpy(dtype=object),
        "artist_id": artist_id[songs["entry"]].to_numpy(dtype=np.int64),
        "korean": songs["korean"].to_numpy(dtype=bool),
        "popularity": songs["popularity"].to_numpy(dtype=np.float64),
        **{name: songs[name].to_numpy(dtype=np.float64) for name in FEATURES},
        "sources": sources[songs["song"].to_numpy()],
    })
    return Catalogue(out[list(SONG_COLUMNS)], artists)


def _other_ids(tracks: pd.DataFrame, kept: pd.DataFrame) -> list[str]:
    """Per kept song (in ``kept``'s order), the Spotify ids of its merged rows other than its own, comma-joined."""
    with_id = tracks[tracks["spotify_id"].notna()]
    ids = with_id.groupby("song")["spotify_id"].agg(lambda v: sorted(set(v)))
    return [",".join(i for i in ids.get(song, []) if i != own)
            for song, own in zip(kept["song"].tolist(), kept["spotify_id"].tolist(), strict=True)]


def _source_lists(song: np.ndarray, source: pd.Series) -> np.ndarray:
    """Per song id, its source names sorted and comma-joined (few distinct sets, so join once per set)."""
    codes, names = pd.factorize(source, sort=True)
    member = np.zeros((int(song.max()) + 1, len(names)), dtype=bool)
    member[song, codes] = True
    pattern, first = np.unique(member, axis=0, return_inverse=True)
    joined = np.array([",".join(names[row]) for row in pattern], dtype=object)
    return joined[first.ravel()]


def _display_names(tracks: pd.DataFrame) -> pd.Series:
    """Per entry, the spelling most rows use (ties: the first seen): "Dreamcatcher" over "DREAMCATCHER"."""
    spellings = tracks.groupby(["entry", "artist"], sort=False).agg(rows=("order", "size"), first=("order", "min"))
    best = spellings.reset_index().sort_values(["entry", "rows", "first"], ascending=[True, False, True])
    return best.drop_duplicates("entry").set_index("entry")["artist"]


def _metadata_owner(korean_entry: int | None, western_entry: int | None, genres: set[str]) -> int | None:
    """Which of the (up to two) artists with one name a metadata row describes.

    Metadata files key on the name alone, so their genres belong to the
    namesake whose label they agree with; a row without genres is attributed
    only when the name is not shared.
    """
    if genres:
        return korean_entry if any(is_korean_genre(g) for g in genres) else western_entry
    if (korean_entry is None) != (western_entry is None):
        return korean_entry if korean_entry is not None else western_entry
    return None


def _artists(tracks: pd.DataFrame, songs: pd.DataFrame, entries: np.ndarray, evidence: ArtistEvidence,
             report: ImportReport) -> pd.DataFrame:
    names = _display_names(tracks).to_dict()
    first = tracks.drop_duplicates("entry")
    keys = dict(zip(first["entry"].tolist(), first["artist_key"].tolist(), strict=True))
    korean = dict(zip(first["entry"].tolist(), first["korean"].tolist(), strict=True))
    by_key: dict[str, dict[bool, int]] = {}
    for entry in entries:
        by_key.setdefault(keys[entry], {})[bool(korean[entry])] = entry

    genres: dict[int, set[str]] = {int(e): set() for e in entries}
    spellings: dict[int, set[str]] = {int(e): set() for e in entries}
    columns = ("entry", "artist", "alias", "genres", "hints")
    for entry, artist, alias, tags, hints in zip(*(tracks[c].tolist() for c in columns), strict=True):
        if entry in genres:
            genres[entry].update(tags, hints)
            spellings[entry].update((artist, alias))
    popularity: dict[int, float] = {}
    for key, pair in by_key.items():
        meta = evidence.spotify_genres.get(key, set())
        owner = _metadata_owner(pair.get(True), pair.get(False), meta)
        if owner is not None:
            genres[owner].update(meta)
            if key in evidence.popularity:
                popularity[owner] = evidence.popularity[key]
        if True in pair:
            spellings[pair[True]].update(evidence.aliases_for(key))
    # Artists the metadata does not cover: the mean popularity of their songs, matching how the
    # metadata file computes it (a mean over the artist's tracks).
    song_mean = songs.groupby("entry")["popularity"].mean().to_dict()
    shared = [names[pair[True]] for pair in by_key.values() if len(pair) == 2]
    if shared:
        report.note(f"{len(shared)} artist names are used by a Korean and a western act, kept as two artists: "
                    + ", ".join(sorted(shared)[:15]) + (" ..." if len(shared) > 15 else ""))
    rows = []
    for entry in entries:
        name = names[entry]
        rows.append({
            "name": name,
            "korean": bool(korean[entry]),
            "popularity": popularity.get(entry, float(song_mean.get(entry, np.nan))),
            "genres": tuple(sorted(genres[entry])),
            "aliases": _aliases(name, spellings[entry]),
        })
    return pd.DataFrame(rows, columns=list(ARTIST_COLUMNS))


def _aliases(name: str, spellings: set[str]) -> tuple[str, ...]:
    """Other spellings that a query could use and that ``compact_key`` would not already match to ``name``."""
    spellings = {s for s in spellings if s and s != name}
    if not spellings:
        return ()
    seen = {compact_key(name)}
    out = []
    for spelling in sorted(spellings):
        key = compact_key(spelling)
        if key and key not in seen:
            seen.add(key)
            out.append(spelling)
    return tuple(out)
