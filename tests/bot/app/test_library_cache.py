"""A later start loads the fit kept with its build instead of reading the build and fitting it again."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.app.config import load_settings
from bot.app.library_cache import fitted_folder
from bot.app.runtime import open_core
from bot.chat.library import Library
from bot.chat.replies import AnswerKind, Sender
from bot.storage.catalogue_store import load_build_header, save_blend
from bot.storage.engine import database
from recommender.matching.matcher import Matcher
from recommender.ranking.blend import BlendWeights, TunedBlend
from tests.support.fixtures.catalogue import CsvWriter, command_line_catalogue

KOREAN = [("IU", "Blueming"), ("BTS", "Dynamite"), ("BTS", "Butter"), ("TWICE", "Fancy"), ("Red Velvet", "Psycho")]
WESTERN = [("The Weeknd", "Blinding Lights"), ("Adele", "Hello")]
ANN = Sender("cli", "ann", "cli")


@pytest.fixture
def settings(csvs: CsvWriter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    source = command_line_catalogue(csvs, tmp_path / "state", monkeypatch, KOREAN, WESTERN)
    return load_settings(KPOP_SOURCES=str(source), KPOP_EXPERIMENT=False)


async def _ask(settings, query: str = "Blinding Lights"):  # type: ignore[no-untyped-def]
    async with open_core(settings) as core:
        return core, await core.recommend(ANN, query, record=False)


async def test_the_first_start_keeps_the_fit_and_the_next_loads_it(settings, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    _, first = await _ask(settings)
    kept = list((settings.data_dir / "fitted").iterdir())
    assert len(kept) == 1 and (kept[0] / "objects.pickle").exists()

    def no_fitting(*args: object, **kwargs: object) -> None:
        raise AssertionError("a later start must not fit the matcher again")

    monkeypatch.setattr(Matcher, "fit", no_fitting)
    core, later = await _ask(settings)
    assert later == first and later.kind == AnswerKind.PICKS
    async with database(settings.resolved_database_url) as engine:
        header = await load_build_header(engine)
    assert header is not None and core.library.info == header[0]


async def test_weights_tuned_after_the_fit_was_kept_are_used(settings) -> None:  # type: ignore[no-untyped-def]
    await _ask(settings)
    weights = BlendWeights(audio=0.0, popularity=1.0, genre=0.0, colistening=0.0)
    async with database(settings.resolved_database_url) as engine:
        header = await load_build_header(engine)
        assert header is not None
        await save_blend(engine, header[0].id, TunedBlend(weights, ("x.csv",), 1, 0.5, datetime.now(timezone.utc)))
    core, _ = await _ask(settings)
    assert core.library.recommender.blend.weights == weights


async def test_a_damaged_fit_is_fitted_again(settings) -> None:  # type: ignore[no-untyped-def]
    await _ask(settings)
    [kept] = list((settings.data_dir / "fitted").iterdir())
    (kept / "objects.pickle").write_bytes(b"not a pickle")
    _, answer = await _ask(settings)
    assert answer.kind == AnswerKind.PICKS  # answered all the same, from a new fit, kept again
    async with database(settings.resolved_database_url) as engine:
        header = await load_build_header(engine)
    assert header is not None
    assert Library.load(fitted_folder(settings.data_dir, header[0]), header[0], None).info == header[0]
