"""Each signal of the blend on small fixtures whose right answers follow from their construction."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.catalogue.catalogue import FEATURES, Catalogue
from recommender.ranking.neighbours import build_tables
from recommender.catalogue.listening import PlaylistArtists
from recommender.ranking.signals.audio import AudioSimilarity
from recommender.ranking.signals.colistening import PRIOR_PLAYLISTS, CoListening
from bot.votes.policy import MIN_PEOPLE, PRIOR_VOTES
from recommender.ranking.signals.feedback import FeedbackScores
from recommender.catalogue.features import scale_features
from recommender.ranking.signals.genre_profiles import GenreProfiles, GenreSimilarity
from recommender.ranking.signals.genre import GenreBridge
from recommender.ranking.signals.popularity import Popularity
from recommender.ranking.signals.space import KoreanArtists
from recommender.catalogue.synthetic import add_artist, make_catalogue

NAN = float("nan")
FLAT = {name: 0.5 for name in FEATURES} | {"tempo": 120.0, "loudness": -6.0, "mode": 1.0}


def artist_id(catalogue: Catalogue, name: str) -> int:
    return int(np.flatnonzero(catalogue.artists["name"].to_numpy() == name)[0])


def column(artists: KoreanArtists, catalogue: Catalogue, name: str) -> int:
    return int(artists.position[artist_id(catalogue, name)])


# --- the columns ----------------------------------------------------------------------------------


def test_korean_artists_are_those_with_korean_songs() -> None:
    catalogue = add_artist(make_catalogue([("w", "W", False, 1.0), ("k", "K", True, 1.0), ("j", "J", True, 1.0)]),
                           "Named only", korean=True)
    artists = KoreanArtists.of(catalogue)
    assert artists.ids.tolist() == [1, 2]
    assert artists.columns(np.array([0, 1, 2, 3])).tolist() == [-1, 0, 1, -1]
    assert len(artists) == 2


# --- audio ------------------------------------------------------------------------------------------


def energy_catalogue() -> Catalogue:
    """A western query at energy 0.5; Korean A nearest, B next, C far; A also owns a far song."""
    rows = [("query", "W", False, 0.5), ("A near", "A", True, 0.51), ("A far", "A", True, 0.99),
            ("B", "B", True, 0.6), ("C", "C", True, 0.9)]
    return make_catalogue([(t, a, k, 50.0) for t, a, k, _ in rows], [FLAT | {"energy": e} for *_, e in rows])


def test_audio_similarity_comes_from_the_rank_in_the_table() -> None:
    catalogue = energy_catalogue()
    tables = build_tables(catalogue, k_songs=2, k_artists=2)
    artists = KoreanArtists.of(catalogue)
    audio = AudioSimilarity(tables, artists, catalogue.songs["artist_id"].to_numpy())
    a, b, c = (column(artists, catalogue, name) for name in "ABC")
    by_song = audio.for_songs(np.array([0]))[0]  # row: A near, B (width 2)
    assert by_song[[a, b, c]].tolist() == [1.0, 0.5, 0.0]
    by_artist = audio.for_artists(np.array([0]))[0]  # artist means: A at 0.75, B at 0.6, C at 0.9
    assert by_artist[[b, a, c]].tolist() == [1.0, 0.5, 0.0]
    assert audio.widths == (2, 2)


def test_an_artist_is_as_close_as_its_closest_song() -> None:
    catalogue = energy_catalogue()
    tables = build_tables(catalogue, k_songs=4, k_artists=3)
    artists = KoreanArtists.of(catalogue)
    audio = AudioSimilarity(tables, artists, catalogue.songs["artist_id"].to_numpy())
    # Song row: A near (1), B (0.75), C (0.5), A far (0.25): A keeps its best.
    assert audio.for_songs(np.array([0]))[0, column(artists, catalogue, "A")] == 1.0


# --- popularity -----------------------------------------------------------------------------------


def test_fame_combines_best_songs_and_how_much_of_the_artist_the_catalogue_carries() -> None:
    rows = [("w", "W", False, 99.0)]
    rows += [(f"big{i}", "Big", True, p) for i, p in enumerate([90.0, 80.0, 70.0, 5.0, 5.0])]  # top three: 80
    rows += [("one hit", "OneHit", True, 95.0)]  # higher best song, but one song
    rows += [(f"new{i}", "New", True, NAN) for i in range(4)]  # no popularity (a recent chart file)
    rows += [("obscure", "Obscure", True, 10.0)]
    catalogue = make_catalogue(rows)
    artists = KoreanArtists.of(catalogue)
    popularity = Popularity.fit(catalogue, artists)
    fame = {name: popularity.fame[column(artists, catalogue, name)] for name in ("Big", "OneHit", "New", "Obscure")}
    # Percentile ranks. Best songs (known for three): Obscure 1/3, Big 2/3, OneHit 1.
    # Song counts (5, 1, 4, 1): Big 1, New 3/4, OneHit and Obscure 3/8 (tied).
    assert fame["Big"] == pytest.approx((2 / 3 + 1) / 2)
    assert fame["OneHit"] == pytest.approx((1 + 3 / 8) / 2)
    assert fame["New"] == pytest.approx(3 / 4)  # placed by its song count alone
    assert fame["Obscure"] == pytest.approx((1 / 3 + 3 / 8) / 2)
    best = popularity.best_known(2)
    assert artists.ids[best].tolist() == [artist_id(catalogue, "Big"), artist_id(catalogue, "New")]
    assert popularity.fame_rank()[column(artists, catalogue, "Big")] == 1


def test_songs_of_an_artist_come_best_known_first_unknown_last() -> None:
    catalogue = make_catalogue([("a", "K", True, 20.0), ("b", "K", True, NAN), ("c", "K", True, 70.0),
                                ("d", "K", True, 20.0), ("e", "L", True, 1.0)])
    artists = KoreanArtists.of(catalogue)
    popularity = Popularity.fit(catalogue, artists)
    titles = catalogue.songs["title"].to_numpy()
    songs, owner, place = popularity.songs_of(np.array([1, 0]))
    assert [titles[s] for s in songs] == ["e", "c", "a", "d", "b"]  # ties by song id; unknown last
    assert owner.tolist() == [0, 1, 1, 1, 1] and place.tolist() == [0, 0, 1, 2, 3]


# --- genre ----------------------------------------------------------------------------------------


def test_the_bridge_matches_korean_tokens_whole_and_western_words_whole() -> None:
    bridge = GenreBridge.reviewed()
    assert bridge.families(["k-rap"], korean=True) == {"hip hop"}
    assert bridge.families(["korean r&b", "k-indie"], korean=True) == {"R&B", "indie"}
    assert bridge.families(["atl hip hop"], korean=False) == {"hip hop"}
    assert bridge.families(["gangster rap"], korean=False) == {"hip hop"}
    assert bridge.families(["folk-pop"], korean=False) == frozenset()  # one word: neither folk nor pop
    assert bridge.families(["k-pop"], korean=False) == {"pop"}  # Korean tokens count on the western side too
    # A Korean artist's western-looking tokens (often playlist themes) are not used.
    assert bridge.families(["edm", "k-pop"], korean=True) == {"pop"}
    assert bridge.families(["Dance Pop"], korean=False) == {"dance", "pop"}


def test_a_bridge_row_without_a_side_or_families_is_an_error() -> None:
    with pytest.raises(ValueError, match="needs a side"):
        GenreBridge.from_rows([("both", "pop", ("pop",))])
    with pytest.raises(ValueError, match="needs a side"):
        GenreBridge.from_rows([("western", "pop", ())])
    custom = GenreBridge.from_rows([("korean", "K-Trot", ("trot",)), ("western", "Polka Trot", ("trot",))])
    assert custom.families(["k-trot"], korean=True) == {"trot"}
    assert custom.families(["bavarian polka trot"], korean=False) == {"trot"}
    assert custom.families(["trot"], korean=False) == frozenset()  # the phrase, not one of its words


def genre_catalogue() -> Catalogue:
    rows = [("w1", "Rapper", False, 1.0), ("w2", "Crooner", False, 1.0), ("w3", "Nobody", False, 1.0),
            ("k1", "K-Rapper", True, 1.0), ("k2", "K-Idol", True, 1.0), ("k3", "K-Unknown", True, 1.0),
            ("k4", "K-Indie", True, 1.0)]
    genres = {"Rapper": ["atl hip hop", "trap"], "Crooner": ["dance pop", "pop"], "K-Rapper": ["k-rap"],
              "K-Idol": ["k-pop", "k-pop girl group"], "K-Unknown": ["edm"], "K-Indie": ["k-indie"]}
    return make_catalogue(rows, genres=genres)


def test_genre_similarity_bridges_the_sides() -> None:
    catalogue = genre_catalogue()
    artists = KoreanArtists.of(catalogue)
    genre = GenreSimilarity(GenreProfiles(catalogue, scale_features(catalogue, "global")), artists)
    rapper, crooner, nobody = (artist_id(catalogue, n) for n in ("Rapper", "Crooner", "Nobody"))
    scores = genre.for_artists(np.array([rapper, crooner, nobody]))
    col = {name: column(artists, catalogue, name) for name in ("K-Rapper", "K-Idol", "K-Unknown", "K-Indie")}
    assert scores[0, col["K-Rapper"]] == pytest.approx(1.0)
    assert scores[0, col["K-Idol"]] == 0.0
    assert scores[1, col["K-Idol"]] > scores[1, col["K-Rapper"]] == 0.0
    # K-Unknown has only a non-Korean token, so no evidence: it is known by its sound (a profile like any other).
    assert 0.0 <= scores[0, col["K-Unknown"]] <= 1.0
    assert (scores[2] == 0).all()  # a query without families says nothing
    assert genre.shared(rapper, artist_id(catalogue, "K-Rapper")) == ("hip hop",)
    assert genre.shared(crooner, artist_id(catalogue, "K-Idol")) == ("dance", "pop")  # the rarer first
    assert genre.shared(rapper, artist_id(catalogue, "K-Idol")) == ()


# --- co-listening ---------------------------------------------------------------------------------


def colistening_catalogue() -> Catalogue:
    rows = [("w", "W", False, 1.0), ("v", "V", False, 1.0)] + [(k.lower(), k, True, 1.0) for k in ("KA", "KB", "KC")]
    return make_catalogue(rows)


def playlists(catalogue: Catalogue, rows: list[tuple[str, str, list[str]]]) -> PlaylistArtists:
    """(listener, playlist, artist names) -> playlist data."""
    listener, playlist, artist = [], [], []
    for who, name, names in rows:
        for n in names:
            listener.append(who)
            playlist.append(name)
            artist.append(artist_id(catalogue, n))
    return PlaylistArtists.from_table(listener, playlist, np.array(artist))


def test_each_listener_weighs_one_whatever_their_number_of_playlists() -> None:
    catalogue = colistening_catalogue()
    artists = KoreanArtists.of(catalogue)
    # ann puts W with KA in three playlists; bob puts W with KB once.
    data = playlists(catalogue, [("ann", f"p{i}", ["W", "KA"]) for i in range(3)] + [("bob", "q", ["W", "KB"])])
    signal = CoListening(data, artists, len(catalogue.artists))
    w = artist_id(catalogue, "W")
    ka, kb, kc = (column(artists, catalogue, n) for n in ("KA", "KB", "KC"))
    assert signal.together(w, ka) == pytest.approx(1.0) and signal.together(w, kb) == pytest.approx(1.0)
    scores = signal.for_artists(np.array([w]))[0]
    assert scores[ka] == pytest.approx(scores[kb])
    # (c - e) / sqrt(e + prior): c = 1, n = 2 and q = 1/2 for KA and KB (weight shares), so e = 1.
    assert scores[ka] == pytest.approx((1.0 - 1.0) / np.sqrt(1.0 + PRIOR_PLAYLISTS))
    assert scores[kc] < scores[ka]  # never played with W: below every act that was
    # An artist in no playlist has no evidence: every act ties, and the other signals decide.
    v = artist_id(catalogue, "V")
    assert len(set(signal.for_artists(np.array([v]))[0].tolist())) == 1


def test_thin_evidence_moves_a_score_only_part_of_the_way() -> None:
    catalogue = colistening_catalogue()
    artists = KoreanArtists.of(catalogue)
    # Many anonymous playlists carry KA; one carries W with KC.
    data = playlists(catalogue, [("", f"p{i}", ["KA"]) for i in range(8)] + [("", "w", ["W", "KC"])])
    scores = CoListening(data, artists, len(catalogue.artists)).for_artists(np.array([artist_id(catalogue, "W")]))[0]
    ka, kc = column(artists, catalogue, "KA"), column(artists, catalogue, "KC")
    assert scores[kc] > scores[ka]  # played with W, where KA never was
    expected = 1 * (1 / 9)  # n(W) q(KC)
    assert scores[kc] == pytest.approx((1 - expected) / np.sqrt(expected + PRIOR_PLAYLISTS))


def test_an_act_everyone_plays_needs_more_than_its_share_to_score() -> None:
    """The canon co-occurs with everything: KA, in every playlist, scores below KB, in W's alone."""
    catalogue = colistening_catalogue()
    artists = KoreanArtists.of(catalogue)
    rows = [("", f"w{i}", ["W", "KA", "KB"]) for i in range(3)] + [("", f"o{i}", ["V", "KA"]) for i in range(9)]
    scores = CoListening(playlists(catalogue, rows), artists, len(catalogue.artists)).for_artists(
        np.array([artist_id(catalogue, "W")]))[0]
    ka, kb = column(artists, catalogue, "KA"), column(artists, catalogue, "KB")
    assert scores[kb] > scores[ka] > scores[column(artists, catalogue, "KC")]


