"""The core end to end: real matcher, recommender, Alembic and storage (SQLite and PostgreSQL), through public methods only."""

from __future__ import annotations

import asyncio
from functools import partial

import pytest
from sqlalchemy import func, select, text

from bot.chat.core import KpopCore
from bot.chat.messages import HELP_TEXT
from bot.chat.experiment import ARM_RANDOM, ARM_RECOMMENDER
from bot.storage.vote_log import SongVotes
from bot.chat.render import to_json, to_text
from bot.chat.replies import AnswerKind, Sender
from bot.storage.models import Feedback, Recommendation
from tests.support.fixtures.core import CoreFactory
from recommender.catalogue.synthetic import make_catalogue


@pytest.fixture
def make_core(make_core: CoreFactory, any_database_url: str) -> CoreFactory:
    """Every core in this module is made once on SQLite and once on PostgreSQL."""
    return partial(make_core, database_url=any_database_url)


ALICE = Sender("test", "alice", "chat-1")
BOB = Sender("test", "bob", "chat-1")


async def count(core: KpopCore, model: type) -> int:
    async with core.history.engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(model))).scalar_one()


def korean_titles(core: KpopCore, answer) -> list[str]:  # type: ignore[no-untyped-def]
    songs = core.library.catalogue.songs
    assert all(bool(songs.at[p.song_id, "korean"]) for p in answer.picks)
    return [p.title for p in answer.picks]


async def test_a_song_gets_three_korean_picks_from_three_artists(core: KpopCore) -> None:
    answer = await core.handle_text(ALICE, "/kpop Blinding Lights")
    assert answer.kind == AnswerKind.PICKS
    assert answer.match is not None and (answer.match.title, answer.match.artist) == ("Blinding Lights", "The Weeknd")
    assert len(korean_titles(core, answer)) == 3
    assert len({p.artist for p in answer.picks}) == 3
    assert [p.rank for p in answer.picks] == [1, 2, 3]
    assert all(p.reason and p.youtube_url.startswith("https://www.youtube.com/") for p in answer.picks)
    assert answer.recommendation_id is not None and await count(core, Recommendation) == 1
    data = to_json(answer)
    assert data["match"] == {"kind": "song", "title": "Blinding Lights", "artist": "The Weeknd", "korean": False}
    assert [set(p) for p in data["picks"]] == [{"title", "artist", "spotify_url", "youtube_url", "distance", "reason"}] * 3
    assert "If you like Blinding Lights" in to_text(answer)


async def test_typos_artists_and_hangul_resolve(core: KpopCore) -> None:
    assert (await core.recommend(ALICE, "blinding lites")).match.title == "Blinding Lights"  # type: ignore[union-attr]
    artist = await core.recommend(ALICE, "TAYLOR SWIFT")
    assert artist.match is not None and (artist.match.kind, artist.match.title) == ("artist", "Taylor Swift")
    korean = await core.recommend(ALICE, "방탄소년단")
    assert korean.kind == AnswerKind.PICKS and korean.match is not None and korean.match.title == "BTS"
    assert any("already K-pop" in note for note in korean.notes)
    assert "BTS" not in {p.artist for p in korean.picks}


async def test_unknown_weak_and_empty_queries_get_friendly_answers(core: KpopCore) -> None:
    unknown = await core.recommend(ALICE, "qwertyuiop zxcvbnm")
    assert unknown.kind == AnswerKind.NOT_FOUND and "don't know that one yet" in unknown.text
    assert unknown.picks == () and unknown.recommendation_id is None
    for empty in ("", "   ", "\u200b\u200f\u202e"):
        answer = await core.recommend(ALICE, empty)
        assert answer.kind == AnswerKind.ERROR and "/kpop Blinding Lights" in answer.text
    long = await core.recommend(ALICE, "Blinding Lights " + "x" * 10_000)
    assert any("first 100 characters" in note for note in long.notes)


