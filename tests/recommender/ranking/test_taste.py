"""Taste moves the answer: different tastes get different acts, co-listening names its act, fame only orders what fits.

The catalogue is built for it: Korean rock bands (loud, electric, fast), acoustic singers (quiet, acoustic,
slow) and very famous pop acts in between; a western metal band and a western singer-songwriter ask.
"""

from __future__ import annotations

import numpy as np
import pytest

import recommender.ranking.blend as blend_module
from recommender.catalogue.catalogue import Catalogue
from recommender.catalogue.features import scale_features
from recommender.catalogue.listening import PlaylistArtists
from recommender.catalogue.synthetic import make_catalogue
from recommender.offline.probes import ask, figures, probe_artists
from recommender.ranking.blend import Blend, HybridModel
from recommender.ranking.neighbours import build_tables
from recommender.ranking.picks import Recommender
from recommender.ranking.signals.genre_profiles import GenreProfiles, holdout_accuracy

ROCK = {"energy": 0.95, "acousticness": 0.02, "loudness": -3.0, "tempo": 165.0, "valence": 0.4}
ACOUSTIC = {"energy": 0.15, "acousticness": 0.95, "loudness": -16.0, "tempo": 80.0, "valence": 0.3}
POP = {"energy": 0.6, "acousticness": 0.3, "loudness": -7.0, "tempo": 118.0, "valence": 0.7, "danceability": 0.8}
KOREAN_ROCK = ["Rock A", "Rock B", "Rock C", "Rock D"]
KOREAN_ACOUSTIC = ["Folk A", "Folk B", "Folk C", "Folk D"]
KOREAN_POP = ["Idol A", "Idol B", "Idol C"]
SONGS_EACH = 4


def _catalogue() -> Catalogue:
    rows, features = [], []
    rng = np.random.default_rng(7)

    def add(artist: str, korean: bool, popularity: float, sound: dict[str, float]) -> None:
        for n in range(SONGS_EACH):
            rows.append((f"{artist} song {n}", artist, korean, popularity))
            features.append({name: value * rng.uniform(0.95, 1.05) for name, value in sound.items()})

    for i, name in enumerate(KOREAN_ROCK):
        add(name, True, 30.0 + i, ROCK)
    for i, name in enumerate(KOREAN_ACOUSTIC):
        add(name, True, 30.0 + i, ACOUSTIC)
    for i, name in enumerate(KOREAN_POP):
        add(name, True, 95.0 - i, POP)
    for band in ("Metal Band", "Thrash Band", "Punk Band"):
        add(band, False, 70.0, ROCK)
    for singer in ("Song Writer", "Folk Singer", "Quiet Singer"):
        add(singer, False, 70.0, ACOUSTIC)
    genres = {"Metal Band": ["metal"], "Thrash Band": ["thrash metal"], "Punk Band": ["punk rock"],
              "Song Writer": ["singer-songwriter"], "Folk Singer": ["folk"], "Quiet Singer": ["acoustic pop"],
              "Rock A": ["k-rock"], "Folk A": ["k-folk"], **{name: ["k-pop"] for name in KOREAN_POP}}
    return make_catalogue(rows, features, genres=genres)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return _catalogue()


def top_acts(catalogue: Catalogue, query: str, playlists: PlaylistArtists | None = None, count: int = 3) -> list[str]:
    tables = build_tables(catalogue, k_songs=10, k_artists=6)
    model = HybridModel(catalogue, tables, playlists)
    recommender = Recommender(catalogue, tables, model=model, blend=Blend())
    names = catalogue.artists["name"].tolist()
    artist = names.index(query)
    return [names[catalogue.songs.at[p.song_id, "artist_id"]] for p in recommender.for_artist(artist, count=count)]


