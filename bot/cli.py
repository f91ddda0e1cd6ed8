"""``kpop-bot``: the command line. Each sub-command is a thin shell over the core.

Errors people can fix (configuration, an unreachable catalogue, a database that
cannot be opened) end the program with one clear line on stderr and exit code 2,
never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import report
from bot.config import ConfigError, Settings, load_settings
from bot.logs import configure_logging
from bot.render import to_json, to_text
from bot.replies import Sender
from bot.runtime import BuildOptions, build_and_save, open_core, platform_services, serve_until_stopped
from bot.storage.engine import StorageError, describe_url, open_database
from recommender.features import SCALINGS
from recommender.sources import CatalogueError

__all__ = ["main"]


def _build_options(args: argparse.Namespace) -> BuildOptions:
    return BuildOptions(
        sources=tuple(args.source or ()),
        scaling=args.scaling,
        k_songs=args.k_songs,
        k_artists=args.k_artists,
        progress=sys.stderr.isatty() if args.progress is None else args.progress,
    )


async def _cmd_build(settings: Settings, args: argparse.Namespace) -> int:
    engine = await open_database(settings.resolved_database_url)
    try:
        stored, report = await build_and_save(engine, settings, _build_options(args))
    finally:
        await engine.dispose()
    counts = stored.info.counts
    print(
        f"built catalogue #{stored.info.id} into {describe_url(settings.resolved_database_url)}: "
        f"{counts['songs']:,} songs ({counts['korean_songs']:,} Korean, {counts['western_songs']:,} western), "
        f"{counts['artists']:,} artists ({counts['korean_artists']:,} Korean); scaling {stored.info.scaling}"
    )
    print(f"merged {report.merged:,} duplicate rows; rejected {len(report.rejections):,} rows")
    for line in report.summary_lines():
        print("  " + line)
    return 0


async def _cmd_recommend(settings: Settings, args: argparse.Namespace) -> int:
    # a script asks the recommender, never the A/B test's random arm
    settings = settings.model_copy(update={"experiment": False})
    async with open_core(settings, _build_options(args)) as core:
        sender = Sender(platform="cli", user_id="cli", chat_id="cli")
        answer = await core.recommend(sender, args.query)
    if args.json:
        print(json.dumps(to_json(answer), ensure_ascii=False))
    else:
        print(to_text(answer))
    return 0


async def _cmd_chat(settings: Settings, args: argparse.Namespace) -> int:
    from adapters.terminal import chat

    async with open_core(settings, _build_options(args)) as core:
        await chat(core, sys.stdin, sys.stdout)
    return 0


async def _cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    services = platform_services(settings)
    if not services:
        print("no DISCORD_TOKEN or TELEGRAM_BOT_TOKEN set: starting the terminal chat", file=sys.stderr)
        return await _cmd_chat(settings, args)
    async with open_core(settings, _build_options(args)) as core:
        await serve_until_stopped(core, settings, services)
    return 0


async def _cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    engine = await open_database(settings.resolved_database_url)
    try:
        summary = await report.collect(engine)
    finally:
        await engine.dispose()
    print(report.to_text(summary))
    if args.plot:
        report.plot(summary, args.plot)
        print(f"plot written to {args.plot}")
    return 0


async def _cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    engine = await open_database(settings.resolved_database_url)
    await engine.dispose()
    print(f"database at {describe_url(settings.resolved_database_url)} is up to date")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kpop-bot", description="K-pop picks for western music lovers.")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    def with_build_options(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--source", action="append", metavar="PATH_OR_URL",
                       help="catalogue CSV, directory of CSVs or http(s) URL (repeatable; default: KPOP_SOURCES, "
                            "else the public default catalogue)")
        p.add_argument("--scaling", choices=SCALINGS, default="global", help="feature scaling (default: global)")
        p.add_argument("--k-songs", type=int, default=50, help="Korean neighbours stored per song")
        p.add_argument("--k-artists", type=int, default=50, help="Korean neighbours stored per artist")
        p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                       help="progress bars (default: when stderr is a terminal)")
        return p

    with_build_options(sub.add_parser("build", help="import catalogues, build and store neighbour tables"))
    rec = with_build_options(sub.add_parser("recommend", help="answer one query and exit"))
    rec.add_argument("query")
    rec.add_argument("--json", action="store_true", help="print one JSON object")
    with_build_options(sub.add_parser("chat", help="chat with the bot in this terminal"))
    with_build_options(sub.add_parser("run", help="run every adapter whose token is set (else the terminal)"))
    rep = sub.add_parser("report", help="the A/B test per arm: votes, thumbs-up rate with intervals, significance")
    rep.add_argument("--plot", type=Path, metavar="FILE.png", help="also draw the rates and their trend")
    sub.add_parser("migrate", help="create or upgrade the database schema")
    return parser


COMMANDS = {
    "build": _cmd_build,
    "recommend": _cmd_recommend,
    "chat": _cmd_chat,
    "run": _cmd_run,
    "report": _cmd_report,
    "migrate": _cmd_migrate,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(settings, verbose=args.verbose)
        return asyncio.run(COMMANDS[args.command](settings, args))
    except (ConfigError, StorageError, CatalogueError) as exc:
        print(f"kpop-bot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