async def test_a_title_several_artists_share_is_answered_with_a_word_on_the_others(make_core: CoreFactory) -> None:
    korean = [(f"Song {n}", f"Act {n}", True, 60.0) for n in range(4)]
    core = await make_core(make_catalogue([("Stay", "Zedd", False, 79.0), ("Stay", "Post Malone", False, 78.0), *korean]))
    answer = await core.recommend(Sender("test", "ann", "c"), "stay")
    assert answer.kind == AnswerKind.PICKS and answer.match is not None and answer.match.artist == "Zedd"
    assert answer.notes == (
        "Another song called \u201cStay\u201d is by Post Malone: add the artist to ask for it (\u201cStay Post Malone\u201d).",
    )
    chosen = await core.recommend(Sender("test", "ann", "c"), "Stay Post Malone")
    assert chosen.match is not None and chosen.match.artist == "Post Malone" and chosen.notes == ()


async def test_control_characters_never_reach_the_database(core: KpopCore) -> None:
    answer = await core.recommend(ALICE, "Blinding\x00Lights\x07")  # PostgreSQL refuses NUL in text
    assert answer.kind == AnswerKind.PICKS and answer.recommendation_id is not None
    assert not answer.notes  # recorded, no "couldn't save"


async def test_did_you_mean_then_choosing(core: KpopCore) -> None:
    answer = await core.recommend(ALICE, "Stai")
    assert answer.kind == AnswerKind.DID_YOU_MEAN
    assert 1 <= len(answer.suggestions) <= 3
    choice = answer.suggestions[0]
    chosen = await core.choose(ALICE, choice.kind, choice.id, query="Stai", catalogue=answer.catalogue)
    assert chosen.kind == AnswerKind.PICKS and chosen.match == choice
    gone = await core.choose(ALICE, "song", 10_000, catalogue=answer.catalogue)
    assert gone.kind == AnswerKind.ERROR and "catalogue changed" in gone.text


async def test_help_and_commands(core: KpopCore) -> None:
    for text_in in ("/kpop", "/help", "/start", "/kpop help", "/kpop@kpop_bot"):
        answer = await core.handle_text(ALICE, text_in)
        assert answer.kind == AnswerKind.HELP and answer.text == HELP_TEXT
    assert len(HELP_TEXT.splitlines()) == 3
    unknown = await core.handle_text(ALICE, "/frobnicate now")
    assert unknown.kind == AnswerKind.ERROR and "/frobnicate" in unknown.text


async def test_more_walks_on_to_unseen_picks(core: KpopCore) -> None:
    first = await core.recommend(ALICE, "Blinding Lights")
    assert first.recommendation_id is not None
    second = await core.more(ALICE, first.recommendation_id)
    assert second.kind == AnswerKind.PICKS
    assert [p.rank for p in second.picks] == [4, 5, 6]
    assert not {p.song_id for p in first.picks} & {p.song_id for p in second.picks}
    via_text = await core.handle_text(ALICE, "/kpop more")
    assert via_text.kind == AnswerKind.PICKS and [p.rank for p in via_text.picks] == [7, 8, 9]
    fresh = await core.handle_text(BOB, "/kpop more")
    assert fresh.kind == AnswerKind.INFO  # Bob asked nothing yet


async def test_more_pages_on_from_the_last_page_shown_there(core: KpopCore) -> None:
    first = await core.recommend(ALICE, "Blinding Lights")
    assert first.recommendation_id is not None
    again = await core.more(ALICE, first.recommendation_id)
    # the first answer's button again, twice at once (a double click)
    at_once = await asyncio.gather(*(core.more(ALICE, first.recommendation_id) for _ in range(2)))
    bobs = await core.more(BOB, first.recommendation_id)  # in the same chat, on Alice's answer

    pages = [[p.rank for p in answer.picks] for answer in (again, *at_once)]
    assert sorted(pages) == [[4, 5, 6], [7, 8, 9], [10, 11, 12]]
    shown = [p.song_id for answer in (first, again, *at_once) for p in answer.picks]
    assert len(shown) == len(set(shown)) == 12  # never the same pick twice
    assert [p.rank for p in bobs.picks] == [4, 5, 6]  # Bob's pages are his own


