"""The shared Last.fm folder against the real catalogue: its K-pop canon found, its western namesakes kept western."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from recommender.catalogue.catalogue import Catalogue, ImportReport
from recommender.catalogue.lastfm import artist_tags, lastfm_playlists, match_artist_names, read_lastfm


def test_the_k_pop_canon_matches_and_namesakes_stay_western(
        shared_data_dir: Path, real_catalogue: tuple[Catalogue, ImportReport]) -> None:
    catalogue, _ = real_catalogue
    data = read_lastfm(shared_data_dir / "lastfm_hetrec2011_listeners")
    assert data.plays["user"].nunique() == 1136
    matched = match_artist_names(data, catalogue)
    korean = catalogue.artists["korean"].to_numpy(dtype=bool)
    names = catalogue.artists["name"].to_numpy()
    korean_matches = {lastfm: names[a] for lastfm, a in matched.items() if korean[a]}
    # Hangul names through the catalogue's aliases, Latin names through its keys
    assert korean_matches["소녀시대"] == "Girls' Generation" and korean_matches["동방신기"] == "TVXQ!"
    assert {"BoA", "SHINee", "2NE1", "Wonder Girls", "4minute"} <= set(korean_matches)
    # the hard-rock band Rainbow and Swedish The Ark share names with later Korean groups
    assert not {"Rainbow", "The Ark", "Aqua", "Owen", "Lydia"} & set(korean_matches)
    playlists = lastfm_playlists(data, catalogue)
    assert len(set(playlists.playlists["listener"])) > 1000
    tags = artist_tags(data, catalogue)
    metal = tags[tags["tag"] == "metal"]["artist_id"].to_numpy()
    assert "Metallica" in set(names[metal]) and not korean[metal].any()
    assert np.isin(np.flatnonzero(names == "BoA"), tags["artist_id"]).any()
