"""The build before the active one, kept on disk so a bad rebuild is undone in one command.

``kpop-bot build`` keeps the build it replaces in ``KPOP_DATA_DIR/previous-build`` and
``kpop-bot build --rollback`` brings it back (keeping the one it replaces in turn, so a
rollback can itself be undone). It is kept in the artifact format: every file checksummed and
verified before it is loaded again, and the same reader as published builds.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from bot.ops.artifacts.files import Artifact, read_artifact, write_artifact
from bot.ops.artifacts.manifest import MANIFEST
from bot.storage.catalogue_store import StoredBuild

__all__ = ["keep", "read_kept"]


def keep(build: StoredBuild, folder: Path) -> None:
    """Write ``build`` into ``folder``, replacing what was kept there only once it is complete."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging, old = folder.with_name(f"{folder.name}.new"), folder.with_name(f"{folder.name}.old")
    for leftover in (staging, old):
        shutil.rmtree(leftover, ignore_errors=True)
    write_artifact(build, staging)
    if folder.exists():
        os.replace(folder, old)
    os.replace(staging, folder)
    shutil.rmtree(old, ignore_errors=True)


def read_kept(folder: Path) -> Artifact | None:
    """The kept build, verified (None when nothing is kept)."""
    if not (folder / MANIFEST).is_file():
        return None
    return read_artifact(folder)
