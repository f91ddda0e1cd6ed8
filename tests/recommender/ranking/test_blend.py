"""The blended ranking through the recommender: each signal steers, the knob turns, reasons tell the truth."""

from __future__ import annotations

import numpy as np
import pytest

from scipy.stats import rankdata

from recommender.ranking.blend import (
    AUDIO_ONLY,
    RANK_OFFSET,
    Blend,
    BlendWeights,
    HybridModel,
    average_ranks,
    reciprocal_ranks,
)
from recommender.catalogue.catalogue import FEATURES, Catalogue
from recommender.ranking.neighbours import build_tables
from recommender.catalogue.listening import PlaylistArtists
from recommender.ranking.reasons import BEST_KNOWN, LESSER_KNOWN, LIKED_HERE, MAX_REASON_LENGTH, explain
from recommender.ranking.picks import Candidate, Recommender
from recommender.ranking.signals.feedback import FeedbackScores
from bot.votes.policy import MIN_PEOPLE, PRIOR_VOTES
from tests.support.blend import artist, blend_catalogue, friend_playlists, named

#: The vote policy's numbers, as the bot passes them.
VOTE_POLICY = {"min_people": MIN_PEOPLE, "prior_votes": PRIOR_VOTES}


@pytest.mark.parametrize("shape", [(1,), (7,), (3, 9), (2, 1323), (4, 0)])
def test_average_ranks_are_scipys_descending_average_ranks(shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(len(shape) * 100 + shape[-1])
    for values in (rng.integers(0, 3, shape).astype(float), rng.random(shape), np.zeros(shape)):
        expected = rankdata(-values, axis=-1, method="average") if values.size else values
        np.testing.assert_allclose(average_ranks(values), expected)


@pytest.fixture(scope="module")
def setup() -> tuple[Catalogue, HybridModel]:
    cat = blend_catalogue()
    tables = build_tables(cat, k_songs=2, k_artists=2)
    return cat, HybridModel(cat, tables, friend_playlists(cat))


def recommender(setup: tuple[Catalogue, HybridModel], blend: Blend) -> Recommender:
    cat, model = setup
    return Recommender(cat, model.tables, model=model, blend=blend)


def artists_of(cat: Catalogue, picks: list[Candidate]) -> list[str]:
    names = cat.artists["name"].to_numpy()
    return [str(names[cat.songs.at[p.song_id, "artist_id"]]) for p in picks]


def alone(signal: str, familiarity: float = 1.0) -> Blend:
    return Blend(BlendWeights.only(signal), familiarity)


def test_each_signal_alone_puts_its_own_choice_first_with_its_reason(setup: tuple[Catalogue, HybridModel]) -> None:
    cat, _ = setup
    query = named(cat, "Query song")
    expected = {
        "audio": ("Near", lambda reason: reason.startswith(("both", "similar"))),
        # fame is never the whole reason: what the pick shares with the query comes first
        "popularity": ("Famous", lambda reason: reason.endswith(f"; {BEST_KNOWN}") and len(reason) > len(BEST_KNOWN) + 2),
        "colistening": ("Friend", lambda reason: reason == "popular with fans of Query Artist"),
        "genre": ("Rapper", lambda reason: reason.startswith("both hip hop")),
    }
    for signal, (first, reason_ok) in expected.items():
        picks = recommender(setup, alone(signal)).for_song(query)
        assert artists_of(cat, picks)[0] == first, signal
        assert reason_ok(picks[0].reason), (signal, picks[0].reason)
        assert "Query Artist" not in artists_of(cat, picks)


def test_the_blend_fuses_weighted_reciprocal_ranks_and_every_reason_is_true(
    setup: tuple[Catalogue, HybridModel],
) -> None:
    cat, model = setup
    query = named(cat, "Query song")
    q_artist = np.array([artist(cat, "Query Artist")])
    weights = BlendWeights(audio=0.1, popularity=0.4, genre=0.2, colistening=0.3)
    expected = (
        0.1 * reciprocal_ranks(model.audio.for_songs(np.array([query])))
        + 0.4 * reciprocal_ranks(model.popularity.fame)[None, :]
        + 0.2 * reciprocal_ranks(model.genre.for_artists(q_artist))
        + 0.3 * reciprocal_ranks(model.colistening.for_artists(q_artist))
    )[0]
    own = model.artists.position[q_artist[0]]  # -1: the query is western, so every Korean artist is a candidate
    assert own == -1
    scores = model.scores("song", np.array([query]), Blend(weights))[0]
    assert scores == pytest.approx(expected, rel=1e-5)
    assert 1 / (RANK_OFFSET + 1) == pytest.approx(reciprocal_ranks(np.array([3.0, 1.0]))[0])

    picks = Recommender(cat, model.tables, model=model, blend=Blend(weights)).for_song(query, count=10)
    shown = artists_of(cat, picks)
    by_score = [str(n) for n in cat.artists["name"].to_numpy()[model.artists.ids[np.argsort(-scores, kind="stable")]]]
    assert shown == by_score  # one song per artist, artists in the order of their scores
    for pick, name in zip(picks, shown, strict=True):
        assert 0 < len(pick.reason) <= MAX_REASON_LENGTH
        if pick.reason.startswith("popular with fans of"):
            column = int(model.artists.position[artist(cat, name)])
            assert model.colistening.together(int(q_artist[0]), column) > 0
        if pick.reason.endswith(BEST_KNOWN):
            assert name == "Famous"
        if pick.reason.startswith("both hip hop"):
            assert name == "Rapper"


def test_familiarity_turns_fame_from_familiar_to_deep_cuts(setup: tuple[Catalogue, HybridModel]) -> None:
    cat, _ = setup
    query = named(cat, "Query song")
    familiar = recommender(setup, alone("popularity", 1.0)).for_song(query, count=2)
    deep = recommender(setup, alone("popularity", -1.0)).for_song(query, count=2)
    assert artists_of(cat, familiar)[0] == "Famous"
    assert artists_of(cat, deep)[0] == "Near"  # one song of little popularity: the least known
    assert deep[0].reason == LESSER_KNOWN
    # The knob scales fame inside a blend too: at 0 it no longer counts.
    neutral = Blend(BlendWeights(audio=0.0, popularity=1.0, genre=0.0, colistening=1.0), familiarity=0.0)
    assert artists_of(cat, recommender(setup, neutral).for_song(query))[0] == "Friend"


def test_an_artist_is_shown_by_its_best_known_song_or_for_deep_cuts_its_closest(
    setup: tuple[Catalogue, HybridModel],
) -> None:
    cat, _ = setup
    query = named(cat, "Query song")
    titles = cat.songs["title"].to_numpy()
    familiar = recommender(setup, alone("popularity", 1.0)).for_song(query, count=1)
    assert titles[familiar[0].song_id] == "Famous hit"
    closest = recommender(setup, Blend(BlendWeights.only("colistening"), familiarity=0.0))
    every = [titles[c.song_id] for c in closest.for_song(query, count=1, offset=0)]
    assert every == ["Friend 1"]
    famous_songs = {named(cat, t) for t in ("Famous hit", "Famous 3", "Famous 4", "Famous b-side")}
    by_sound = Recommender(cat, setup[1].tables, model=setup[1], blend=Blend(BlendWeights.only("popularity"), 0.0))
    first_famous = next(c for c in by_sound.for_song(query, count=20) if c.song_id in famous_songs)
    assert titles[first_famous.song_id] == "Famous b-side"  # energy 0.52, nearest the query's 0.5


def test_audio_only_is_the_old_nearest_first_recommender(setup: tuple[Catalogue, HybridModel]) -> None:
    cat, model = setup
    query = named(cat, "Query song")
    picks = Recommender(cat, model.tables, model=model, blend=AUDIO_ONLY).for_song(query, count=1)
    assert [cat.songs.at[p.song_id, "title"] for p in picks] == ["Near 1"]
    features = cat.songs[list(FEATURES)]
    assert picks[0].reason == explain(features.loc[query].to_dict(), features.loc[picks[0].song_id].to_dict())
    assert picks[0].distance == pytest.approx(float(model.tables.songs.row(query)[1][0]))


def test_artist_queries_rank_artists_the_same_way(setup: tuple[Catalogue, HybridModel]) -> None:
    cat, _ = setup
    picks = recommender(setup, alone("colistening")).for_artist(artist(cat, "Query Artist"))
    assert artists_of(cat, picks)[0] == "Friend" and picks[0].reason == "popular with fans of Query Artist"
    assert recommender(setup, alone("popularity")).for_artist(artist(cat, "Famous"))[0].song_id != named(
        cat, "Famous hit")  # never the query's own artist


def test_everyones_votes_move_songs_and_artists(setup: tuple[Catalogue, HybridModel]) -> None:
    cat, model = setup
    query = named(cat, "Query song")
    rec = recommender(setup, Blend())
    before = rec.for_song(query, count=12)
    last, first = before[-1], before[0]
    feedback = FeedbackScores.from_votes({last.song_id: (40, 0), first.song_id: (0, 40)}, model.artist_of,
                                         model.artists, **VOTE_POLICY)
    voted = rec.for_song(query, count=12, feedback=feedback)
    after = [c.song_id for c in voted]
    assert after.index(last.song_id) < [c.song_id for c in before].index(last.song_id)
    assert voted[after.index(last.song_id)].reason == LIKED_HERE  # nothing else did as much for it
    # The disliked song's artist falls, and is shown by another of its songs.
    disliked_artist = artists_of(cat, [first])[0]
    assert artists_of(cat, voted).index(disliked_artist) > 0
    assert first.song_id not in after
    # Within an artist, a liked song comes before better-known ones.
    famous = {named(cat, t) for t in ("Famous hit", "Famous 3", "Famous 4", "Famous b-side")}
    b_side = named(cat, "Famous b-side")
    cheered = FeedbackScores.from_votes({b_side: (60, 0)}, model.artist_of, model.artists, **VOTE_POLICY)
    first_famous = next(c for c in rec.for_song(query, count=20, feedback=cheered) if c.song_id in famous)
    assert first_famous.song_id == b_side


def test_a_remembered_ranking_answers_exactly_as_a_fresh_one(setup: tuple[Catalogue, HybridModel]) -> None:
    """Rankings are remembered per query; exclusions, paging and votes must still apply as if they were not."""
    cat, model = setup
    query = named(cat, "Query song")
    warm = recommender(setup, Blend())
    first_answer = warm.for_song(query, count=3)
    excluded = {first_answer[0].song_id}
    later = {first_answer[1].song_id}
    liked = FeedbackScores.from_votes({first_answer[2].song_id: (0, 40)}, model.artist_of, model.artists, **VOTE_POLICY)
    for feedback in (None, liked, None):  # votes change, then are gone again: nothing stale is served
        for offset in (0, 3):
            asked = dict(count=3, offset=offset, exclude=excluded, later=later, feedback=feedback)
            assert warm.for_song(query, **asked) == recommender(setup, Blend()).for_song(query, **asked)
    assert warm.for_song(query, count=3) == first_answer


@pytest.mark.parametrize("first_artists", [1, 2, 3])
def test_listing_the_first_artists_songs_first_changes_no_page(
    setup: tuple[Catalogue, HybridModel], monkeypatch: pytest.MonkeyPatch, first_artists: int
) -> None:
    """Pages that reach past the first artists, or people who saw them, get the full ranking's answer."""
    cat, _ = setup
    query = named(cat, "Query song")
    everything = recommender(setup, Blend()).for_song(query, count=100)
    shown = [c.song_id for c in everything]
    assert len(shown) > 2 * first_artists  # one song per artist: pages reach past the first artists
    monkeypatch.setattr("recommender.ranking.picks.FIRST_ARTISTS", first_artists)
    short = recommender(setup, Blend())
    for later in (set(), set(shown[:2]), set(shown[::2])):
        for exclude in (set(), {shown[0]}):
            for offset in range(len(shown) + 1):
                asked = dict(count=2, offset=offset, exclude=exclude, later=later)
                monkeypatch.setattr("recommender.ranking.picks.FIRST_ARTISTS", 10_000)
                expected = recommender(setup, Blend()).for_song(query, **asked)
                monkeypatch.setattr("recommender.ranking.picks.FIRST_ARTISTS", first_artists)
                assert short.for_song(query, **asked) == expected, (later, exclude, offset)
