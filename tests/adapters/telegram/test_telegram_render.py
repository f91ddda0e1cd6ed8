"""Rendering for Telegram: escaping, the 4096 limit cut safely, buttons and their callback data."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.telegram.keyboards import MAX_CALLBACK_DATA, Choice, More, Vote, answer_keyboard, decode, encode
from adapters.labels import ELLIPSIS
from adapters.telegram.render import MAX_MESSAGE, Span, answer_html, fit, utf16_length
from bot.chat.replies import Answer, AnswerKind, ItemRef, Pick
from tests.support.telegram import shown_text

pytestmark = pytest.mark.usefixtures("fail_on_error_logs")

NASTY = st.text(alphabet=st.sampled_from(list("ab <>&\"';\n") + ["\U0001f3b5", "\u00e9", "\ud55c", "\u200b"]))
SPANS = st.lists(
    st.builds(
        Span,
        text=NASTY,
        tag=st.sampled_from(["", "b", "i", "a"]),
        href=st.sampled_from(["https://example.org/?q=a&b=\"c\"", "https://open.spotify.com/track/x"]),
    ),
    max_size=12,
)


def pick(rank: int, title: str = "Dynamite", artist: str = "BTS", reason: str = "similar energy") -> Pick:
    return Pick(rank, rank, title, artist, "abc123", 0.5, reason)


def picks_answer(*picks: Pick, notes: tuple[str, ...] = ()) -> Answer:
    match = ItemRef("song", 1, "Blinding Lights", "The Weeknd", False)
    return Answer(AnswerKind.PICKS, query="q", match=match, picks=picks, recommendation_id=7, notes=notes, has_more=True)


@given(SPANS, st.integers(min_value=1, max_value=300))
def test_fit_never_breaks_markup_and_keeps_a_prefix_of_the_text(spans: list[Span], limit: int) -> None:
    message = fit(spans, limit)
    full = "".join(span.text for span in spans)
    assert utf16_length(message) <= max(limit, utf16_length(ELLIPSIS))
    shown = shown_text(message)  # every tag closed, every entity whole
    if shown.endswith(ELLIPSIS) and shown != full:
        assert full.startswith(shown[: -len(ELLIPSIS)])
    else:
        assert shown == full


def test_a_short_answer_is_complete_with_links_and_reasons() -> None:
    message = answer_html(picks_answer(pick(1), pick(2, "Pink Venom", "BLACKPINK"), notes=("a note",)))
    assert message.startswith("If you like <b>Blinding Lights \u2014 The Weeknd</b>, try:\n\n1. <b>Dynamite</b> \u2014 BTS")
    assert '<a href="https://open.spotify.com/track/abc123">Spotify</a> \u00b7 <a href="https://www.youtube.com/' in message
    assert "search_query=BLACKPINK+Pink+Venom" in message
    assert message.endswith("\n\n<i>a note</i>")


def test_an_answer_too_long_for_telegram_is_cut_between_whole_pieces() -> None:
    huge = [pick(rank, title="<Title> & " * 200, reason="because " * 200) for rank in range(1, 11)]
    message = answer_html(picks_answer(*huge))
    assert MAX_MESSAGE - 50 < utf16_length(message) <= MAX_MESSAGE
    assert message.endswith(ELLIPSIS)
    assert shown_text(message).startswith("If you like Blinding Lights")


def test_astral_characters_count_twice_as_telegram_counts_them() -> None:
    message = fit([Span("\U0001f3b5" * 3000, "b")])
    assert utf16_length(message) <= MAX_MESSAGE < len(message) * 2
    assert message.startswith("<b>\U0001f3b5") and message.endswith("</b>" + ELLIPSIS)


@given(
    st.one_of(
        st.builds(Vote, st.integers(1, 10**18 - 1), st.sampled_from([1, -1])),
        st.builds(More, st.integers(1, 10**18 - 1)),
        st.builds(Choice, st.sampled_from(["song", "artist"]), st.integers(0, 10**18 - 1), st.text(max_size=100),
                  st.text("0123456789abcdef", min_size=6, max_size=6)),
    )
)
def test_callback_data_fits_telegram_and_decodes_back(press: Vote | More | Choice) -> None:
    data = encode(press)
    assert len(data.encode()) <= MAX_CALLBACK_DATA
    decoded = decode(data)
    if isinstance(press, Choice):
        assert isinstance(decoded, Choice) and (decoded.kind, decoded.item_id) == (press.kind, press.item_id)
        assert decoded.catalogue == press.catalogue
        assert press.query.startswith(decoded.query)
    else:
        assert decoded == press


def test_unknown_callback_data_decodes_to_nothing() -> None:
    for data in ("", "like:1", "v:1:2", "v:x:1", "m:", "m:1:2", "c:x:1:q", "v:1:1 ", "m:" + "9" * 19):
        assert decode(data) is None, data


def test_keyboards_for_picks_and_choices() -> None:
    [row] = answer_keyboard(picks_answer(pick(1))).inline_keyboard  # type: ignore[union-attr]
    assert [(b.text, b.callback_data) for b in row] == [("\U0001f44d", "v:7:1"), ("\U0001f44e", "v:7:-1"), ("More \u25b8", "m:7")]

    long_title = ItemRef("song", 3, "Stay" * 40, "Someone", False)
    unsure = Answer(AnswerKind.DID_YOU_MEAN, query="Stai", suggestions=(long_title,), catalogue="0a1b2c")
    [[button]] = answer_keyboard(unsure).inline_keyboard  # type: ignore[union-attr]
    assert button.callback_data == "k:s:3:0a1b2c:Stai" and len(button.text) == 60
    assert decode("c:s:3:Stai") == Choice("song", 3, "Stai", None)  # a button from before stamps

    unsaved = Answer(AnswerKind.PICKS, picks=(pick(1),))  # no recommendation_id: nothing to vote on
    assert answer_keyboard(unsaved) is None
    assert answer_keyboard(Answer(AnswerKind.HELP, text="help")) is None


def test_escaping_covers_hrefs_too() -> None:
    span = Span('say "hi" & <go>', "a", 'https://x.org/?a=1&b="2"')
    assert span.html == '<a href="https://x.org/?a=1&amp;b=&quot;2&quot;">say "hi" &amp; &lt;go&gt;</a>'
