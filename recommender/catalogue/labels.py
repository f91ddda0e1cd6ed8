"""Deciding which artists are Korean, from signals spread over many files.

No input says "Korean" for every artist, and artist names collide: "Aqua",
"Tiffany" and "April" are both K-pop acts and western acts. So a label is
decided per *occurrence* (one artist name as one source file uses it), by the
first rule below that has an opinion:

1. the name is on the reviewed list of non-Korean acts, or the genres
   of its own tracks name another country's scene (``j-pop``,
   ``mandopop``, ``opm``) and none is Korean                       -> western
2. the source file itself says (seed ``type``, a K-pop crawl)     -> its flag
3. a file that says shares a song with it (same Spotify id, or
   the same title under the same artist name)                     -> that flag
4. Spotify genres include a Korean token (``k-pop``, ``korean r&b``) -> Korean
   or name another country's scene, and none is Korean           -> western
5. the name, or one of its song titles, contains Hangul          -> Korean
6. the artist has a dbkpop music video with one of its song titles -> Korean
7. the artist has Spotify genres and none is Korean                -> western
8. the name is on a K-pop name list (dbkpop groups, the jcgnacpil
   artist list, the reviewed Korean acts)                         -> Korean
9. otherwise                                                      -> western

Rule 1's genre half exists because a K-pop crawl flags every act it met as
Korean, and it meets Japanese and Chinese acts on the same playlists: its
flag says where the act was found, genres of another national scene on the
act's own tracks say where it is from. Genres from name-keyed metadata cannot
overrule a flag (rule 4 only), because such metadata merges namesakes: the
genres of "LISA" are the Japanese singer's, not BLACKPINK's Lisa's. An act
with a Korean genre as well (a Chinese unit of a Korean label) stays Korean.
Rule 3 exists because name-keyed metadata merges namesakes: the artist-genre
file gives "PSY" the genres of a new-wave band, yet a playlist file's "PSY"
with the song "DADDY" is the PSY that a K-pop file lists with "DADDY".
Rule 7 comes before rule 8 on purpose: a bare name match must not turn a
western artist with western genres Korean. Genres are compared as whole
tokens, so ``folk-pop`` never reads as ``k-pop``. Playlist themes (the
TidyTuesday ``playlist_genre``) are not artist genres and count for neither
rule 4 nor rule 7: K-pop songs sit in its "dance pop" playlists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from recommender.catalogue.normalize import clean_display, contains_hangul, text_key, title_key
from recommender.catalogue.reviewed import korean_acts, non_korean_acts

__all__ = [
    "KOREAN_GENRE_PREFIXES",
    "split_genres",
    "is_korean_genre",
    "is_other_scene_genre",
    "ArtistEvidence",
    "Occurrence",
    "decide_korean",
]

#: Spotify genre tokens that mark another country's scene, matched like the Korean ones.
OTHER_SCENE_PREFIXES: tuple[str, ...] = (
    "j-pop", "j-rock", "j-rap", "j-idol", "j-indie", "j-division", "japanese", "anime", "vocaloid", "c-pop",
    "chinese", "mandopop", "cantopop", "taiwan", "hong kong", "opm", "pinoy", "filipino", "indonesian", "thai",
    "v-pop", "vietnamese", "indian", "desi", "bollywood", "filmi",
)

#: Spotify genre tokens that mark Korean music, matched as a whole token or as
#: the first words of one ("k-pop boy group", "korean r&b").
KOREAN_GENRE_PREFIXES: tuple[str, ...] = ("k-pop", "k-rap", "k-indie", "k-rock", "k-hop", "k-ballad", "korean")


def split_genres(text: str) -> tuple[str, ...]:
    """Genre tokens from ``"k-pop, k-pop girl group"``, ``"['pop', 'rap']"`` or ``"[]"``, lower-cased."""
    text = text.strip().strip("'\"").strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    tokens = (part.strip().strip("'\"").strip().casefold() for part in text.split(","))
    return tuple(token for token in tokens if token)


def _starts_with_any(token: str, prefixes: tuple[str, ...]) -> bool:
    return any(token == prefix or token.startswith(prefix + " ") for prefix in prefixes)


@cache  # a few thousand distinct tokens, asked about hundreds of thousands of times
def is_korean_genre(token: str) -> bool:
    return _starts_with_any(token, KOREAN_GENRE_PREFIXES)


@cache
def is_other_scene_genre(token: str) -> bool:
    """A genre of a national scene other than Korea's (``j-pop``, ``mandopop``, ``opm``)."""
    return _starts_with_any(token, OTHER_SCENE_PREFIXES)


