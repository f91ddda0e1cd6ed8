"""Old messages after a rebuild: a stored answer or a button made from another build never answers for
whatever song now sits in the row it named; it says the catalogue changed."""

from __future__ import annotations

from pathlib import Path

from bot.chat.core import KpopCore
from bot.chat.replies import AnswerKind, Sender
from bot.storage.catalogue_store import save_build
from recommender.catalogue.catalogue import Catalogue, ImportReport
from recommender.catalogue.synthetic import make_catalogue
from recommender.ranking.neighbours import build_tables
from tests.support.fixtures.core import CoreFactory, small_catalogue

ALICE = Sender("test", "alice", "chat-1")


def reordered(catalogue: Catalogue) -> Catalogue:
    """The same kind of catalogue with its rows in another order and a song more: every id means another song."""
    songs = catalogue.songs
    names = catalogue.artists["name"].to_numpy()
    rows = [(str(t), str(names[a]), bool(k), float(p)) for t, a, k, p in
            zip(songs["title"], songs["artist_id"], songs["korean"], songs["popularity"], strict=True)]
    return make_catalogue([("Asi Yo Soy", "Zaturno", False, 40.0), *reversed(rows)], seed=3)


async def rebuilt(make_core: CoreFactory, core: KpopCore, tmp_path: Path) -> KpopCore:
    """Rebuild the core's database from another catalogue, and start a new core on it (a restart)."""
    other = reordered(small_catalogue())
    await save_build(core.history.engine, other, build_tables(other, "global", k_songs=20, k_artists=20),
                     sources=["other"], report=ImportReport())
    return await make_core(database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")


async def test_more_on_an_answer_from_before_a_rebuild_says_the_catalogue_changed(
    make_core: CoreFactory, tmp_path: Path
) -> None:
    before = await make_core(database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    answer = await before.recommend(ALICE, "Blinding Lights")
    assert answer.kind == AnswerKind.PICKS and answer.recommendation_id
    after = await rebuilt(make_core, before, tmp_path)
    assert after.library.stamp != before.library.stamp

    more = await after.more(ALICE, answer.recommendation_id)

    assert more.kind == AnswerKind.ERROR and "catalogue changed" in more.text
    assert (await after.recommend(ALICE, "Blinding Lights")).kind == AnswerKind.PICKS  # asking again works


async def test_a_did_you_mean_choice_from_before_a_rebuild_is_refused(make_core: CoreFactory, tmp_path: Path) -> None:
    before = await make_core(database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    unsure = await before.recommend(ALICE, "Stai")
    assert unsure.kind == AnswerKind.DID_YOU_MEAN and unsure.catalogue == before.library.stamp
    choice = unsure.suggestions[0]
    after = await rebuilt(make_core, before, tmp_path)

    stale = await after.choose(ALICE, choice.kind, choice.id, "Stai", catalogue=unsure.catalogue)
    legacy = await after.choose(ALICE, choice.kind, choice.id, "Stai", catalogue=None)  # a button without a stamp

    assert stale.kind == legacy.kind == AnswerKind.ERROR and "catalogue changed" in stale.text
    fresh = await after.recommend(ALICE, "Stai")
    chosen = await after.choose(ALICE, fresh.suggestions[0].kind, fresh.suggestions[0].id, "Stai",
                                catalogue=fresh.catalogue)
    assert chosen.kind == AnswerKind.PICKS and chosen.match == fresh.suggestions[0]


async def test_votes_on_an_answer_from_before_a_rebuild_still_count(make_core: CoreFactory, tmp_path: Path) -> None:
    before = await make_core(database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    answer = await before.recommend(ALICE, "Blinding Lights")
    assert answer.recommendation_id
    after = await rebuilt(make_core, before, tmp_path)
    voted = await after.vote(ALICE, answer.recommendation_id, 1, pick_rank=1)
    assert voted.kind == AnswerKind.INFO  # picks are stored by song key, which outlives the rebuild
    counted = await after.history.votes.shown_song_votes([answer.recommendation_id])
    assert counted[before.library.song_key(answer.picks[0].song_id)].up == 1
