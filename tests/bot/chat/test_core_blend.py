"""The blend through the core: the recommender arm follows the build's signals and everyone's votes; random stays random."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from bot.chat.core import KpopCore
from bot.chat.replies import Answer, AnswerKind, Sender
from bot.storage.catalogue_store import load_build, save_blend
from recommender.ranking.blend import BlendWeights, TunedBlend
from recommender.ranking.reasons import BEST_KNOWN
from tests.support.blend import blend_catalogue, friend_playlists
from tests.support.fixtures.core import CoreFactory

COLISTENING = TunedBlend(BlendWeights.only("colistening"), ("l.csv",), 2, 0.5, datetime(2026, 11, 21, tzinfo=timezone.utc))


def artists(answer: Answer) -> list[str]:
    return [p.artist for p in answer.picks]


async def tuned_core(make_core: CoreFactory, tmp_path: Path, name: str, **settings: object) -> KpopCore:
    """A core over the blend catalogue with playlists and weights tuned to co-listening (as ``kpop-bot tune`` stores)."""
    url = f"sqlite+aiosqlite:///{tmp_path / name}"
    catalogue = blend_catalogue()
    core = await make_core(catalogue, database_url=url, playlists=friend_playlists(catalogue))
    stored = await load_build(core.history.engine)
    assert stored is not None
    await save_blend(core.history.engine, stored.info.id, COLISTENING)
    return await make_core(catalogue, database_url=url, **settings)  # a restart loads the tuned build


async def test_the_recommender_arm_answers_with_the_builds_signals_and_weights(
    make_core: CoreFactory, tmp_path: Path
) -> None:
    plain = await make_core(blend_catalogue(), database_url=f"sqlite+aiosqlite:///{tmp_path / 'plain.db'}")
    untuned = await plain.recommend(Sender("test", "ann", "c"), "Query song")
    assert untuned.kind == AnswerKind.PICKS and artists(untuned)[0] == "Famous"
    assert untuned.picks[0].reason.endswith(f"; {BEST_KNOWN}")  # what it shares with the query, then its fame

    core = await tuned_core(make_core, tmp_path, "tuned.db")
    tuned = await core.recommend(Sender("test", "ann", "c"), "Query song")
    assert artists(tuned)[0] == "Friend" and tuned.picks[0].reason == "popular with fans of Query Artist"
    by_artist = await core.recommend(Sender("test", "bob", "c"), "Query Artist")
    assert artists(by_artist)[0] == "Friend"


async def test_the_random_arm_ignores_every_signal(make_core: CoreFactory, tmp_path: Path) -> None:
    core = await tuned_core(make_core, tmp_path, "random.db", KPOP_EXPERIMENT=True, KPOP_RANDOM_SHARE=1.0)
    firsts, reasons = set(), set()
    for n in range(25):
        answer = await core.recommend(Sender("test", f"user-{n}", "c"), "Query song")
        assert answer.kind == AnswerKind.PICKS
        firsts.add(artists(answer)[0])
        reasons |= {p.reason for p in answer.picks}
    assert len(firsts) >= 4  # the co-listened act would come first every time in the other arm
    assert not any(r.startswith("popular with fans") or BEST_KNOWN in r for r in reasons)


async def test_enough_peoples_thumbs_up_move_a_song_up_for_everyone_else(make_core: CoreFactory) -> None:
    core = await make_core()
    core.feedback.ranking.refresh_seconds = 0.0  # see the next test for the delay
    baseline = await core.recommend(Sender("test", "probe", "c"), "Blinding Lights")
    third = baseline.picks[2]

    async def like_third(user: str) -> None:
        sender = Sender("test", user, "c")
        answer = await core.recommend(sender, "Blinding Lights")
        assert answer.recommendation_id is not None
        rank = next(p.rank for p in answer.picks if p.song_id == third.song_id)
        await core.vote(sender, answer.recommendation_id, 1, pick_rank=rank)

    for user in ("u1", "u2"):
        await like_third(user)
    # Two people do not change what everyone sees.
    unchanged = await core.recommend(Sender("test", "new-1", "c"), "Blinding Lights")
    assert [p.song_id for p in unchanged.picks] == [p.song_id for p in baseline.picks]
    await like_third("u3")
    moved = await core.recommend(Sender("test", "new-2", "c"), "Blinding Lights")
    assert [p.song_id for p in moved.picks].index(third.song_id) < 2


async def test_votes_move_the_ranking_at_most_every_few_seconds(make_core: CoreFactory) -> None:
    core = await make_core()
    core.feedback.ranking.refresh_seconds = 3600.0
    baseline = await core.recommend(Sender("test", "probe", "c"), "Blinding Lights")
    third = baseline.picks[2]
    for user in ("u1", "u2", "u3"):
        sender = Sender("test", user, "c")
        answer = await core.recommend(sender, "Blinding Lights")
        assert answer.recommendation_id is not None
        rank = next(p.rank for p in answer.picks if p.song_id == third.song_id)
        await core.vote(sender, answer.recommendation_id, 1, pick_rank=rank)
    held = await core.recommend(Sender("test", "new-1", "c"), "Blinding Lights")
    assert [p.song_id for p in held.picks] == [p.song_id for p in baseline.picks]  # not yet: refreshed recently
    core.feedback.ranking.refresh_seconds = 0.0
    moved = await core.recommend(Sender("test", "new-2", "c"), "Blinding Lights")
    assert [p.song_id for p in moved.picks].index(third.song_id) < 2