def test_excluding_a_listener_removes_exactly_their_playlists() -> None:
    """The leakage guard: the only link W-KC comes from carl, so without carl it must be gone."""
    catalogue = colistening_catalogue()
    artists = KoreanArtists.of(catalogue)
    data = playlists(catalogue, [("ann", "a", ["W", "KA"]), ("carl", "c1", ["W", "KC"]), ("carl", "c2", ["V", "KC"]),
                                 ("", "anon", ["W", "KB"])])
    signal = CoListening(data, artists, len(catalogue.artists))
    w = artist_id(catalogue, "W")
    kc = column(artists, catalogue, "KC")
    assert signal.together(w, kc) > 0
    without = signal.excluding({"listener:carl"})
    assert without.together(w, kc) == 0.0
    scores, partners = without.scores_and_partners(np.array([w]))
    assert not partners[0, kc] and scores[0, kc] == scores[0].min()  # not even through chance's share
    assert without.listeners == {"listener:ann", "playlist:anon"}
    assert signal.excluding({"listener:nobody"}) is signal
    assert signal.excluding({"playlist:anon"}).together(w, column(artists, catalogue, "KB")) == 0.0


def test_playlist_data_names_artists_of_the_catalogue() -> None:
    catalogue = colistening_catalogue()
    data = PlaylistArtists.from_table(["a"], ["p"], np.array([99]))
    with pytest.raises(ValueError, match="beyond the catalogue"):
        CoListening(data, KoreanArtists.of(catalogue), len(catalogue.artists))
    with pytest.raises(ValueError, match="prior must be positive"):
        CoListening(PlaylistArtists.empty(), KoreanArtists.of(catalogue), len(catalogue.artists), prior=0)
    empty = CoListening(PlaylistArtists.empty(), KoreanArtists.of(catalogue), len(catalogue.artists))
    assert len(set(empty.for_artists(np.array([0, 1])).ravel().tolist())) == 1  # no evidence, no opinion


