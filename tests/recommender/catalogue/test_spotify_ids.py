"""Spotify track ids are recognised in the shapes people paste and files store."""

from __future__ import annotations

import pandas as pd
import pytest

from recommender.catalogue.spotify_ids import track_id, track_ids

ID = "0yFq4GHDqLfeceyAs63B3W"


@pytest.mark.parametrize(
    "text",
    [
        ID,
        f" {ID} ",
        f"spotify:track:{ID}",
        f"https://open.spotify.com/track/{ID}",
        f"https://open.spotify.com/track/{ID}?si=1a2b3c",
        f"https://open.spotify.com/intl-de/track/{ID}",
        f"http://open.spotify.com/embed/track/{ID}",
    ],
)
def test_valid_shapes(text: str) -> None:
    assert track_id(text) == ID


@pytest.mark.parametrize(
    "text",
    ["", ID[:-1], ID + "X", f"spotify:album:{ID}", f"https://open.spotify.com/album/{ID}", "0yFq4GHDqLfeceyAs63B3-"],
)
def test_invalid_shapes(text: str) -> None:
    assert track_id(text) is None


def test_vectorised_form_separates_missing_from_invalid() -> None:
    ids, invalid = track_ids(pd.Series([f"spotify:track:{ID}", "", None, "garbage"], dtype=object))
    assert list(ids) == [ID, None, None, None]
    assert list(invalid) == [False, False, False, True]
