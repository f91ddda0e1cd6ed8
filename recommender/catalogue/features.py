"""Put the eleven audio features on one scale so Euclidean distance means something.

Raw Spotify features live on different ranges (tempo in BPM, loudness in dB,
most others in 0..1), so without scaling tempo alone would decide every
neighbour. Each feature is standardised (zero mean, unit variance).

Two ways to choose what to standardise against, both kept because they answer
different questions and the A/B test is how we learn which one people prefer:

``"global"``
    One scaler fitted on Korean and western songs together. A distance then
    compares absolute sound: a quiet acoustic western ballad is matched with
    K-pop that is quiet and acoustic in absolute terms. This is the default
    because it keeps "close" meaning "sounds alike".

``"per-side"``
    One scaler per side, as the original project did. Each song is placed
    relative to its own side: K-pop is on average louder and more energetic
    than the western catalogue, and per-side scaling removes that offset, so a
    western song that is energetic *for western music* meets K-pop that is
    energetic *for K-pop*. It spreads picks over more of the Korean catalogue
    when the sides differ systematically, at the cost of absolute likeness.
"""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np

from recommender.catalogue.catalogue import Catalogue

__all__ = ["Scaling", "SCALINGS", "scale_features"]

Scaling = Literal["global", "per-side"]
SCALINGS: tuple[str, ...] = get_args(Scaling)


def scale_features(catalogue: Catalogue, scaling: Scaling) -> np.ndarray:
    """Standardised features, float32, shape (n_songs, 11), rows in song_id order.

    float32 halves memory and is what the neighbour search is fastest on; the
    scaling statistics themselves are computed by scikit-learn with float64
    accumulators, so precision is not lost where it matters.
    """
    if scaling not in SCALINGS:
        raise ValueError(f"unknown scaling {scaling!r}; choose one of {', '.join(SCALINGS)}")
    raw = catalogue.features.astype(np.float32)
    if scaling == "global":
        return _standardise(raw)
    scaled = np.empty_like(raw)
    korean = catalogue.korean_mask
    for side in (korean, ~korean):
        if side.any():  # a catalogue may hold one side only (e.g. a Korean-only test set)
            scaled[side] = _standardise(raw[side])
    return scaled


def _standardise(x: np.ndarray) -> np.ndarray:
    from sklearn.preprocessing import StandardScaler  # at build and fit time only: a start need not import it

    # A constant feature gets scale 1 from StandardScaler, so it becomes 0, not NaN.
    return StandardScaler().fit_transform(x).astype(np.float32, copy=False)
