"""Text normalisation shared by catalogue cleaning and query matching.

One module decides what "the same text" means, so that a song merged on import
("Blinding Lights" and "Blinding Lights - Remastered 2011") is also the song a
user finds when they type ``blinding lights``. Nothing here strips non-ASCII
letters: Hangul, kana and accented Latin all survive every function.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "whole_characters",
    "strip_invisible",
    "clean_display",
    "strip_editions",
    "strip_credits",
    "base_title",
    "strip_trailing_editions",
    "credited_guests",
    "text_key",
    "compact_key",
    "title_key",
    "contains_hangul",
]

# Zero-width characters, direction controls and the BOM. They are invisible, so
# a query pasted from a chat app can carry them without the user knowing.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]"
)
# Remaining control characters (NUL, escape, ...), except ordinary whitespace.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")

# Credits inside brackets: "(feat. X)", "[with Y]", "(Prod. GRAY)", "(ft X)".
_BRACKET_CREDIT = re.compile(
    r"\s*[\(\[\{]\s*(?:feat\.?|featuring|ft\.?|with|prod\.?|produced by)\s[^\)\]\}]*[\)\]\}]",
    re.IGNORECASE,
)
# Guests a title names: "(feat. Latto)", "[with Y & Z]", "- feat. X and Y", "ft. X".
_GUESTS = re.compile(
    r"[\(\[\{]\s*(?:feat\.?|featuring|ft\.?|with)\s+([^\)\]\}]+)|\b(?:feat\.?|featuring|ft\.)\s+([^\(\[\{]+)",
    re.IGNORECASE,
)
_GUEST_SEPARATORS = re.compile(r"\s*(?:,|&|\band\b|\bx\b)\s*", re.IGNORECASE)
# A credit after a dash: "Unlock it - feat. Kim Petras and Jay Park".
_DASH_CREDIT = re.compile(r"\s+[-\u2013\u2014]\s+(?:feat\.?|featuring|ft\.?|with)\s.*$", re.IGNORECASE)
# Bare trailing credits: "Song feat. X", "Song ft. X".
_TRAILING_CREDIT = re.compile(r"\s+(?:feat\.?|featuring|ft\.)\s.*$", re.IGNORECASE)
# Edition descriptors: words a label adds to the same recording (a remaster, a mix year, the
# soundtrack it was released on, the single or album cut). A listener hears the same song, so they
# neither make a different song nor belong in what the bot shows. Words that tell versions apart
# (remix, live, acoustic, instrumental, a language version) are kept.
_YEAR = r"(?:19|20)\d\d"
_EDITION_WORDS = (
    rf"(?:{_YEAR}\s+)?(?:digital(?:ly)?\s+)?remaster(?:ed|izado)?(?:\s+{_YEAR})?(?:\s+(?:album\s+)?version)?"
    rf"|{_YEAR}(?:\s+(?:mix|version|stereo\s+mix))?"
    r"|(?:single|album|radio|original|explicit|clean|mono|stereo|ep|lp)\s+(?:version|edit|mix|ver\.?)(?:\s+edited)?"
    r"|radio\s+edit|explicit(?:\s+ver\.?)?|clean|edit(?:ed)?|main|bonus\s+track"
    r"|(?:album|explicit)\s+version\s*\(edited\)|explicit\s+album\s+version"
    # a soundtrack it came out on: 'From "8 Mile" Soundtrack', 'From The Motion Picture "Frozen"',
    # 'Soundtrack Version', 'From "Frozen 2"/Soundtrack Version'
    r"|(?:music\s+)?from\s+(?:the\s+)?(?:motion\s+picture|original\s+motion\s+picture|film|movie|series)?\s*"
    r"(?:soundtrack\s+)?[\"\u201c][^\"\u201d]*[\"\u201d](?:\s+soundtrack)?(?:\s*/\s*soundtrack\s+version)?"
    r"|soundtrack\s+version|original\s+soundtrack"
)
_KEY_EDITION = re.compile(rf"\s(?:{_EDITION_WORDS})$", re.IGNORECASE)
_DASH_EDITION = re.compile(rf"\s+[-\u2013\u2014]\s+(?:{_EDITION_WORDS})\s*$", re.IGNORECASE)
_BRACKET_EDITION = re.compile(rf"\s*[\(\[]\s*(?:{_EDITION_WORDS})\s*[\)\]]", re.IGNORECASE)
# Whatever follows a title after " - " or inside brackets: what is left is the title people say
# ("Flowers - RudeLies Remix" -> "Flowers"), used to find a song whose exact title nobody types.
_DASH_SUFFIX = re.compile(r"\s+[-\u2013\u2014]\s+.*$")
_BRACKETS = re.compile(r"\s*[\(\[][^\)\]]*[\)\]]")

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u02bc": "'", "`": "'",
                         "\u201c": '"', "\u201d": '"', "\u00b4": "'"})
# Anything that is neither a letter, a digit nor an apostrophe separates words in a key.
_NON_WORD = re.compile(r"[^\w']+|_+")


def whole_characters(text: str) -> str:
    """``text`` with each lone surrogate (half of a UTF-16 pair, as a broken client or undecodable
    bytes read with ``surrogateescape`` leave in a ``str``) replaced by U+FFFD, and split pairs joined.

    Such a string cannot be encoded, so it could be neither stored nor sent back to a platform.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def strip_invisible(text: str) -> str:
    """NFKC-normalise and drop invisible and control characters; keep everything visible."""
    text = unicodedata.normalize("NFKC", whole_characters(text))
    text = _INVISIBLE.sub("", text)
    return _CONTROL.sub(" ", text)