async def test_more_and_votes_reach_no_answer_of_another_chat(core: KpopCore) -> None:
    private = await core.recommend(ALICE, "Taylor Swift")
    assert private.recommendation_id is not None
    elsewhere = Sender("test", "mallory", "chat-2")
    refused = await core.more(elsewhere, private.recommendation_id)
    assert refused.kind == AnswerKind.ERROR and refused.text == "I can't find that answer any more. Please ask again."
    await core.attach_message(private.recommendation_id, "msg-1")
    assert await core.vote_on_message(elsewhere, "msg-1", -1) is None
    assert await count(core, Recommendation) == 1 and await count(core, Feedback) == 0


async def test_answers_move_with_a_chat_that_changed_its_id(core: KpopCore) -> None:
    first = await core.recommend(ALICE, "Blinding Lights")
    assert first.recommendation_id is not None
    await core.attach_message(first.recommendation_id, "msg-9")
    await core.move_chat("test", "chat-1", "chat-9")
    moved = Sender("test", "alice", "chat-9")

    more = await core.handle_text(moved, "/kpop more")
    assert more.kind == AnswerKind.PICKS and [p.rank for p in more.picks] == [4, 5, 6]
    assert await core.vote_on_message(Sender("test", "bob", "chat-9"), "msg-9", 1) is not None
    assert (await core.handle_text(ALICE, "/kpop more")).kind == AnswerKind.INFO  # nothing left in the old id


@pytest.mark.parametrize(("cleared", "left"), [(None, []), (1, [-1]), (-1, [1])])
async def test_cleared_reactions_take_back_the_votes_they_gave(
    core: KpopCore, cleared: int | None, left: list[int]
) -> None:
    answer = await core.recommend(ALICE, "Perfect")
    assert answer.recommendation_id is not None
    await core.attach_message(answer.recommendation_id, "msg-5")
    await core.vote_on_message(ALICE, "msg-5", 1)
    await core.vote_on_message(BOB, "msg-5", -1)
    await core.vote(BOB, answer.recommendation_id, 1, pick_rank=2)  # a vote on one pick is no reaction's

    await core.reactions_cleared("test", "chat-1", "msg-5", cleared)
    await core.reactions_cleared("test", "chat-1", "not-ours", cleared)

    async with core.history.engine.connect() as conn:
        rows = await conn.execute(select(Feedback.pick_rank, Feedback.vote).order_by(Feedback.pick_rank, Feedback.vote))
    assert [tuple(row) for row in rows] == [(0, vote) for vote in left] + [(2, 1)]


async def test_votes_are_one_row_per_person_and_pick(core: KpopCore) -> None:
    answer = await core.recommend(ALICE, "Shape of You")
    rec = answer.recommendation_id
    assert rec is not None
    for vote in (1, 1, -1):  # repeated and changed: still one row
        await core.vote(ALICE, rec, vote)
    await core.vote(ALICE, rec, 1, pick_rank=2)
    await core.vote(BOB, rec, 1)
    assert await count(core, Feedback) == 3
    async with core.history.engine.connect() as conn:
        votes = dict((await conn.execute(text("select user_id || ':' || pick_rank, vote from feedback"))).all())
    assert votes == {"alice:0": -1, "alice:2": 1, "bob:0": 1}
    await core.vote(ALICE, rec, 0)  # a removed reaction clears the vote
    assert await count(core, Feedback) == 2


async def test_reactions_find_their_answer_by_message(core: KpopCore) -> None:
    answer = await core.recommend(ALICE, "Perfect")
    assert answer.recommendation_id is not None
    await core.attach_message(answer.recommendation_id, "msg-42")
    assert (await core.vote_on_message(BOB, "msg-42", 1)) is not None
    assert await core.vote_on_message(BOB, "not-ours", 1) is None
    assert await core.vote_on_message(Sender("test", "bob", "other-chat"), "msg-42", 1) is None
    assert await count(core, Feedback) == 1


async def feedback_votes(core: KpopCore) -> list[int]:
    async with core.history.engine.connect() as conn:
        return list((await conn.execute(select(Feedback.vote))).scalars())


