"""The code keeps its layout (tests/support/architecture.py), and the checker catches each planted violation."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.architecture import MAX_BOT_LINES, check, cycles, scan

REPO = Path(__file__).resolve().parent.parent

#: A tiny tree that keeps every rule: each planted violation below adds to it.
CLEAN = {
    "bot/__init__.py": "",
    "bot/app/__init__.py": "",
    "bot/app/wiring.py": "from adapters.chat import serve\nfrom bot.chat.core import Core\n",
    "bot/chat/__init__.py": "",
    "bot/chat/core.py": "from bot.storage.log import Log\nfrom recommender.ranking.rank import rank\n\nclass Core: ...\n",
    "bot/storage/__init__.py": "",
    "bot/storage/log.py": (
        "from sqlalchemy import select, text\n\nclass Log:\n    def read(self, conn):\n"
        "        return conn.execute(select(1)), text('select 1')\n"
    ),
    "recommender/__init__.py": "",
    "recommender/ranking/__init__.py": "",
    "recommender/ranking/rank.py": "from .signals.audio import near\n\ndef rank(): return near()\n",
    "recommender/ranking/signals/__init__.py": "",
    "recommender/ranking/signals/audio.py": "def near(): return 1\n",
    "adapters/__init__.py": "",
    "adapters/chat.py": "from bot.chat.core import Core\n\nasync def serve(core: Core): ...\n",
    "migrations/__init__.py": "",
    "migrations/env.py": "from bot.storage.log import Log\n",
    "benchmarks/__init__.py": "def shared_data(): ...\n",
    "benchmarks/bench_rank.py": "from benchmarks import shared_data\nfrom recommender.ranking.rank import rank\n",
    "tests/__init__.py": "",
    "tests/test_chat.py": "from adapters.chat import serve\nfrom bot.storage.log import Log\n",
}


def tree(root: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return root


def test_the_code_keeps_its_layout() -> None:
    problems = check(REPO)
    assert not problems, "the layout's rules are broken:\n" + "\n".join(problems)


def test_the_scan_sees_the_code_base() -> None:
    """Guards the test above against passing on an empty or misread tree."""
    modules = scan(REPO)
    assert {"bot.chat.core", "recommender.ranking.blend", "adapters.discord.client", "bot.app.runtime"} <= set(modules)
    assert "adapters.discord" in modules["bot.app.runtime"].imports  # a lazy import counts
    assert {"bot.ops.artifacts.files", "bot.ops.stores.base"} <= modules["bot.ops.artifacts.location"].imports
    assert modules["bot.storage.vote_log"].sql  # storage does write SQL: the detector sees it


def test_a_clean_tree_has_no_violations(tmp_path: Path) -> None:
    assert check(tree(tmp_path, CLEAN)) == []
    modules = scan(tmp_path)
    assert modules["recommender.ranking.rank"].imports == {"recommender.ranking.signals.audio"}  # relative import
    assert modules["recommender.ranking.signals.audio"].package == "recommender.ranking"


@pytest.mark.parametrize(
    ("planted", "reported"),
    [
        pytest.param(
            {"bot/chat/a.py": "from bot.chat.b import x\n", "bot/chat/b.py": "def x(): from bot.chat.a import y\n"},
            "import cycle between modules: bot.chat.a <-> bot.chat.b",
            id="module cycle, one side lazy",
        ),
        pytest.param(
            {"bot/storage/uses_chat.py": "from bot.chat.core import Core\n"},
            "import cycle between packages: bot.chat <-> bot.storage",
            id="package cycle",
        ),
        pytest.param(
            {"recommender/ranking/uses_bot.py": "import bot.chat.core\n"},
            "recommender.ranking.uses_bot imports bot.chat.core: the recommender never depends on the bot",
            id="recommender imports bot",
        ),
        pytest.param(
            {"bot/chat/platform.py": "from adapters import chat\n"},
            "bot.chat.platform imports adapters.chat: only the wiring (bot.app) imports adapters",
            id="outside the wiring imports adapters",
        ),
        pytest.param(
            {"adapters/settings.py": "from bot.app.wiring import serve\n"},
            "adapters.settings imports bot.app.wiring: adapters are handed their options",
            id="adapters import the wiring",
        ),
        pytest.param(
            {"bot/chat/stats.py": "from sqlalchemy import func, select\n"},
            "bot.chat.stats writes SQL outside bot.storage (line 1: imports select from sqlalchemy)",
            id="SQL builder outside storage",
        ),
        pytest.param(
            {"bot/chat/raw.py": "import sqlalchemy as sa\n\ndef q(): return sa.text('x')\n"},
            "bot.chat.raw writes SQL outside bot.storage (line 3: calls sa.text())",
            id="SQL through the module outside storage",
        ),
        pytest.param(
            {"bot/chat/run.py": "async def go(engine):\n    async with engine.connect() as c:\n        await c.execute(q)\n"},
            "bot.chat.run writes SQL outside bot.storage (line 3: calls .execute())",
            id="execute outside storage",
        ),
        pytest.param(
            {"bot/chat/long.py": "x = 1\n" * (MAX_BOT_LINES + 1)},
            f"bot.chat.long has {MAX_BOT_LINES + 1} lines, more than {MAX_BOT_LINES}",
            id="module too long",
        ),
        pytest.param(
            {"recommender/loose.py": "def f(): ...\n"},
            "recommender/loose.py is not in a subpackage of recommender",
            id="top-level recommender module",
        ),
        pytest.param(
            {"benchmarks/bench_other.py": "from tests.test_chat import serve\n"},
            "benchmarks.bench_other imports tests.test_chat: benchmarks never import tests",
            id="benchmark imports tests",
        ),
        pytest.param(
            {"benchmarks/bench_other.py": "from benchmarks.bench_rank import rank\n"},
            "benchmarks.bench_other imports benchmarks.bench_rank: benchmarks never import each other",
            id="benchmarks import each other",
        ),
    ],
)
def test_each_planted_violation_is_reported(tmp_path: Path, planted: dict[str, str], reported: str) -> None:
    problems = check(tree(tmp_path, {**CLEAN, **planted}))
    assert any(problem.startswith(reported) for problem in problems), problems


def test_cycles_are_the_strongly_connected_sets() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a", "e"}, "e": {"d"}, "f": set()}
    assert cycles(graph) == [["a", "b", "c"], ["d", "e"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
