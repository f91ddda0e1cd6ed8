"""Last.fm listening data (the GroupLens HetRec 2011 ``hetrec2011-lastfm-2k`` layout): baskets and tags.

The folder holds four tab-separated files with one header line each:
``artists.dat`` (id, name, url, pictureURL), ``tags.dat`` (tagID, tagValue),
``user_artists.dat`` (userID, artistID, weight = play count) and
``user_taggedartists.dat`` (userID, artistID, tagID, day, month, year).

It gives two things a build can use (:func:`read_lastfm`):

* each user's artists with play counts: one listener's basket for co-listening;
* each artist's tags, weighed by how many distinct users gave that tag to that
  artist. Tags are personal ("seen live", "favorites", a user's own names), so
  a tag counts only when at least ``min_tag_users`` distinct users use it at all
  and ``min_pair_users`` gave it to that artist. Thresholds on people, not a
  hand list of bad tags, so the rule carries over to any copy of the data.

Names stay as the file writes them (display-cleaned): matching them to
catalogue artists, Hangul names included, is :func:`match_artist_names`' job,
through the same name and alias keys the playlist matcher uses.

Bad rows (wrong number of fields, a non-numeric id, an id no file defines) are
reported in :attr:`LastfmData.report` with the file name and line number;
a missing file or header raises :class:`~recommender.catalogue.playlist_files.PlaylistFileError`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from recommender.catalogue.catalogue import Catalogue, ImportReport
from recommender.catalogue.csvfile import CsvFileError, CsvTable, normalise_header, read_table
from recommender.catalogue.normalize import clean_display, contains_hangul, text_key
from recommender.catalogue.listening import PlaylistArtists
from recommender.catalogue.playlist_files import MatchedPlaylists, PlaylistFileError, PlaylistMatcher

__all__ = ["LASTFM_FILES", "RANK_TIERS", "LastfmData", "is_lastfm_folder", "read_lastfm", "korean_tag",
           "korean_evidence", "match_artist_names", "listener_name", "lastfm_matches", "lastfm_playlists",
           "TAG_COLUMNS", "no_tags",
           "artist_tags", "find_lastfm_folders", "read_lastfm_folders"]

#: File name -> the columns it must have (normalised header names), in the HetRec layout.
LASTFM_FILES: dict[str, tuple[str, ...]] = {
    "artists.dat": ("id", "name"),
    "tags.dat": ("tagid", "tagvalue"),
    "user_artists.dat": ("userid", "artistid", "weight"),
    "user_taggedartists.dat": ("userid", "artistid", "tagid"),
}

#: Nested baskets of one user in co-listening: their top 5, top 10 and top 25 artists by plays, and all of them.
RANK_TIERS: tuple[int | None, ...] = (5, 10, 25, None)

#: Columns of a build's artist tag table (:func:`artist_tags`).
TAG_COLUMNS: tuple[str, ...] = ("artist_id", "tag", "users")

# A tag that says "Korean music": k-pop, kpop, k pop, korean, korean hip hop, k-rap, k-indie ...
_KOREAN_TAG = re.compile(r"\bkorea|\bk ?(?:pop|rap|hip ?hop|indie|rock|ballad|r ?and ?b)\b")


def korean_tag(tag: str) -> bool:
    """True for a tag that names Korean music (``"k-pop"``, ``"korean hip hop"``), on its :func:`text_key`."""
    return bool(_KOREAN_TAG.search(text_key(tag)))


@dataclass(frozen=True)
class LastfmData:
    """What one Last.fm folder holds, by artist name.

    ``plays``: one row per (user, artist) with ``user`` (str, the file's id),
    ``artist`` (display name) and ``plays`` (int64, > 0). ``tags``: one row per
    kept (artist, tag) with ``artist``, ``tag`` (its :func:`text_key`) and
    ``users`` (int64, distinct users who gave it), thresholds applied. ``report``: rows dropped, by
    file and line.
    """

    name: str
    plays: pd.DataFrame
    tags: pd.DataFrame
    korean_share: pd.Series  # tagged artist name -> share of its taggers who gave it a Korean tag (:func:`korean_tag`)
    report: ImportReport

    def baskets(self) -> dict[str, list[tuple[str, int]]]:
        """User -> their (artist name, play count) pairs, most played first."""
        ordered = self.plays.sort_values(["user", "plays"], ascending=[True, False], kind="stable")
        out: dict[str, list[tuple[str, int]]] = {}
        for user, artist, plays in ordered.itertuples(index=False):
            out.setdefault(user, []).append((artist, int(plays)))
        return out

    def tag_weights(self) -> dict[str, dict[str, int]]:
        """Artist name -> tag -> number of distinct users who gave it (kept tags only)."""
        out: dict[str, dict[str, int]] = {}
        for artist, tag, users in self.tags.itertuples(index=False):
            out.setdefault(artist, {})[tag] = int(users)
        return out


def is_lastfm_folder(path: Path) -> bool:
    """True when ``path`` is a folder holding the HetRec Last.fm files (recognised by their names)."""
    return path.is_dir() and all((path / name).is_file() for name in LASTFM_FILES)


def _table(folder: Path, name: str, report: ImportReport) -> pd.DataFrame:
    """One file's well-formed rows (normalised column names, strings) plus a ``line`` column."""
    path = folder / name
    try:
        table: CsvTable = read_table(path, delimiter="\t")
    except (CsvFileError, OSError) as exc:
        raise PlaylistFileError(f"cannot read Last.fm data {path}: {exc}") from None
    present = [normalise_header(h) for h in table.header]
    missing = [c for c in LASTFM_FILES[name] if c not in present]
    if missing:
        header = ", ".join(table.header) or "empty"
        raise PlaylistFileError(f"{path}: no column {', '.join(missing)} (header: {header})")
    report.rows_read += len(table.rows) + len(table.malformed)
    for line, width in table.malformed:
        report.reject(name, line, f"malformed row: {width} fields, header has {len(table.header)}")
    rows = table.rows.copy()
    rows["line"] = table.lines
    return rows


def _integers(rows: pd.DataFrame, columns: Sequence[str], name: str, report: ImportReport) -> pd.DataFrame:
    """The rows whose ``columns`` are all whole numbers, converted to int64; the others reported."""
    numbers = {c: pd.to_numeric(rows[c].str.strip(), errors="coerce") for c in columns}
    good = np.ones(len(rows), dtype=bool)
    for column, values in numbers.items():
        bad = (values.isna() | (values != values.round())).to_numpy() & good
        for line in rows["line"].to_numpy()[bad].tolist():
            report.reject(name, int(line), f"{column} is not a whole number")
        good &= ~bad
    kept = rows[good].copy()
    for column, values in numbers.items():
        kept[column] = values[good].astype(np.int64)
    return kept


def _known(rows: pd.DataFrame, column: str, known: pd.Index, name: str, what: str,
           report: ImportReport) -> pd.DataFrame:
    """The rows whose ``column`` is in ``known``; the others reported as naming an unknown ``what``."""
    found = rows[column].isin(known).to_numpy()
    for line in rows["line"].to_numpy()[~found].tolist():
        report.reject(name, int(line), f"unknown {what} id")
    return rows[found]


def read_lastfm(folder: Path, *, min_tag_users: int = 3, min_pair_users: int = 2) -> LastfmData:
    """Read a HetRec Last.fm folder: play counts by user and artist, and the artists' kept tags.

    Raises :class:`PlaylistFileError` when a file is missing or lacks a column;
    bad rows are reported, not raised. A repeated (user, artist) row adds its plays.
    """
    folder = Path(folder)
    report = ImportReport()
    artists = _integers(_table(folder, "artists.dat", report), ["id"], "artists.dat", report)
    names = artists["name"].map(clean_display)
    for line in artists["line"][names == ""].tolist():
        report.reject("artists.dat", int(line), "missing artist name")
    artists = artists.assign(name=names)[names != ""].drop_duplicates("id")
    name_of = pd.Series(artists["name"].to_numpy(dtype=object), index=artists["id"].to_numpy())

    plays = _integers(_table(folder, "user_artists.dat", report), ["userid", "artistid", "weight"],
                      "user_artists.dat", report)
    plays = _known(plays, "artistid", name_of.index, "user_artists.dat", "artist", report)
    for line in plays["line"][plays["weight"] <= 0].tolist():
        report.reject("user_artists.dat", int(line), "play count is not positive")
    plays = plays[plays["weight"] > 0]
    plays = (pd.DataFrame({"user": plays["userid"].astype(str).to_numpy(dtype=object),
                           "artist": name_of.loc[plays["artistid"].to_numpy()].to_numpy(dtype=object),
                           "plays": plays["weight"].to_numpy(dtype=np.int64)})
             .groupby(["user", "artist"], as_index=False, sort=True)["plays"].sum())

    tags = _integers(_table(folder, "tags.dat", report), ["tagid"], "tags.dat", report)
    tag_of = pd.Series(tags["tagvalue"].map(text_key).to_numpy(dtype=object), index=tags["tagid"].to_numpy())
    tag_of = tag_of[tag_of != ""]
    tag_of = tag_of[~tag_of.index.duplicated()]
    given = _integers(_table(folder, "user_taggedartists.dat", report), ["userid", "artistid", "tagid"],
                      "user_taggedartists.dat", report)
    given = _known(given, "artistid", name_of.index, "user_taggedartists.dat", "artist", report)
    given = _known(given, "tagid", tag_of.index, "user_taggedartists.dat", "tag", report)
    weights = _tag_weights(given, name_of, tag_of, min_tag_users, min_pair_users)
    return LastfmData(folder.name, plays, weights, _korean_share(given, name_of, tag_of), report)


def _korean_share(given: pd.DataFrame, name_of: pd.Series, tag_of: pd.Series) -> pd.Series:
    """Artist name -> share of the distinct users who tagged it that gave it a Korean tag (all tags counted)."""
    taggers = pd.DataFrame({"user": given["userid"].to_numpy(),
                            "artist": name_of.loc[given["artistid"].to_numpy()].to_numpy(dtype=object),
                            "korean": given["tagid"].map(tag_of).map(korean_tag).to_numpy(dtype=bool)})
    by_user = taggers.groupby(["artist", "user"])["korean"].any()
    return by_user.groupby(level="artist").mean().astype(float)


def _tag_weights(given: pd.DataFrame, name_of: pd.Series, tag_of: pd.Series,
                 min_tag_users: int, min_pair_users: int) -> pd.DataFrame:
    """(artist, tag, users) for tags enough people use, given to the artist by enough people."""
    assigned = pd.DataFrame({"user": given["userid"].to_numpy(),
                             "artist": name_of.loc[given["artistid"].to_numpy()].to_numpy(dtype=object),
                             "tag": tag_of.loc[given["tagid"].to_numpy()].to_numpy(dtype=object)})
    assigned = assigned.drop_duplicates()  # a tag given twice (several dates) by one user counts once
    tag_users = assigned.groupby("tag")["user"].nunique()
    assigned = assigned[assigned["tag"].map(tag_users) >= min_tag_users]
    pairs = assigned.groupby(["artist", "tag"], as_index=False, sort=True)["user"].nunique()
    pairs = pairs.rename(columns={"user": "users"})
    pairs["users"] = pairs["users"].astype(np.int64)
    return pairs[pairs["users"] >= min_pair_users].reset_index(drop=True)


def korean_evidence(data: LastfmData) -> frozenset[str]:
    """Last.fm artists that are Korean by their own evidence, not by their name alone.

    Tags are direct evidence: an artist is Korean when at least a third of the
    people who tagged it gave it a Korean tag (one stray "k-pop" among Lady
    Gaga's hundred taggers does not count), and a tagged artist nobody calls
    Korean is not (Swedish The Ark, tagged "swedish"). An untagged artist is
    Korean when written in Hangul, or when most of its listeners play a Korean
    artist: K-pop fans of that era were few and shared one canon, while the
    listeners of a western namesake play something else.
    """
    plays, share = data.plays, data.korean_share
    tagged_korean = set(share.index[share >= 1 / 3].tolist())
    fans = set(plays["user"][plays["artist"].isin(tagged_korean)].tolist())
    untagged = plays[~plays["artist"].isin(share.index)]
    listened = untagged["user"].isin(fans).groupby(untagged["artist"]).mean()
    by_listeners = set(listened.index[listened >= 0.5].tolist())
    hangul = {a for a in untagged["artist"].unique().tolist() if contains_hangul(a)}
    return frozenset(tagged_korean | by_listeners | hangul)


def match_artist_names(data: LastfmData, catalogue: Catalogue) -> pd.Series:
    """Catalogue artist id of every Last.fm artist name that stands for one (name -> id, int64).

    A name is looked up like a playlist's artist (name and alias keys, Hangul
    aliases included). A Korean catalogue act is taken only when the Last.fm
    artist is Korean by :func:`korean_evidence`, so a western namesake (the band
    Rainbow, an "Aqua" or "Owen") never becomes a Korean act. A name several
    catalogue artists share decides nothing.
    """
    matcher = PlaylistMatcher(catalogue)
    korean_act = catalogue.artists["korean"].to_numpy(dtype=bool)
    korean = korean_evidence(data)
    found: dict[str, int] = {}
    for name in sorted(set(data.plays["artist"].tolist()) | set(data.tags["artist"].tolist())):
        candidates = matcher.artists_named(name)
        if len(candidates) == 1 and (name in korean or not korean_act[candidates[0]]):
            found[name] = candidates[0]
    return pd.Series(found, dtype=np.int64)


def listener_name(user: str) -> str:
    """The listener a Last.fm user is in playlist data: never the same as a listener export's."""
    return f"lastfm:{user}"


def _matched_plays(data: LastfmData, catalogue: Catalogue) -> pd.DataFrame:
    """``data.plays`` with ``artist_id`` (-1 when the name stands for no catalogue artist) and ``rank``.

    ``rank`` is the artist's place in its user's list by plays (1: most played; ties by name).
    """
    ids = match_artist_names(data, catalogue)
    plays = data.plays.assign(artist_id=data.plays["artist"].map(ids).fillna(-1).astype(np.int64))
    plays = plays.sort_values(["user", "plays", "artist"], ascending=[True, False, True], kind="stable")
    return plays.assign(rank=plays.groupby("user").cumcount().to_numpy() + 1)


def lastfm_playlists(data: LastfmData, catalogue: Catalogue) -> PlaylistArtists:
    """The users' baskets as co-listening data, weighed by rank within each user.

    Co-listening weighs each listener one, split evenly between their
    playlists, and counts presence, not amounts. So each user becomes nested
    playlists (:data:`RANK_TIERS`): their top 5 artists, top 10, top 25 and
    all. An artist in the top 5 is in all four and weighs 1, one ranked 6-10
    weighs 0.75, 11-25 0.5, lower 0.25. Ranks, not raw counts: one user's
    100,000 plays of a favourite then weigh no more than another's 300, and
    an artist a user barely plays counts for less than their favourites.
    """
    plays = _matched_plays(data, catalogue)
    plays = plays[plays["artist_id"] >= 0]
    listener: list[str] = []
    playlist: list[str] = []
    artists: list[np.ndarray] = []
    users = plays["user"].map(listener_name).to_numpy(dtype=object)
    for tier in RANK_TIERS:
        inside = (plays["rank"] <= tier).to_numpy() if tier is not None else np.ones(len(plays), dtype=bool)
        listener += users[inside].tolist()
        playlist += [f"top {tier}" if tier is not None else "all"] * int(inside.sum())
        artists.append(plays["artist_id"].to_numpy(dtype=np.int64)[inside])
    return PlaylistArtists.from_table(listener, playlist, np.concatenate(artists) if artists else np.zeros(0))


def lastfm_matches(data: LastfmData, catalogue: Catalogue) -> MatchedPlaylists:
    """Every user's whole basket as one playlist matched to the catalogue at artist level, for evaluation.

    Rows have the columns of a matched playlist file (no titles: Last.fm
    lists artists), ``how`` ``"artist"`` or ``"none"``; the listener is
    :func:`listener_name`, as in the build's co-listening data, so leaving a
    user out of co-listening leaves out exactly what the build took from them.
    """
    plays = _matched_plays(data, catalogue)
    n = len(plays)
    artist = plays["artist_id"].to_numpy(dtype=np.int64)
    rows = pd.DataFrame({
        "playlist": ["top artists"] * n,
        "listener": plays["user"].map(listener_name).to_numpy(dtype=object),
        "title": [""] * n,
        "artist": plays["artist"].to_numpy(dtype=object),
        "spotify_id": [None] * n,
        "line": np.zeros(n, dtype=np.int64),
        "song_id": np.full(n, -1, dtype=np.int64),
        "artist_id": artist,
        "how": np.where(artist >= 0, "artist", "none").astype(object),
    })
    return MatchedPlaylists(data.name, rows)


def no_tags() -> pd.DataFrame:
    """An empty artist tag table (a build without Last.fm data)."""
    return pd.DataFrame({"artist_id": pd.Series(dtype=np.int64), "tag": pd.Series(dtype=object),
                         "users": pd.Series(dtype=np.int64)})


def artist_tags(data: LastfmData, catalogue: Catalogue) -> pd.DataFrame:
    """The kept tags of every Last.fm artist that stands for a catalogue artist, by catalogue artist id.

    Columns :data:`TAG_COLUMNS`, one row per (artist, tag), sorted; when two
    Last.fm names stand for one act (빅뱅 and BIG BANG) their users add up.
    Genre knowledge reads it from the build; nothing here decides what a tag means.
    """
    ids = match_artist_names(data, catalogue)
    tags = data.tags.assign(artist_id=data.tags["artist"].map(ids))
    tags = tags[tags["artist_id"].notna()]
    if tags.empty:
        return no_tags()
    summed = tags.groupby([tags["artist_id"].astype(np.int64), "tag"], sort=True)["users"].sum().reset_index()
    return summed.astype({"artist_id": np.int64, "users": np.int64})[list(TAG_COLUMNS)]


def find_lastfm_folders(sources: Sequence[str | Path]) -> list[Path]:
    """Last.fm folders among local source folders: a source folder itself, or any folder below it."""
    found: list[Path] = []
    for source in sources:
        path = Path(source).expanduser()
        if str(source).startswith(("http://", "https://")) or not path.is_dir():
            continue
        for folder in [path, *sorted(p for p in path.rglob("*") if p.is_dir())]:
            if is_lastfm_folder(folder) and folder.resolve() not in {f.resolve() for f in found}:
                found.append(folder)
    return found


def read_lastfm_folders(folders: Sequence[Path],
                        catalogue: Catalogue) -> tuple[PlaylistArtists, pd.DataFrame, list[str]]:
    """Co-listening data and artist tags of every Last.fm folder, and notes for the build report.

    Raises :class:`PlaylistFileError` for a folder that cannot be read.
    """
    parts, tag_tables, notes = [], [], []
    for folder in folders:
        data = read_lastfm(folder)
        part, tags = lastfm_playlists(data, catalogue), artist_tags(data, catalogue)
        parts.append(part)
        tag_tables.append(tags)
        listeners = len(set(part.playlists["listener"].tolist()))
        notes.append(f"{data.name}: read as Last.fm listening data, {listeners:,} of "
                     f"{data.plays['user'].nunique():,} users with a catalogue artist; {len(tags):,} tags on "
                     f"{tags['artist_id'].nunique():,} catalogue artists")
        notes += [f"{data.name}/{line}" for line in data.report.summary_lines()]
    if not tag_tables:
        return PlaylistArtists.empty(), no_tags(), notes
    tags = pd.concat(tag_tables, ignore_index=True)
    tags = tags.groupby(["artist_id", "tag"], as_index=False, sort=True)["users"].sum()
    return PlaylistArtists.concat(parts), tags.astype({"artist_id": np.int64, "users": np.int64}), notes