async def test_a_retracted_reaction_clears_only_the_vote_it_gave(core: KpopCore) -> None:
    answer = await core.recommend(ALICE, "Perfect")
    assert answer.recommendation_id is not None
    await core.attach_message(answer.recommendation_id, "msg-7")

    await core.vote_on_message(BOB, "msg-7", 1)
    await core.vote_on_message(BOB, "msg-7", -1)  # switched to 👎 while the 👍 is still there
    kept = await core.retract_on_message(BOB, "msg-7", 1)  # ... then took the 👍 away
    assert kept is not None and kept.kind == AnswerKind.INFO
    assert await feedback_votes(core) == [-1]
    assert await core.retract_on_message(BOB, "msg-7", -1) is not None
    assert await feedback_votes(core) == []
    assert await core.retract_on_message(BOB, "not-ours", -1) is None


async def test_retractions_committed_with_votes_keep_their_order(core: KpopCore) -> None:
    answer = await core.recommend(ALICE, "Perfect")
    rec, votes = answer.recommendation_id, core.history.votes
    assert rec is not None
    key = ("test", "bob", rec, 0)
    await asyncio.gather(votes.vote(*key, 1), votes.vote(*key, -1), votes.retract(*key, 1))
    assert await feedback_votes(core) == [-1]
    await asyncio.gather(votes.retract(*key, 1), votes.retract(*key, -1))  # of the stored vote
    assert await feedback_votes(core) == []
    await asyncio.gather(votes.vote(*key, -1), votes.retract(*key, -1), votes.vote(*key, 1))
    assert await feedback_votes(core) == [1]
    await asyncio.gather(votes.vote(*key, -1), votes.retract(*key, -1))
    assert await feedback_votes(core) == []


async def test_a_disliked_pick_never_comes_back_and_seen_ones_come_last(core: KpopCore) -> None:
    first = await core.recommend(ALICE, "Bad Guy")
    assert first.recommendation_id is not None
    disliked = first.picks[0].song_id
    await core.vote(ALICE, first.recommendation_id, -1, pick_rank=1)
    again = await core.recommend(ALICE, "Bad Guy")
    assert not {p.song_id for p in again.picks} & {p.song_id for p in first.picks}  # unseen first
    for _ in range(4):  # keep asking until unseen songs run out: the 👎 one still never returns
        answer = await core.recommend(ALICE, "Bad Guy")
        assert disliked not in {p.song_id for p in answer.picks}
    bob = await core.recommend(BOB, "Bad Guy")
    assert [p.song_id for p in bob.picks] == [p.song_id for p in first.picks]  # others are unaffected


async def test_a_whole_answer_voted_down_hides_all_its_picks(core: KpopCore) -> None:
    first = await core.recommend(ALICE, "Starboy")
    assert first.recommendation_id is not None
    await core.vote(ALICE, first.recommendation_id, -1)
    shown_later = set()
    for _ in range(5):
        shown_later |= {p.song_id for p in (await core.recommend(ALICE, "Starboy")).picks}
    assert not shown_later & {p.song_id for p in first.picks}


async def test_a_song_many_people_dislike_sinks_for_everyone(core: KpopCore) -> None:
    top = (await core.recommend(Sender("test", "probe", "c"), "Love Story")).picks[0].song_id

    async def dislike_top(user: str) -> None:
        answer = await core.recommend(Sender("test", user, "c"), "Love Story")
        assert answer.picks[0].song_id == top and answer.recommendation_id is not None
        await core.vote(Sender("test", user, "c"), answer.recommendation_id, -1, pick_rank=1)

    for user in ("u1", "u2"):
        await dislike_top(user)
    # two people are not enough (the policy needs three)
    assert (await core.recommend(Sender("test", "new-1", "c"), "Love Story")).picks[0].song_id == top
    await dislike_top("u3")
    sunk = await core.recommend(Sender("test", "new-2", "c"), "Love Story")
    assert top not in {p.song_id for p in sunk.picks}


