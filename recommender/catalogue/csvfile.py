"""Reading a CSV file as strings, keeping each record's real line number.

Rejections are reported by line number, so the number must be the one an
editor shows: a quoted field can span several lines, which makes pandas' row
index + 2 wrong. The csv module counts physical lines as it reads
(``reader.line_num``), so a record starts one line after the previous record
ended.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["CsvTable", "CsvFileError", "check_text", "normalise_header", "read_header", "read_table"]

#: How files that are not CSV text begin, by what they are (the error says which, and nothing of their bytes).
_NOT_TEXT = (
    (b"\x1f\x8b", "a gzip archive: unpack it first (gunzip)"),
    (b"PK\x03\x04", "a zip archive: unpack it first (unzip)"),
    (b"BZh", "a bzip2 archive: unpack it first (bunzip2)"),
    (b"\xfd7zXZ\x00", "an xz archive: unpack it first (unxz)"),
    (b"SQLite format 3\x00", "a SQLite database, not CSV"),
)
_SNIFF_BYTES = 8192
_HEADER_CHARS = 1 << 20

_HEADER_SUFFIX = re.compile(r"_%$")  # "danceability_%" in some copies of the 2023 charts file


class CsvFileError(Exception):
    """A file that cannot be read as CSV at all; the message names the file and the place."""


def normalise_header(name: str) -> str:
    """Column names compare case-insensitively and without a BOM or a ``_%`` suffix."""
    return _HEADER_SUFFIX.sub("", name.replace("\ufeff", "").strip().casefold())


@dataclass
class CsvTable:
    """A CSV file's well-formed records as strings, plus the records that were not."""

    name: str  # file name, used as the source name in reports and in ``songs.sources``
    header: list[str]  # as written in the file
    rows: pd.DataFrame  # one column per normalised header name, all strings ("" when empty)
    lines: np.ndarray  # 1-based line number where each row starts
    fingerprints: np.ndarray  # hash of each whole row, to find exact duplicates cheaply
    malformed: list[tuple[int, int]]  # (line, number of fields) of records with the wrong width
    encoding: str


def _decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM); else Windows-1252, the usual encoding of spreadsheet exports."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def check_text(path: Path) -> None:
    """Raise :class:`CsvFileError` when ``path`` is plainly not CSV text (an archive, a database, binary).

    Reads only the first few kilobytes, so a large wrong file costs nothing, and the error names
    what the file is instead of echoing its bytes.
    """
    with path.open("rb") as fh:
        start = fh.read(_SNIFF_BYTES)
    for magic, what in _NOT_TEXT:
        if start.startswith(magic):
            raise CsvFileError(f"{path.name} is {what}")
    if b"\x00" in start:
        raise CsvFileError(f"{path.name} is binary, not CSV text (it holds NUL bytes)")


def read_header(path: Path) -> list[str]:
    """The first record of the file, read without loading the rest (to sniff its format).

    At most the first megabyte is read: a header longer than that is no header, and a wrong file
    with no line breaks must not be read whole to find that out.
    """
    try:
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
            return next(csv.reader(io.StringIO(fh.read(_HEADER_CHARS), newline="")), [])
    except csv.Error as exc:
        raise CsvFileError(f"{path}: not a readable CSV header ({exc})") from None


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        out.append(name if count == 0 else f"{name}.{count}")
    return out


def read_table(path: Path, *, delimiter: str = ",") -> CsvTable:
    """Every record of a CSV file; ``delimiter="\\t"`` reads a tab-separated file, where quotes are plain text."""
    text, encoding = _decode(path.read_bytes())
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting)
    try:
        header = next(reader, [])
        width = len(header)
        records: list[list[str]] = []
        lines: list[int] = []
        fingerprints: list[int] = []
        malformed: list[tuple[int, int]] = []
        end = reader.line_num
        for record in reader:
            start, end = end + 1, reader.line_num
            if not record:  # a blank line is no record
                continue
            if len(record) != width:
                malformed.append((start, len(record)))
                continue
            records.append(record)
            lines.append(start)
            fingerprints.append(hash(tuple(record)))
    except csv.Error as exc:
        raise CsvFileError(f"{path.name}: unreadable CSV near line {reader.line_num} ({exc})") from None
    columns = _unique([normalise_header(h) for h in header])
    # object dtype: the values are checked and converted later, column by column
    rows = pd.DataFrame(records, columns=columns, dtype=object) if records else pd.DataFrame(columns=columns)
    return CsvTable(path.name, header, rows, np.asarray(lines, dtype=np.int64),
                    np.asarray(fingerprints, dtype=np.int64), malformed, encoding)
