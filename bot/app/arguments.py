"""``kpop-bot``'s command-line arguments: every sub-command and its options, in one place.

The commands themselves are in :mod:`bot.app.cli`; this module only says what each accepts, so the
help text and the defaults can be read without the code that runs them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.ops.build import BuildOptions
from recommender.catalogue.features import SCALINGS
from recommender.catalogue.normalize import whole_characters
from recommender.offline.evaluation import DEFAULT_KS, LEVELS

__all__ = ["argument_parser", "k_list"]


def k_list(text: str) -> tuple[int, ...]:
    """``"1,3,10"`` -> (1, 3, 10): distinct positive integers, in increasing order."""
    try:
        ks = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated whole numbers like 1,3,10, got {text!r}") from None
    if not ks or ks[0] < 1:
        raise argparse.ArgumentTypeError(f"k values must be whole numbers of at least 1, got {text!r}")
    return tuple(ks)


def argument_parser() -> argparse.ArgumentParser:
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
    build.add_argument("--force", action="store_true",
                       help="make the build active even with no Korean songs or under half the active build's songs")
    build.add_argument("--rollback", action="store_true",
                       help="bring back the build the last build replaced (kept in KPOP_DATA_DIR/previous-build)")
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
    ev.add_argument("--k", type=k_list, default=DEFAULT_KS, metavar="K,K,...",
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
