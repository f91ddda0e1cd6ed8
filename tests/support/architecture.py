"""The layout's rules, checked on source files with ``ast``: who may import whom, where SQL lives, sizes.

:func:`check` reads every module of the product packages, the benchmarks and
the tests under a root folder, without importing any of them, and returns one
line per violation of the rules (tests are read only to see who imports them):

- an import cycle between modules, or between packages: the code map's, two
  levels deep (``bot.chat``, ``recommender.ranking``, ``adapters.discord``, and
  ``adapters`` for the modules directly in it); a subpackage such as
  ``recommender.ranking.signals`` belongs to its package;
- ``recommender`` importing ``bot`` or ``adapters``;
- anything but ``bot.app`` (the wiring) and ``adapters`` itself importing ``adapters``;
- ``adapters`` importing ``bot.app``;
- SQL outside ``bot.storage`` and ``migrations``: SQLAlchemy's ``select``,
  ``insert``, ``update``, ``delete`` or ``text``, or a call of ``.execute(...)``;
- a module under ``bot/`` longer than :data:`MAX_BOT_LINES` lines;
- a module directly in ``recommender/`` other than ``__init__.py``;
- a benchmark importing the tests or another benchmark.

Imports inside functions count like any other: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["MAX_BOT_LINES", "Module", "scan", "check", "cycles"]

PRODUCT = ("bot", "recommender", "adapters", "migrations")
#: Read for the imports of the product and the benchmarks; tests themselves may import anything.
SCANNED = (*PRODUCT, "benchmarks", "tests")
MAX_BOT_LINES = 300
#: SQLAlchemy's statement builders; a module outside storage that imports one is writing SQL.
SQL_BUILDERS = frozenset({"select", "insert", "update", "delete", "text"})
SQL_CALLS = frozenset({"execute", "exec_driver_sql"})
SQL_HOMES = ("bot.storage", "migrations")


@dataclass(frozen=True)
class Module:
    name: str  # dotted, e.g. "bot.chat.core"; a package is named by its folder
    path: Path
    is_package: bool
    imports: frozenset[str]  # the scanned modules it imports
    sql: tuple[str, ...]  # what in it writes SQL, with line numbers
    lines: int

    @property
    def package(self) -> str:
        """The code map's package it belongs to: its folder, at most two levels deep."""
        folder = self.name if self.is_package else self.name.rpartition(".")[0]
        return ".".join(folder.split(".")[:2])


def scan(root: Path, top_levels: Iterable[str] = SCANNED) -> dict[str, Module]:
    """Every module under ``root``'s ``top_levels`` folders, with the imports among them resolved."""
    paths = {_name(path, root): path for top in top_levels if (root / top).is_dir()
             for path in sorted((root / top).rglob("*.py"))}
    known = set(paths)
    modules = {}
    for name, path in paths.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        package = name if is_package else name.rpartition(".")[0]
        modules[name] = Module(
            name=name,
            path=path,
            is_package=is_package,
            imports=frozenset(_imports(tree, package, known) - {name}),
            sql=tuple(_sql(tree)),
            lines=len(path.read_text(encoding="utf-8").splitlines()),
        )
    return modules


def _name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(tree: ast.AST, package: str, known: set[str]) -> set[str]:
    """The known modules a module imports (``from a import b`` is module ``a.b`` when there is one)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(_known_prefix(alias.name, known) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            for alias in node.names:
                child = f"{base}.{alias.name}" if base else alias.name
                found.add(child if child in known else _known_prefix(base, known))
    return found - {""}


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    parts = package.split(".")
    base = parts[: len(parts) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def _known_prefix(name: str, known: set[str]) -> str:
    """The longest scanned module ``name`` is or lies in; "" for outside modules."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return candidate
    return ""


def _sql(tree: ast.AST) -> Iterator[str]:
    sqlalchemy_names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "sqlalchemy":
            for alias in node.names:
                if alias.name in SQL_BUILDERS:
                    yield f"line {node.lineno}: imports {alias.name} from {node.module}"
        elif isinstance(node, ast.Import):
            sqlalchemy_names.update(a.asname or a.name for a in node.names if a.name.split(".")[0] == "sqlalchemy")
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            attribute, owner = node.func.attr, node.func.value
            if attribute in SQL_CALLS:
                yield f"line {node.lineno}: calls .{attribute}()"
            elif attribute in SQL_BUILDERS and isinstance(owner, ast.Name) and owner.id in sqlalchemy_names:
                yield f"line {node.lineno}: calls {owner.id}.{attribute}()"


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The import cycles of ``graph``: each strongly connected set of two or more nodes, sorted (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            members = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                members.append(member)
                if member == node:
                    break
            if len(members) > 1:
                found.append(sorted(members))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def _within(name: str, *packages: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def check(root: Path) -> list[str]:
    """Every violation of the rules above in the tree under ``root``, one line each."""
    modules = scan(root)
    product = {name: m for name, m in modules.items() if _within(name, *PRODUCT)}
    problems = [f"import cycle between modules: {' <-> '.join(c)}"
                for c in cycles({name: m.imports & product.keys() for name, m in product.items()})]
    packages: dict[str, set[str]] = {}
    for m in product.values():
        packages.setdefault(m.package, set()).update(product[i].package for i in m.imports if i in product)
    problems += [f"import cycle between packages: {' <-> '.join(c)}"
                 for c in cycles({p: targets - {p} for p, targets in packages.items()})]
    for m in modules.values():
        if _within(m.name, "tests"):
            continue
        problems += [f"{m.name} imports {target}: {why}" for target in sorted(m.imports)
                     if (why := _forbidden(m.name, target))]
        if m.sql and _within(m.name, *PRODUCT) and not _within(m.name, *SQL_HOMES):
            problems += [f"{m.name} writes SQL outside bot.storage ({what})" for what in m.sql]
        if _within(m.name, "bot") and m.lines > MAX_BOT_LINES:
            problems.append(f"{m.name} has {m.lines} lines, more than {MAX_BOT_LINES}")
    loose = sorted(p.name for p in (root / "recommender").glob("*.py") if p.name != "__init__.py")
    problems += [f"recommender/{name} is not in a subpackage of recommender" for name in loose]
    return problems


def _forbidden(importer: str, target: str) -> str:
    """Why ``importer`` may not import ``target`` ("" when it may)."""
    if _within(importer, "recommender") and _within(target, "bot", "adapters"):
        return "the recommender never depends on the bot"
    if _within(target, "adapters") and not _within(importer, "adapters", "bot.app"):
        return "only the wiring (bot.app) imports adapters"
    if _within(importer, "adapters") and _within(target, "bot.app"):
        return "adapters are handed their options; they never import the wiring"
    if _within(importer, "benchmarks") and _within(target, "tests"):
        return "benchmarks never import tests"
    if _within(importer, "benchmarks") and _within(target, "benchmarks") and target != "benchmarks":
        return "benchmarks never import each other (what they share is in the benchmarks package)"
    return ""
