"""What a new user typed on a build of the suggested sources (issue 13), on the real shared data."""

from __future__ import annotations

import pytest

from recommender.catalogue.catalogue import Catalogue, ImportReport
from recommender.matching.matcher import Matcher

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def matcher(real_catalogue: tuple[Catalogue, ImportReport]) -> Matcher:
    return Matcher.fit(real_catalogue[0])


def _said(matcher: Matcher, query: str) -> tuple[str, str, str] | None:
    item = matcher.match(query).item
    return None if item is None else (item.kind, item.title, item.artist)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Daft Punk", ("artist", "Daft Punk", "Daft Punk")),
        ("Queen", ("artist", "Queen", "Queen")),
        ("Post Malone", ("artist", "Post Malone", "Post Malone")),
        ("beatles", ("artist", "The Beatles", "The Beatles")),
        ("weeknd", ("artist", "The Weeknd", "The Weeknd")),
        ("Lose Yourself", ("song", "Lose Yourself", "Eminem")),
        ("Lose Yourself Eminem", ("song", "Lose Yourself", "Eminem")),
        ("Anti-Hero", ("song", "Anti-Hero", "Taylor Swift")),
        ("bohemian rapsody", ("song", "Bohemian Rhapsody", "Queen")),
        ("https://open.spotify.com/track/0VjIjW4GlUZAMYd2vXMi3b", ("song", "Blinding Lights", "The Weeknd")),
        ("spotify:track:0VjIjW4GlUZAMYd2vXMi3b", ("song", "Blinding Lights", "The Weeknd")),
        ("Flowers Miley Cyrus", ("song", "Flowers", "Miley Cyrus")),  # imported now, its key estimated
    ],
)
def test_the_issues_queries(matcher: Matcher, query: str, expected: tuple[str, str, str]) -> None:
    assert _said(matcher, query) == expected


@pytest.mark.parametrize(
    ("query", "artist", "title"),
    [("Espresso Sabrina Carpenter", "Sabrina Carpenter", "Espresso"), ("aespa Supernova", "aespa", "Supernova")],
)
def test_songs_newer_than_the_catalogue(matcher: Matcher, query: str, artist: str, title: str) -> None:
    result = matcher.match(query)
    assert result.item is not None and (result.item.kind, result.item.artist) == ("artist", artist)
    assert result.unknown_title == title


def test_labels_of_the_issue(real_catalogue: tuple[Catalogue, ImportReport]) -> None:
    catalogue, _ = real_catalogue
    artists = catalogue.artists.set_index("name")
    assert not artists.at["JO1", "korean"]
    names = catalogue.artists["name"].to_numpy()[catalogue.songs["artist_id"]]
    remixes = catalogue.songs.assign(artist=names)
    edits = remixes[remixes["title"].str.contains("Sam Feldt Edit|KSHMR Edit", regex=True)]
    assert len(edits) and not (edits["artist"] == "SHAUN").any() and not edits["korean"].any()