async def test_votes_are_counted_per_song_and_person_for_all_songs_or_those_of_some_answers(core: KpopCore) -> None:
    first = await core.recommend(ALICE, "Love Story")
    second = await core.recommend(BOB, "Love Story")
    assert first.recommendation_id and second.recommendation_id
    keys = [core.library.song_key(p.song_id) for p in first.picks]
    await core.vote(ALICE, first.recommendation_id, -1)  # the whole answer: every pick down
    await core.vote(ALICE, first.recommendation_id, -1, pick_rank=1)  # the same person again: counts once
    await core.vote(BOB, second.recommendation_id, 1, pick_rank=1)

    counted = await core.history.votes.shown_song_votes([first.recommendation_id])
    everything, _ = await core.history.votes.song_votes()

    assert set(counted) == set(keys)  # every song of the answer, voted or not
    assert [counted[key].down for key in keys] == [1, 1, 1]  # Alice's two votes on pick 1 count once
    bob_pick = core.library.song_key(second.picks[0].song_id)
    assert counted.get(bob_pick, everything[bob_pick]).up == 1
    assert all(everything[key] == votes for key, votes in counted.items() if votes != SongVotes())
    assert await core.history.votes.shown_song_votes([]) == {}
    unvoted = await core.recommend(Sender("test", "carol", "c"), "Blinding Lights")
    assert unvoted.recommendation_id
    fresh = await core.history.votes.shown_song_votes([unvoted.recommendation_id])
    assert set(fresh) == {core.library.song_key(p.song_id) for p in unvoted.picks}  # present though unvoted
    assert all(votes == everything.get(key, SongVotes()) for key, votes in fresh.items())


async def test_forget_deletes_everything_about_one_person(core: KpopCore) -> None:
    mine = await core.recommend(ALICE, "Anti-Hero")
    theirs = await core.recommend(BOB, "Anti-Hero")
    assert mine.recommendation_id and theirs.recommendation_id
    await core.vote(ALICE, mine.recommendation_id, 1)
    await core.vote(ALICE, theirs.recommendation_id, -1)
    answer = await core.handle_text(ALICE, "/kpop forget")
    # Alice's recommendation, its 3 picks and her 2 votes
    assert answer.kind == AnswerKind.INFO and "deleted 6 rows" in answer.text
    assert await count(core, Recommendation) == 1 and await count(core, Feedback) == 0
    assert "deleted 0 rows" in (await core.forget(ALICE)).text


async def test_rate_limit_is_per_person(make_core: CoreFactory) -> None:
    core = await make_core(KPOP_RATE_LIMIT_COUNT=3, KPOP_RATE_LIMIT_SECONDS=60)
    kinds = [(await core.recommend(ALICE, "Perfect")).kind for _ in range(4)]
    assert kinds == [AnswerKind.PICKS] * 3 + [AnswerKind.RATE_LIMITED]
    assert (await core.recommend(BOB, "Perfect")).kind == AnswerKind.PICKS


async def test_experiment_arms_are_stored_and_random_picks_are_korean(make_core: CoreFactory) -> None:
    core = await make_core(KPOP_EXPERIMENT=True, KPOP_RANDOM_SHARE=0.5)
    arms = {}
    for n in range(30):
        sender = Sender("test", f"user-{n}", "c")
        answer = await core.recommend(sender, "Blinding Lights")
        assert answer.kind == AnswerKind.PICKS and len(korean_titles(core, answer)) == 3
        arms[sender.user_id] = core.arm(sender)
    assert set(arms.values()) == {ARM_RANDOM, ARM_RECOMMENDER}
    async with core.history.engine.connect() as conn:
        stored = dict((await conn.execute(text("select user_id, arm from recommendations"))).all())
    assert stored == arms


async def test_answers_survive_a_broken_database(core: KpopCore) -> None:
    await core.history.engine.dispose()
    async with core.history.engine.begin() as conn:
        await conn.execute(text("drop table feedback"))
        await conn.execute(text("drop table recommendation_picks"))
        await conn.execute(text("drop table recommendations"))
    answer = await core.recommend(ALICE, "Blinding Lights")
    assert answer.kind == AnswerKind.PICKS and len(answer.picks) == 3
    assert answer.recommendation_id is None
    assert any("couldn't save" in note for note in answer.notes)
    vote = await core.vote(ALICE, 1, 1)
    assert vote.kind == AnswerKind.ERROR and "try again" in vote.text
