"""Reading music links out of a message: the service, what it points at, and words it carries."""

from __future__ import annotations

import pytest

from recommender.matching.links import find_link

ID = "0VjIjW4GlUZAMYd2vXMi3b"


@pytest.mark.parametrize(
    ("message", "service", "kind", "link_id", "text", "rest"),
    [
        (f"https://open.spotify.com/track/{ID}", "spotify", "track", ID, "", ""),
        (f"https://open.spotify.com/intl-de/track/{ID}?si=1a2b3c", "spotify", "track", ID, "", ""),
        (f"http://open.spotify.com/intl-pt-br/track/{ID}", "spotify", "track", ID, "", ""),
        (f"open.spotify.com/track/{ID}", "spotify", "track", ID, "", ""),
        (f"spotify:track:{ID}", "spotify", "track", ID, "", ""),
        (f"love this <https://open.spotify.com/track/{ID}>!", "spotify", "track", ID, "", "love this !"),
        (f"https://open.spotify.com/artist/{ID}?si=x", "spotify", "artist", ID, "", ""),
        (f"https://open.spotify.com/album/{ID}", "spotify", "album", ID, "", ""),
        ("https://open.spotify.com/", "spotify", "page", None, "", ""),
        ("https://www.youtube.com/watch?v=4NRXx6U8ABQ The Weeknd", "youtube", "video", "4NRXx6U8ABQ", "", "The Weeknd"),
        ("https://youtu.be/4NRXx6U8ABQ?t=30", "youtube", "video", "4NRXx6U8ABQ", "", ""),
        ("https://www.youtube.com/results?search_query=BTS+Butter", "youtube", "search", None, "BTS Butter", ""),
        ("https://music.apple.com/us/song/blinding-lights/1499378615", "apple_music", "song", "1499378615",
         "blinding lights", ""),
        ("https://music.apple.com/gb/album/after-hours/1499378108?i=1499378615", "apple_music", "album", "1499378108",
         "", ""),
        ("see https://example.com/page.", "other", "page", None, "", "see ."),
    ],
)
def test_find_link(message: str, service: str, kind: str, link_id: str | None, text: str, rest: str) -> None:
    link, remainder = find_link(message)
    assert link is not None
    assert (link.service, link.kind, link.id, link.text, remainder) == (service, kind, link_id, text, rest)


@pytest.mark.parametrize("message", ["Blinding Lights", "spotify track", "open spotify", "spotify:track:short", ""])
def test_no_link(message: str) -> None:
    assert find_link(message) == (None, message)