@dataclass
class ArtistEvidence:
    """What the metadata files and reviewed tables say about artist names.

    Everything is keyed by ``text_key`` of the name; that key keeps word
    boundaries, so "A.C.E" and "Ace" or "IZ*ONE" and "Izone" stay apart.
    """

    spotify_genres: dict[str, set[str]] = field(default_factory=dict)
    popularity: dict[str, float] = field(default_factory=dict)
    korean_lists: dict[str, set[str]] = field(default_factory=dict)  # key -> names of the lists
    non_korean: set[str] = field(default_factory=set)
    korean_aliases: dict[str, set[str]] = field(default_factory=dict)
    music_videos: set[tuple[str, str]] = field(default_factory=set)  # (artist key, title key)
    # idol stage names are shared by several people: key -> each idol's aliases
    _idol_aliases: dict[str, set[tuple[str, ...]]] = field(default_factory=dict)

    @classmethod
    def with_reviewed_tables(cls) -> ArtistEvidence:
        evidence = cls()
        for act in korean_acts():
            evidence.add_korean_name(act.name, "reviewed Korean acts", act.aliases)
        for name in non_korean_acts():
            evidence.non_korean.add(text_key(name))
        return evidence

    def add_spotify_genres(self, name: str, genres: tuple[str, ...], popularity: float | None) -> None:
        key = text_key(name)
        self.spotify_genres.setdefault(key, set()).update(genres)
        if popularity is not None and popularity == popularity:  # not NaN
            self.popularity[key] = popularity

    def add_korean_name(self, name: str, list_name: str, aliases: tuple[str, ...] = ()) -> None:
        """A name some list calls a Korean act: only a name signal (rule 8 above), never above genres."""
        key = text_key(name)
        if not key:
            return
        self.korean_lists.setdefault(key, set()).add(list_name)
        self.add_aliases(name, aliases)

    def add_aliases(self, name: str, aliases: tuple[str, ...]) -> None:
        cleaned = {clean_display(a) for a in aliases if a and clean_display(a)}
        if cleaned:
            self.korean_aliases.setdefault(text_key(name), set()).update(cleaned)

    def add_idol(self, stage_name: str, aliases: tuple[str, ...]) -> None:
        """An idol's Hangul names; used only where the stage name is not shared (see ``aliases_for``)."""
        key = text_key(stage_name)
        if key:
            self._idol_aliases.setdefault(key, set()).add(tuple(sorted(a for a in aliases if a)))

    def add_music_video(self, artist: str, titles: tuple[str, ...]) -> None:
        key = text_key(artist)
        self.music_videos.update((key, title_key(t)) for t in titles if t)

    def aliases_for(self, key: str) -> set[str]:
        """Hangul and other names of the Korean act called ``key``."""
        out = set(self.korean_aliases.get(key, ()))
        idols = self._idol_aliases.get(key, set())
        if len(idols) == 1:  # two idols with one stage name: whose Hangul name is it?
            out.update(next(iter(idols)))
        return out


@dataclass(frozen=True)
class Occurrence:
    """One artist name as one source file uses it, with what that file says."""

    name: str
    key: str  # text_key(name)
    claim: bool | None  # the file's own Korean flag, if it has one
    linked_claim: bool | None  # the flag of another file that has one of its songs under this name
    genres: frozenset[str]  # Spotify genres the file attaches to this artist's tracks
    title_keys: frozenset[str]


def _other_scene(genres: frozenset[str] | set[str]) -> bool:
    """Genres that place an act in another country's scene, and none in Korea's."""
    return any(is_other_scene_genre(g) for g in genres) and not any(is_korean_genre(g) for g in genres)


def decide_korean(occ: Occurrence, evidence: ArtistEvidence) -> tuple[bool, str]:
    """``(korean, rule)`` for one occurrence; ``rule`` names the deciding rule for the report."""
    key = occ.key
    if key in evidence.non_korean:
        return False, "reviewed non-Korean act"
    if _other_scene(occ.genres):
        return False, "another country's Spotify genre on its tracks"
    if occ.claim is not None:
        return occ.claim, "flag in its source file"
    if occ.linked_claim is not None:
        return occ.linked_claim, "shares a song with a flagged file"
    genres = occ.genres | evidence.spotify_genres.get(key, set())
    if any(is_korean_genre(g) for g in genres):
        return True, "Korean Spotify genre"
    if _other_scene(genres):
        return False, "another country's Spotify genre"
    if contains_hangul(occ.name):
        return True, "Hangul in the name"
    if any(contains_hangul(t) for t in occ.title_keys):
        return True, "Hangul in a song title"
    if any((key, t) in evidence.music_videos for t in occ.title_keys):
        return True, "dbkpop music video of one of its songs"
    if genres:
        return False, "only western Spotify genres"
    if key in evidence.korean_lists:
        return True, "on a K-pop name list"
    return False, "no Korean signal"
