"""The active build's library at start: loaded as fitted when this code fitted that build before, else fitted and kept.

A later start then reads one row of the database and memory-maps the fitted
arrays instead of reading the whole build and fitting the matcher and the
ranking's signals again (:mod:`bot.storage.fitted`). The folder
``KPOP_DATA_DIR/fitted/`` holds one build's fit; it is keyed by the build (its
id and build time) and by the code, so a rebuild, another database or new code
fits again. The database stays the one source of truth: a missing or unreadable
folder only costs the fitting time.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.chat.library import Library
from bot.storage.catalogue_store import BuildInfo, StoredBuild, load_build, load_build_header
from bot.storage import fitted

__all__ = ["fitted_folder", "load_library", "keep_fitted"]

log = logging.getLogger(__name__)


def fitted_folder(data_dir: Path, info: BuildInfo) -> Path:
    """Where the fit of build ``info`` by this code is kept."""
    return data_dir / "fitted" / f"build-{info.id}-{info.created_at:%Y%m%dT%H%M%S%f}-{fitted.code_version()}"


async def load_library(engine: AsyncEngine, data_dir: Path, familiarity: float) -> Library | None:
    """The active build's library, from its kept fit when there is one; ``None`` when nothing is built yet."""
    header = await load_build_header(engine)
    if header is None:
        return None
    info, tuned = header
    folder = fitted_folder(data_dir, info)
    if folder.exists():
        try:
            return await asyncio.to_thread(Library.load, folder, info, tuned, familiarity=familiarity)
        except Exception:  # a damaged or foreign folder: fit again, as on a first start
            log.warning("could not load the fitted library in %s; fitting it again", folder, exc_info=True)
    stored = await load_build(engine)
    assert stored is not None, "a build with a header loads"
    return await keep_fitted(stored, data_dir, familiarity)


async def keep_fitted(stored: StoredBuild, data_dir: Path, familiarity: float) -> Library:
    """Fit ``stored`` and keep the fit for later starts (dropping other builds' fits)."""
    library = await asyncio.to_thread(Library.from_build, stored, familiarity=familiarity)
    folder = fitted_folder(data_dir, stored.info)
    try:
        await asyncio.to_thread(library.save, folder)
    except OSError:  # a read-only or full disk, or another process saving the same fit: the next start fits
        log.warning("could not keep the fitted library in %s", folder, exc_info=True)
        return library
    for other in folder.parent.iterdir():
        if other != folder and not other.name.startswith("."):
            shutil.rmtree(other, ignore_errors=True)
    return library
