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
from bot.app.config import ConfigError, Settings, load_settings
from bot.app.library_cache import keep_fitted
from bot.app.logs import configure_logging
from bot.app.options import build_options
from bot.app.streams import tolerate_bad_text
from bot.app.runtime import configured_platforms, open_core, platform_services, serve_until_stopped
from bot.chat.render import to_json, to_text
from bot.chat.replies import Sender
from bot.ops.artifacts.manifest import ArtifactError
from bot.ops.build import BuildOptions, build_and_save, load_or_build, publish_build
from bot.ops.stores.base import StoreError
from bot.storage.catalogue_store import save_blend
from bot.storage.engine import StorageError, database, describe_url
from recommender.catalogue.features import SCALINGS
from recommender.catalogue.normalize import whole_characters
from recommender.catalogue.playlist_files import PlaylistFileError
from recommender.catalogue.sources import CatalogueError
from recommender.offline.evaluation import DEFAULT_KS, LEVELS

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
    )


async def _cmd_build(settings: Settings, args: argparse.Namespace) -> int:
    async with database(settings.resolved_database_url) as engine:
        stored, report = await build_and_save(engine, _build_options(settings, args))
    await keep_fitted(stored, settings.data_dir, settings.familiarity)  # so the next start loads, not fits
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


def _k_list(text: str) -> tuple[int, ...]:
    """``"1,3,10"`` -> (1, 3, 10): distinct positive integers, in increasing order."""
    try:
        ks = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated whole numbers like 1,3,10, got {text!r}") from None
    if not ks or ks[0] < 1:
        raise argparse.ArgumentTypeError(f"k values must be whole numbers of at least 1, got {text!r}")
    return tuple(ks)


async def _cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    async with database(settings.resolved_database_url):
        pass
    print(f"database at {describe_url(settings.resolved_database_url)} is up to date")
    return 0


def _serves_platforms(args: argparse.Namespace, settings: Settings) -> bool:
    """True when this run is a service (logs at the configured level), not a conversation."""
    return args.command == "run" and bool(configured_platforms(settings))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kpop-bot", description="K-pop picks for western music lovers.")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    def with_build_options(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--source", action="append", metavar="PATH_OR_URL",
                       help="catalogue CSV, directory of CSVs or http(s) URL (repeatable; default: KPOP_SOURCES, "
                            "else the public default catalogue)")
        p.add_argument("--scaling", choices=SCALINGS, default="global", help="feature scaling (default: global)")
        p.add_argument("--k-songs", type=int, default=BuildOptions.k_songs,
                       help=f"Korean neighbours stored per song (default: {BuildOptions.k_songs})")
        p.add_argument("--k-artists", type=int, default=BuildOptions.k_artists,
                       help=f"Korean neighbours stored per artist (default: {BuildOptions.k_artists})")
        p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                       help="progress bars (default: when stderr is a terminal)")
        return p

    build = with_build_options(sub.add_parser("build", help="import catalogues, build and store neighbour tables"))
    build.add_argument("--playlists", dest="build_playlists", action="append", metavar="FILE",
                       help="playlist CSV for co-listening, besides the playlist files among the sources "
                            "(repeatable; same form as for evaluate)")
    rec = with_build_options(sub.add_parser(
        "recommend", help="answer a query (or every line of standard input with -) as a new person, storing nothing"))
    rec.add_argument("query", help='a song or artist, or "-" to answer each line of standard input')
    rec.add_argument("--json", action="store_true", help="print one JSON object per answer, one per line")
    rec.add_argument("--as", dest="person", metavar="NAME", type=whole_characters,
                     help="answer as this person, with their history, and store the answers")
    with_build_options(sub.add_parser("chat", help="chat with the bot in this terminal"))
    with_build_options(sub.add_parser("run", help="run every adapter whose token is set (else the terminal)"))
    pub = with_build_options(sub.add_parser(
        "publish", help="upload the built catalogue as a versioned artifact (building it first if needed)"))
    pub.add_argument("target", metavar="s3://BUCKET/PREFIX", help="S3 prefix (or a local directory) to publish under")
    rep = sub.add_parser("report", help="the A/B test per arm: votes, thumbs-up rate with intervals, significance")
    rep.add_argument("--plot", type=Path, metavar="FILE.png", help="also draw the rates and their trend")
    sub.add_parser("migrate", help="create or upgrade the database schema")
    ev = with_build_options(sub.add_parser(
        "evaluate", help="offline hit rates of the recommenders on playlists of people who play both sides"))
    ev.add_argument("--playlists", action="append", required=True, metavar="FILE",
                    help="playlist CSV: playlist_id, track_name, artist_name, optional track_id and listener, "
                         "or a Last.fm (HetRec 2011) folder (repeatable; each file is scored on its own)")
    ev.add_argument("--level", choices=(*LEVELS, "all"), default="all",
                    help="song: same song; artist: recommend artists; song-artist: a picked song's artist "
                         "is in the playlist (default: all)")
    ev.add_argument("--k", type=_k_list, default=DEFAULT_KS, metavar="K,K,...",
                    help="cut-offs (default: 1,3,10)")
    ev.add_argument("--seed", type=int, default=0, help="seed of the bootstrap and of random picks (default: 0)")
    ev.add_argument("--cross-validate", action="store_true",
                    help="fit co-listening on the file's other listeners too, not only on the build's playlist data")
    ev.add_argument("--diversity-artists", type=int, default=300, metavar="N",
                    help="beyond-accuracy figures over the N best-known western artists (default: 300)")
    output = ev.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print one JSON object")
    output.add_argument("--markdown", action="store_true", help="print the README's tables (How good is it?)")
    tu = with_build_options(sub.add_parser(
        "tune", help="choose the blend's weights on playlists by listener cross-validation and store them"))
    tu.add_argument("--playlists", action="append", required=True, metavar="FILE",
                    help="playlist CSV or Last.fm folder as for evaluate "
                         "(repeatable; every file's listeners are folds)")
    tu.add_argument("--seed", type=int, default=0, help="seed of the bootstrap and of random picks (default: 0)")
    tu.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


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
    args = _parser().parse_args(argv)
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
        evaluate.EvaluationError,
        tune.TuneError,
    ) as exc:
        print(f"kpop-bot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
