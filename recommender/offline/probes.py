"""Probe tastes: western artists whose genre the public data states plainly, and what the bot first answers them.

A ranking is judged as a new person would judge it: someone who names a metal band, a jazz singer, a
rapper, an R&B singer or a DJ and reads the first three picks. The probe artists are chosen from the
data, never by hand: for each genre family, the best-known western artists of the build (most songs,
then popularity) whose evidence (Spotify genres and listeners' tags, see
:mod:`recommender.ranking.signals.genre_profiles`) puts more than :data:`CLEAR_SHARE` of their profile in
that family. So the set follows the catalogue it is run on, and nobody's opinion of single names.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from recommender.catalogue.catalogue import Catalogue
from recommender.offline.beyond_accuracy import best_known_western
from recommender.ranking.picks import Recommender
from recommender.ranking.signals.genre_profiles import CLEAR_SHARE, GenreProfiles

__all__ = ["PROBE_FAMILIES", "Probe", "ProbeAnswer", "ProbeFigures", "probe_artists", "ask", "figures"]

#: The tastes probed; families the bridge knows (recommender/data/genre_bridge.csv).
PROBE_FAMILIES = ("rock", "hip hop", "R&B", "electronic", "folk", "jazz", "indie", "pop")


@dataclass(frozen=True)
class Probe:
    family: str
    artist_id: int
    name: str


@dataclass(frozen=True)
class ProbeAnswer:
    probe: Probe
    picks: tuple[tuple[int, str, str, str], ...]  # (Korean artist id, act, title, reason) of the first answer


@dataclass(frozen=True)
class ProbeFigures:
    answers: int
    distinct_acts: int
    top_act: str
    top_act_share: float  # share of answers holding the most frequent act
    in_family: float  # share of picks whose profile holds the probe's family (sound-inferred for most acts)


def probe_artists(catalogue: Catalogue, profiles: GenreProfiles, per_family: int = 3) -> list[Probe]:
    """Up to ``per_family`` probes per family of :data:`PROBE_FAMILIES`, best known first."""
    ranked = best_known_western(catalogue, len(catalogue.artists))
    names = catalogue.artists["name"].tolist()
    column = {family: j for j, family in enumerate(profiles.families)}
    probes = []
    for family in PROBE_FAMILIES:
        if family not in column:
            continue
        share = profiles.evidence[ranked, column[family]]
        clear = ranked[share > CLEAR_SHARE]  # more than half of the evidence: one family, plainly
        probes.extend(Probe(family, int(a), names[a]) for a in clear[:per_family])
    return probes


def ask(recommender: Recommender, probes: list[Probe], count: int = 3) -> list[ProbeAnswer]:
    """Each probe's first answer, as a new person with no history gets it."""
    catalogue = recommender.model.catalogue
    names, titles = catalogue.artists["name"].tolist(), catalogue.songs["title"].tolist()
    artist_of = recommender.model.artist_of
    return [
        ProbeAnswer(probe, tuple(
            (int(artist_of[c.song_id]), names[artist_of[c.song_id]], titles[c.song_id], c.reason)
            for c in recommender.for_artist(probe.artist_id, count=count)
        ))
        for probe in probes
    ]


def figures(answers: list[ProbeAnswer], profiles: GenreProfiles) -> ProbeFigures:
    """Aggregate diversity of the answers, and how many picks belong to the probe's family."""
    holding = Counter(act for a in answers for act in {p[1] for p in a.picks})
    top, count = holding.most_common(1)[0] if holding else ("", 0)
    fitting = [a.probe.family in profiles.members(p[0]) for a in answers for p in a.picks]
    return ProbeFigures(
        answers=len(answers),
        distinct_acts=len(holding),
        top_act=top,
        top_act_share=count / len(answers) if answers else 0.0,
        in_family=float(np.mean(fitting)) if fitting else float("nan"),
    )