@pytest.fixture
def small_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fame may reorder only the four acts that fit best (the real catalogue's pool is a hundred of 1,300)."""
    monkeypatch.setattr(blend_module, "FIT_POOL", 4)


def test_a_rock_and_an_acoustic_taste_get_disjoint_acts(catalogue: Catalogue, small_pool: None) -> None:
    rock, acoustic = top_acts(catalogue, "Metal Band"), top_acts(catalogue, "Song Writer")
    assert not set(rock) & set(acoustic), (rock, acoustic)
    assert set(rock) <= set(KOREAN_ROCK) and set(acoustic) <= set(KOREAN_ACOUSTIC)


def test_the_famous_acts_that_do_not_fit_are_not_picked(catalogue: Catalogue, small_pool: None) -> None:
    for query in ("Metal Band", "Song Writer", "Punk Band", "Folk Singer"):
        assert not set(top_acts(catalogue, query)) & set(KOREAN_POP)


def test_fame_orders_the_acts_that_fit(catalogue: Catalogue, small_pool: None) -> None:
    picked = top_acts(catalogue, "Metal Band", count=4)
    assert sorted(picked) == sorted(KOREAN_ROCK)
    assert picked[-1] == "Rock A", picked  # the least known of them: the test moves it
    better_known = catalogue.artists.copy()
    songs = catalogue.songs.copy()
    rock_a = better_known.index[better_known["name"] == "Rock A"][0]
    songs.loc[songs["artist_id"] == rock_a, "popularity"] = 90.0  # now the best known of the rock bands
    famous = Catalogue(songs=songs, artists=better_known)
    assert top_acts(famous, "Metal Band", count=4)[0] == "Rock A"
    assert "Rock A" not in top_acts(famous, "Song Writer")  # famous, but no fit for an acoustic taste


def test_an_act_people_play_with_the_query_artist_ranks_first(catalogue: Catalogue, small_pool: None) -> None:
    names = catalogue.artists["name"].tolist()
    partner, query = names.index("Rock D"), names.index("Thrash Band")
    listeners = [f"listener {n}" for n in range(6) for _ in range(2)]
    playlists = [f"mix {n}" for n in range(6) for _ in range(2)]
    artists = [a for _ in range(6) for a in (query, partner)]
    # other listeners play the idols with everyone: they are everywhere, so they say nothing of this taste
    for n in range(6, 12):
        for a in (query, names.index("Idol A"), names.index("Song Writer")):
            listeners.append(f"listener {n}"), playlists.append(f"mix {n}"), artists.append(a)
    data = PlaylistArtists.from_table(listeners, playlists, np.array(artists))
    assert top_acts(catalogue, "Thrash Band", data)[0] == "Rock D"


def test_every_korean_act_gets_a_profile_and_the_sound_model_is_scored_on_acts_with_evidence(
    catalogue: Catalogue,
) -> None:
    profiles = GenreProfiles(catalogue, scale_features(catalogue, "global"))
    names = catalogue.artists["name"].tolist()
    korean = np.array([names.index(n) for n in (*KOREAN_ROCK, *KOREAN_ACOUSTIC, *KOREAN_POP)])
    assert np.allclose(profiles.profiles[korean].sum(axis=1), 1.0)
    assert not profiles.known[names.index("Rock B")]  # no genre, no tag: known by its sound
    assert profiles.members(names.index("Rock B")) == {"rock"}
    assert profiles.members(names.index("Folk C")) == {"folk"}
    accuracy = holdout_accuracy(profiles, korean)
    # evidence: Rock A (rock), Folk A (folk), three idols (pop); the model knows no pop (no western pop artist)
    assert accuracy.acts == 5 and accuracy.accuracy == pytest.approx(2 / 5)
    assert accuracy.majority_family == "pop" and accuracy.majority == pytest.approx(3 / 5)


def test_probes_come_from_the_data_and_their_answers_are_counted(catalogue: Catalogue, small_pool: None) -> None:
    tables = build_tables(catalogue, k_songs=10, k_artists=6)
    model = HybridModel(catalogue, tables)
    probes = probe_artists(catalogue, model.profiles, per_family=2)
    by_family = {family: [p.name for p in probes if p.family == family] for family in {p.family for p in probes}}
    # metal, thrash metal, punk rock: rock; singer-songwriter, folk: folk ("acoustic pop" is half pop: no clear family)
    assert set(by_family) == {"rock", "folk"}
    assert len(by_family["rock"]) == 2 and set(by_family["rock"]) <= {"Metal Band", "Thrash Band", "Punk Band"}
    assert set(by_family["folk"]) == {"Song Writer", "Folk Singer"}
    answers = ask(Recommender(catalogue, tables, model=model, blend=Blend()), probes)
    summary = figures(answers, model.profiles)
    acts = {p[1] for a in answers for p in a.picks}
    assert summary.answers == 4 and summary.distinct_acts == len(acts)
    assert summary.in_family == 1.0  # rock tastes got rock bands, folk tastes folk singers
    assert 0 < summary.top_act_share <= 1.0