# --- feedback -------------------------------------------------------------------------------------


#: The vote policy's numbers, as the bot passes them.
POLICY = {"min_people": MIN_PEOPLE, "prior_votes": PRIOR_VOTES}


def test_feedback_is_shrunk_towards_zero_while_votes_are_few() -> None:
    catalogue = make_catalogue([("w", "W", False, 1.0), ("a1", "KA", True, 1.0), ("a2", "KA", True, 1.0),
                                ("b1", "KB", True, 1.0)])
    artists = KoreanArtists.of(catalogue)
    artist_of = catalogue.songs["artist_id"].to_numpy()
    feedback = FeedbackScores.from_votes({1: (2, 0), 2: (20, 0), 3: (1, 3)}, artist_of, artists, **POLICY)
    assert feedback.songs[1] == 0.0  # two people cannot move a song for everyone
    assert feedback.songs[2] == pytest.approx(20 / (20 + PRIOR_VOTES))
    assert feedback.songs[3] == pytest.approx(-2 / (4 + PRIOR_VOTES))
    assert feedback.songs[0] == 0.0
    # KA's songs together: 22 people up; KB: 1 up, 3 down.
    assert feedback.artists.tolist() == pytest.approx([22 / (22 + PRIOR_VOTES), -2 / (4 + PRIOR_VOTES)])
    assert feedback.has_effect
    few = FeedbackScores.from_votes({1: (MIN_PEOPLE - 1, 0)}, artist_of, artists, **POLICY)
    assert not few.has_effect and not few.artists.any()
    with pytest.raises(ValueError, match="negative"):
        FeedbackScores.from_votes({1: (-1, 0)}, artist_of, artists, **POLICY)
    with pytest.raises(ValueError, match="outside"):
        FeedbackScores.from_votes({9: (1, 0)}, artist_of, artists, **POLICY)
