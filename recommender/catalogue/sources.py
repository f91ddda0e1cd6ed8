"""Where the catalogue comes from, and loading it: the importer's public entry point.

A source is a CSV file, a folder (every CSV below it, recursively) or an
http(s) URL (downloaded once into a cache, see :mod:`recommender.catalogue.download`).
Each file is recognised by its header (:mod:`recommender.catalogue.formats`), never by
its name: track files become rows for :mod:`recommender.catalogue.importer`, artist
files become labelling evidence, playlist and unknown files are skipped with a
note in the report.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from recommender.catalogue.catalogue import Catalogue, ImportReport
from recommender.catalogue.csvfile import CsvFileError, CsvTable, normalise_header, read_header, read_table
from recommender.catalogue.download import CatalogueError, default_cache_dir, download
from recommender.catalogue.formats import Role, detect_format
from recommender.catalogue.importer import build_catalogue
from recommender.catalogue.labels import ArtistEvidence

__all__ = ["Source", "CatalogueError", "default_sources", "resolve_sources", "load_catalogue"]

_RAW = "https://raw.githubusercontent.com"
_DBKPOP = f"{_RAW}/hweebaak/kpopdata/f1e66a345d7cd6fbe3a4119bb4ff90ac22a59865"


@dataclass(frozen=True)
class Source:
    """A public upstream file of the default catalogue."""

    url: str
    sha256: str | None  # None where no byte-exact copy has been checked
    description: str


def default_sources() -> list[Source]:
    """The suggested default catalogue: K-pop and western songs with audio features, plus artist labels.

    Checksums are given for the files whose upstream bytes were verified; the
    others are pinned to a commit where one is known, and every file is
    recognised by its header whatever it holds.
    """
    return [
        Source(f"{_RAW}/jcgnacpil/KpopSongRecommender/main/Data/tracks_top10_features.csv",
               "f443586e30e48e62f24d80ccd7a828b4d1317649cabd122392f416a4b2344ed9",
               "K-pop tracks with audio features (jcgnacpil, MIT)"),
        Source(f"{_RAW}/MSIA/2021-msia423-Wu-Qiaozhen-project/main/data/sample/final_train_s3.csv",
               "b17785710741d1c8b6fb76adbad2e29d9cfeb43e6c3e292e4e9b0e867cd97981",
               "K-pop and western seed songs of the original project"),
        Source(f"{_RAW}/rfordatascience/tidytuesday/master/data/2020/2020-01-21/spotify_songs.csv", None,
               "western songs from genre playlists (TidyTuesday 2020-01-21, MIT)"),
        Source(f"{_RAW}/jcgnacpil/KpopSongRecommender/main/Data/artists_extended.csv", None,
               "K-pop artist list (jcgnacpil, MIT)"),
        Source(f"{_RAW}/DinoGoEatChu/Recommender/a66bd1b85dd5a3a8334b33c246d503f8cd3bcaab/data_w_genres.csv", None,
               "Spotify genres per artist (yamaerenay's Spotify dataset 1921-2020)"),
        Source(f"{_DBKPOP}/kpop_idols_boy_groups.csv", None, "K-pop boy groups with Hangul names (dbkpop)"),
        Source(f"{_DBKPOP}/kpop_idols_girl_groups.csv", None, "K-pop girl groups with Hangul names (dbkpop)"),
        Source(f"{_DBKPOP}/kpop_idols.csv", None, "K-pop idols with Hangul names (dbkpop)"),
        Source(f"{_DBKPOP}/kpop_music_videos.csv", None, "K-pop music videos (dbkpop)"),
    ]


def _csv_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.casefold() == ".csv")


def resolve_sources(
    sources: Sequence[str | Path], *, cache_dir: Path | None = None, progress: bool = False
) -> list[Path]:
    """Local CSV paths for the given files, folders and URLs, in order, each once.

    A URL of the default catalogue is checked against its known sha256.
    """
    known = {s.url: s.sha256 for s in default_sources()}
    paths: list[Path] = []
    for item in sources:
        text = str(item)
        if text.startswith(("http://", "https://")):
            paths.append(download(text, cache_dir or default_cache_dir(), sha256=known.get(text), progress=progress))
            continue
        path = Path(item).expanduser()
        if path.is_dir():
            paths.extend(_csv_files(path))
        elif path.is_file():
            paths.append(path)
        else:
            raise CatalogueError(f"catalogue source not found: {path}")
    unique: dict[Path, Path] = {}
    for path in paths:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def load_catalogue(
    sources: Sequence[str | Path], *, progress: bool = False, cache_dir: Path | None = None
) -> tuple[Catalogue, ImportReport]:
    """Read, clean, label and merge the given sources into a catalogue.

    ``sources`` are CSV files, folders or http(s) URLs (downloaded into
    ``cache_dir``, the user cache folder by default). ``progress`` shows tqdm
    bars on stderr. Raises :class:`CatalogueError` with a readable message when
    a source is missing, a download fails, or no usable song is left.
    """
    if isinstance(sources, (str, Path)):
        sources = [sources]
    report = ImportReport()
    evidence = ArtistEvidence.with_reviewed_tables()
    paths = resolve_sources(sources, cache_dir=cache_dir, progress=progress)
    tracks = _read_files(paths, evidence, report, progress)
    if tracks is None:
        listed = ", ".join(str(s) for s in sources) or "(none given)"
        raise CatalogueError(f"none of the catalogue sources holds songs with audio features: {listed}")
    catalogue = build_catalogue(tracks, evidence, report)
    if catalogue is None:
        raise CatalogueError("no usable song in the catalogue sources:\n" + "\n".join(report.summary_lines()))
    return catalogue, report


def _read_files(
    paths: list[Path], evidence: ArtistEvidence, report: ImportReport, progress: bool
) -> pd.DataFrame | None:
    """Track rows of every track file, in file order; artist files go into ``evidence``."""
    parts = []
    for path in tqdm(paths, desc="reading catalogue files", unit="file", disable=not progress, file=sys.stderr):
        try:
            header = read_header(path)
            fmt = detect_format([normalise_header(h) for h in header])
            if fmt is None:
                report.note(f"skipped {path}: unrecognised CSV header {header[:12]}")
                continue
            if fmt.role is Role.PLAYLISTS:
                report.note(f"skipped {path.name}: a {fmt.name} file, not catalogue input")
                continue
            table = read_table(path)
        except (CsvFileError, OSError) as exc:
            report.note(f"skipped {path}: {exc}")
            continue
        if table.encoding != "utf-8":
            report.note(f"{table.name} is not UTF-8; read as {table.encoding}")
        for line, width in table.malformed:
            report.reject(table.name, line, f"malformed row: {width} fields, header has {len(table.header)}")
        if fmt.read_artists is not None:
            fmt.read_artists(table.rows, evidence)
            continue
        assert fmt.read_tracks is not None
        report.rows_read += len(table.rows) + len(table.malformed)
        if fmt.percent_features:
            report.note(f"{table.name}: audio features given in percent, divided by 100")
        frame, notes = fmt.read_tracks(table.rows)
        report.notes.extend(f"{table.name}: {note}" for note in notes)
        parts.append(_with_provenance(frame, table, percent=fmt.percent_features, estimated=fmt.estimated))
    if not parts:
        return None
    tracks = pd.concat(parts, ignore_index=True)
    tracks["order"] = np.arange(len(tracks))
    return tracks


def _with_provenance(
    frame: pd.DataFrame, table: CsvTable, *, percent: bool, estimated: frozenset[str]
) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    frame["source"] = table.name
    frame["line"] = table.lines
    # exact duplicates are judged on every column of the file, not just the ones kept
    frame["record"] = table.fingerprints
    frame["percent"] = percent
    frame["estimated"] = ",".join(sorted(estimated))  # features this file may lack
    return frame
