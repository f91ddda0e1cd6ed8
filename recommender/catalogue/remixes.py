"""Crediting a remix to the act that made it.

K-pop collections list an act's top tracks, and those include remixes by EDM
producers ("Way Back Home (feat. Conor Maynard) - Sam Feldt Edit" under SHAUN).
The remix sounds like its remixer, not like the act it was made from, so it is
the remixer's song: left under the Korean act it would be a K-pop pick that is
really an EDM track, and the Korean file's flag would call the remixer Korean.

The rule needs the remixer to be an artist the catalogue already knows (from
any track file or the artist metadata), so "- Club Mix" or "- Extended Mix"
(no artist) never moves a song, and an unknown name is left alone.
"""

from __future__ import annotations

import re

import pandas as pd

from recommender.catalogue.catalogue import ImportReport
from recommender.catalogue.labels import ArtistEvidence
from recommender.catalogue.normalize import text_key

__all__ = ["remixer_named", "credit_remixers"]

# "Song - Sam Feldt Edit", "Song (KSHMR Remix)", "Song [Alan Walker Remix]", "Song - R3HAB VIP Mix".
# Not "Mix" or "Version" alone: "2011 Mix" and "Ballad Version" name no one.
_REMIX = re.compile(
    r"(?:\s[-\u2013\u2014]\s|[\(\[])\s*(?P<name>[^\(\)\[\]]+?)\s+"
    r"(?:remix|edit|rework|bootleg|flip|vip(?:\s+mix)?)\s*[\)\]]?\s*$",
    re.IGNORECASE,
)
# Words that describe a mix rather than name a remixer ("Radio Edit", "Extended Mix").
_NOT_NAMES = frozenset(
    "radio extended club original single album short long dub instrumental acoustic remastered "
    "clean explicit main official full special english korean japanese chinese spanish".split()
)


def remixer_named(title: str) -> str | None:
    """The remixer a title credits at its end ("Sam Feldt" in "... - Sam Feldt Edit"), if any."""
    found = _REMIX.search(title)
    if not found:
        return None
    name = found["name"].strip()
    words = text_key(name).split()
    if not words or words[-1] in _NOT_NAMES or words[0] in _NOT_NAMES:
        return None
    return name


def credit_remixers(tracks: pd.DataFrame, evidence: ArtistEvidence, report: ImportReport) -> pd.DataFrame:
    """Move each remix by a known artist other than the row's own to that artist.

    A moved row loses its file's Korean flag: the flag described the act the
    file listed, not the remixer, whose label the usual rules then decide.
    """
    known = set(tracks["artist"].map(text_key)) | set(evidence.spotify_genres)
    names = tracks["title"].map(remixer_named)
    keys = names.map(lambda n: text_key(n) if isinstance(n, str) else "")
    moved = (keys != "") & keys.isin(known) & (keys != tracks["artist"].map(text_key))
    if not moved.any():
        return tracks
    spelling = dict(zip(tracks["artist"].map(text_key), tracks["artist"]))  # the catalogue's spelling
    tracks.loc[moved, "artist"] = [spelling.get(k, n) for k, n in zip(keys[moved], names[moved], strict=True)]
    tracks.loc[moved, "alias"] = ""
    tracks.loc[moved, "claim"] = ""
    report.note(f"{int(moved.sum()):,} remixes credited to their remixer, an artist of the catalogue "
                f"(e.g. {tracks.loc[moved, 'title'].iloc[0]!r} to {tracks.loc[moved, 'artist'].iloc[0]})")
    return tracks
