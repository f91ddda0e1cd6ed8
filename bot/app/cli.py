"""``kpop-bot``: the command line. Each sub-command is a thin shell over the core.

Errors people can fix (configuration, a token or server a platform refuses, an
unreachable catalogue, a database that cannot be opened, an artifact store that
refuses or a corrupt artifact) end the program with one clear line on stderr and
exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import bot.ops.evaluate as evaluate
import bot.ops.evaluate_output as evaluate_output
import bot.ops.report as report
import bot.ops.tune as tune
from adapters.errors import PlatformConfigError
from bot.app.arguments import argument_parser
from bot.app.config import ConfigError, Settings, load_settings
from bot.app.library_cache import keep_fitted
from bot.app.logs import configure_logging
from bot.app.options import build_options
from bot.app.streams import tolerate_bad_text
from bot.app.runtime import configured_platforms, open_core, platform_services, serve_until_stopped
from bot.chat.render import to_json, to_text
from bot.chat.replies import Sender
from bot.ops.artifacts.manifest import ArtifactError
from bot.ops.build import BuildOptions, build_and_save, load_or_build, publish_build, rollback
from bot.ops.build_checks import BuildRefused
from bot.ops.stores.base import StoreError
from bot.storage.catalogue_store import save_blend
from bot.storage.engine import StorageError, database, describe_url
from recommender.catalogue.playlist_files import PlaylistFileError
from recommender.catalogue.sources import CatalogueError
from recommender.offline.evaluation import LEVELS

__all__ = ["main"]


def _build_options(settings: Settings, args: argparse.Namespace) -> BuildOptions:
    return build_options(
        settings,
        sources=args.source,
        scaling=args.scaling,
        k_songs=args.k_songs,
        k_artists=args.k_artists,
        progress=sys.stderr.isatty() if args.progress is None else args.progress,
        playlists=tuple(getattr(args, "build_playlists", None) or ()),
        force=getattr(args, "force", False),
    )


async def _cmd_build(settings: Settings, args: argparse.Namespace) -> int:
    async with database(settings.resolved_database_url) as engine:
        if args.rollback:
            stored, report = await rollback(engine, settings.previous_build_dir), None
        else:
            stored, report = await build_and_save(engine, _build_options(settings, args))
    await keep_fitted(stored, settings.data_dir, settings.familiarity)  # so the next start loads, not fits
    counts = stored.info.counts
    done = "built catalogue" if report else f"rolled back to the build of {stored.info.created_at:%Y-%m-%d %H:%M} UTC:"
    print(
        f"{done} #{stored.info.id} into {describe_url(settings.resolved_database_url)}: "
        f"{counts['songs']:,} songs ({counts['korean_songs']:,} Korean, {counts['western_songs']:,} western), "
        f"{counts['artists']:,} artists ({counts['korean_artists']:,} Korean); scaling {stored.info.scaling}"
    )
    if report is None:
        return 0
    print(f"merged {report.merged:,} duplicate rows; rejected {len(report.rejections):,} rows")
    for line in report.summary_lines():
        print("  " + line)
    return 0


async def _cmd_recommend(settings: Settings, args: argparse.Namespace) -> int:
    """Answer the query, or with ``-`` every line of standard input, each on its own, after one start.

    Each answer is for a new person with no history, and nothing is stored, so the
    same query gives the same answer every time; ``--as NAME`` answers as that
    person instead, with their history, and stores the answers as a chat would.
    """
    # a script asks the recommender, never the A/B test's random arm
    settings = settings.model_copy(update={"experiment": False})
    queries = _stdin_lines() if args.query == "-" else iter([args.query])
    async with open_core(settings, _build_options(settings, args)) as core:
        for query in queries:
            person = args.person or f"new-{uuid.uuid4().hex}"
            answer = await core.recommend(Sender("cli", person, "cli"), query, record=args.person is not None)
            if args.json:
                print(json.dumps(to_json(answer), ensure_ascii=False), flush=True)
            else:
                print(to_text(answer) + ("\n" if args.query == "-" else ""), flush=True)
    return 0


def _stdin_lines() -> Iterator[str]:
    """Standard input's non-empty lines, read as they come (a pipe may feed them slowly)."""
    for line in sys.stdin:
        if line.strip():
            yield line.rstrip("\n")


