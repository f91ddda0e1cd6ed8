"""What the bot says about what it understood: a song newer than its catalogue, a link, another reading, nothing."""

from __future__ import annotations

from bot.chat.core import KpopCore
from bot.chat.render import to_json
from bot.chat.replies import AnswerKind, Sender
from recommender.catalogue.synthetic import make_catalogue
from tests.support.fixtures.core import CoreFactory

ALICE = Sender("test", "alice", "chat-1")


async def test_a_song_newer_than_the_catalogue_answers_for_its_artist_and_says_so(core: KpopCore) -> None:
    answer = await core.recommend(ALICE, "Espresso Taylor Swift")
    assert answer.kind == AnswerKind.PICKS and answer.match is not None
    assert (answer.match.kind, answer.match.title) == ("artist", "Taylor Swift")
    assert answer.notes[0] == "I don't know \u201cEspresso\u201d yet; here is K-pop for fans of Taylor Swift."
    korean = await core.recommend(ALICE, "NewJeans Supernova")
    assert korean.notes[0] == "I don't know \u201cSupernova\u201d yet; here is more K-pop like NewJeans."


async def test_nothing_known_says_it_plainly_without_junk_choices(core: KpopCore) -> None:
    answer = await core.recommend(ALICE, "Espresso")
    assert answer.kind == AnswerKind.NOT_FOUND and answer.suggestions == ()
    assert answer.text.startswith("I don't know that one yet.")


async def test_links_are_understood(core: KpopCore) -> None:
    known = await core.recommend(ALICE, "https://music.apple.com/us/song/blinding-lights/1499378615")
    assert known.kind == AnswerKind.PICKS and known.match is not None and known.match.title == "Blinding Lights"
    unknown = await core.recommend(ALICE, "https://open.spotify.com/intl-de/track/4uLU6hMCjMI75M1A2tKUQC?si=abc")
    assert unknown.kind == AnswerKind.NOT_FOUND
    assert unknown.text.startswith("I don't know the song behind that Spotify link yet.")
    artist = await core.recommend(ALICE, "spotify:artist:4uLU6hMCjMI75M1A2tKUQC")
    assert "the artist behind that Spotify link" in artist.text
    video = await core.recommend(ALICE, "https://youtu.be/4NRXx6U8ABQ")
    assert "that YouTube link" in video.text


async def test_the_other_reading_of_the_same_words_is_offered(make_core: CoreFactory) -> None:
    core = await make_core(make_catalogue([
        ("Get Lucky", "Daft Punk", False, 80.0), ("Daft Punk", "Pentatonix", False, 57.0),
        ("Dynamite", "BTS", True, 88.0), ("Butter", "BTS", True, 86.0), ("Psycho", "Red Velvet", True, 80.0),
    ]))
    answer = await core.recommend(ALICE, "Daft Punk")
    assert answer.kind == AnswerKind.PICKS and answer.match is not None and answer.match.kind == "artist"
    assert "\u201cDaft Punk\u201d is also a song by Pentatonix: ask for \u201cDaft Punk Pentatonix\u201d" in answer.notes[0]
    assert [(s.kind, s.artist) for s in answer.suggestions] == [("song", "Pentatonix")]  # numbered in the terminal
    assert to_json(answer)["suggestions"] == [{"kind": "song", "title": "Daft Punk", "artist": "Pentatonix",
                                               "korean": False}]
    asked = await core.recommend(ALICE, "Daft Punk Pentatonix")
    assert asked.match is not None and (asked.match.kind, asked.match.artist) == ("song", "Pentatonix")