def clean_display(text: str) -> str:
    """Tidy a string for showing: invisible characters gone, whitespace collapsed."""
    return _SPACES.sub(" ", strip_invisible(text)).strip()


def strip_editions(title: str) -> str:
    """A title as it should be shown: edition words gone, credits and version words kept.

    ``"Bohemian Rhapsody - Remastered 2011"`` -> ``"Bohemian Rhapsody"``;
    ``'Lose Yourself - From "8 Mile" Soundtrack'`` -> ``"Lose Yourself"``;
    ``"Flowers - RudeLies Remix"`` and ``"Levitating (feat. DaBaby)"`` are unchanged.
    If stripping would leave nothing, the title is returned unchanged.
    """
    cleaned = clean_display(title)
    stripped = cleaned
    while True:  # "Song (2011 Remaster) - Radio Edit": one suffix after another
        shorter = _DASH_EDITION.sub("", _BRACKET_EDITION.sub("", stripped)).strip()
        if shorter == stripped:
            break
        stripped = shorter
    return stripped or cleaned


def strip_credits(title: str) -> str:
    """Drop featured-artist credits and edition suffixes a user would not type.

    ``"Beyond Love (Feat. 10CM)"`` -> ``"Beyond Love"``;
    ``"Here Comes the Sun - Remastered 2009"`` -> ``"Here Comes the Sun"``.
    Remixes and live recordings keep their suffix: they are different recordings.
    If stripping would leave nothing, the title is returned unchanged.
    """
    cleaned = clean_display(title)
    stripped = _BRACKET_CREDIT.sub("", cleaned)
    stripped = _DASH_CREDIT.sub("", stripped)
    stripped = strip_editions(stripped) if stripped.strip() else stripped
    stripped = _TRAILING_CREDIT.sub("", stripped).strip()
    return stripped or cleaned


def credited_guests(title: str) -> list[str]:
    """The guest artists a title credits: ``"Closer (feat. Halsey)"`` -> ``["Halsey"]``.

    ``"Peaches (feat. Daniel Caesar & Giveon)"`` gives both names; ``"with"``
    counts only inside brackets, where it is a credit ("Fly with Me" is a title).
    """
    found = (part for parts in _GUESTS.findall(clean_display(title)) for part in parts if part)
    return [name.strip() for text in found for name in _GUEST_SEPARATORS.split(text) if name.strip()]


def strip_trailing_editions(key: str) -> str:
    """A key without edition words at its end, with or without a dash before them.

    For queries: people type "bohemian rhapsody remastered" or "get lucky radio
    edit" with no dash, which a title's own suffix always has.
    """
    while True:
        shorter = _KEY_EDITION.sub("", key).strip()
        if shorter == key or not shorter:
            return key
        key = shorter


def base_title(title: str) -> str:
    """The title without anything after " - " or inside brackets: what people call the song.

    ``"Flowers - RudeLies Remix"`` -> ``"Flowers"``, ``"Lose Yourself (Live)"`` -> ``"Lose Yourself"``.
    Several versions share it, so it only finds a song when no title matches exactly.
    """
    cleaned = clean_display(title)
    stripped = _BRACKETS.sub("", _DASH_SUFFIX.sub("", cleaned)).strip()
    return stripped or cleaned


def text_key(text: str) -> str:
    """A comparison key: case-folded, punctuation folded to single spaces.

    ``"TAYLOR SWIFT"``, ``"taylor  swift"`` and ``"Taylor\u200bSwift"`` share a key
    only in the first two cases (a zero-width space joins words). ``&`` reads as
    "and" so that "Simon & Garfunkel" and "Simon and Garfunkel" meet.
    """
    text = strip_invisible(text).translate(_QUOTES).casefold()
    text = text.replace("&", " and ")
    text = _NON_WORD.sub(" ", text).replace("'", "")
    return _SPACES.sub(" ", text).strip()


def compact_key(text: str) -> str:
    """The key without spaces, so "Black Pink", "BLACKPINK" and "black-pink" meet."""
    return text_key(text).replace(" ", "")


def title_key(title: str) -> str:
    """The key of a song title with credits and edition suffixes removed."""
    return text_key(strip_credits(title))


def contains_hangul(text: str) -> bool:
    """True when the text holds any Hangul syllable or jamo."""
    return bool(_HANGUL.search(text))