async def _cmd_chat(settings: Settings, args: argparse.Namespace) -> int:
    from adapters.terminal import chat

    async with open_core(settings, _build_options(settings, args)) as core:
        await chat(core, sys.stdin, sys.stdout)
    return 0


async def _cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    if not configured_platforms(settings):
        print("no DISCORD_TOKEN or TELEGRAM_BOT_TOKEN set: starting the terminal chat", file=sys.stderr)
        return await _cmd_chat(settings, args)
    async with open_core(settings, _build_options(settings, args)) as core:
        await serve_until_stopped(platform_services(settings, core))
    return 0


async def _cmd_publish(settings: Settings, args: argparse.Namespace) -> int:
    async with database(settings.resolved_database_url) as engine:
        published = await publish_build(engine, args.target, _build_options(settings, args), settings.artifact_dir)
    manifest = published.manifest
    size_mb = manifest.total_bytes / 1e6
    if published.uploaded:
        print(f"published version {manifest.version} ({len(manifest.files) + 1} files, {size_mb:.1f} MB) "
              f"to {published.version_url}")
    else:
        print(f"version {manifest.version} was already published at {published.version_url}")
    print(f"{published.pointer_url} now names {manifest.version}; workers with KPOP_ARTIFACT={args.target} "
          "load it on their next start")
    return 0


async def _cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    async with database(settings.resolved_database_url) as engine:
        summary = await report.collect(engine)
    print(report.to_text(summary))
    if args.plot:
        report.plot(summary, args.plot)
        print(f"plot written to {args.plot}")
    return 0


async def _cmd_evaluate(settings: Settings, args: argparse.Namespace) -> int:
    async with database(settings.resolved_database_url) as engine:
        build = await load_or_build(engine, _build_options(settings, args))
    levels = LEVELS if args.level == "all" else (args.level,)
    report = await asyncio.to_thread(
        evaluate.evaluate_files, build, [Path(p) for p in args.playlists], levels=levels, ks=args.k, seed=args.seed,
        familiarity=settings.familiarity, cross_validate=args.cross_validate, diversity_queries=args.diversity_artists,
    )
    if args.json:
        print(json.dumps(evaluate_output.to_json(report), ensure_ascii=False))
    elif args.markdown:
        print(evaluate_output.to_markdown(report))
    else:
        print(evaluate_output.to_text(report))
    return 0


async def _cmd_tune(settings: Settings, args: argparse.Namespace) -> int:
    async with database(settings.resolved_database_url) as engine:
        build = await load_or_build(engine, _build_options(settings, args))
        result = await asyncio.to_thread(
            tune.tune_files, build, [Path(p) for p in args.playlists], familiarity=settings.familiarity, seed=args.seed
        )
        await save_blend(engine, build.info.id, result.tuned)
    if args.json:
        print(json.dumps(tune.to_json(result), ensure_ascii=False))
    else:
        print(tune.to_text(result))
        print(f"\nstored these weights with build #{build.info.id}; the bot uses them from its next start "
              "(publish the build again to share them through an artifact)")
    return 0


async def _cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    async with database(settings.resolved_database_url):
        pass
    print(f"database at {describe_url(settings.resolved_database_url)} is up to date")
    return 0


def _serves_platforms(args: argparse.Namespace, settings: Settings) -> bool:
    """True when this run is a service (logs at the configured level), not a conversation."""
    return args.command == "run" and bool(configured_platforms(settings))


COMMANDS = {
    "build": _cmd_build,
    "recommend": _cmd_recommend,
    "chat": _cmd_chat,
    "run": _cmd_run,
    "publish": _cmd_publish,
    "report": _cmd_report,
    "migrate": _cmd_migrate,
    "evaluate": _cmd_evaluate,
    "tune": _cmd_tune,
}


def main(argv: Sequence[str] | None = None) -> int:
    tolerate_bad_text()
    args = argument_parser().parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(settings, verbose=args.verbose, interactive=not _serves_platforms(args, settings))
        return asyncio.run(COMMANDS[args.command](settings, args))
    except (
        ConfigError,
        PlatformConfigError,
        StorageError,
        CatalogueError,
        StoreError,
        ArtifactError,
        PlaylistFileError,
        BuildRefused,
        evaluate.EvaluationError,
        tune.TuneError,
    ) as exc:
        print(f"kpop-bot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
