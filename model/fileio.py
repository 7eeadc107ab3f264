"""Small file helpers shared by every module: TOML reading and atomic output folders."""
from __future__ import annotations

import contextlib
import os
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

from .errors import CztInputError


def read_toml(path: Path | str) -> dict:
    """Parse a TOML file; a missing or malformed file is a one-line :class:`CztInputError`."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise CztInputError(path, "file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise CztInputError(path, f"invalid TOML ({exc})") from None


@contextlib.contextmanager
def atomic_dir(final: Path) -> Iterator[Path]:
    """Write a folder atomically.

    Yields a hidden sibling ``.tmp-<name>-<pid>`` to write into; on success it
    replaces ``final`` (any previous content is removed only after the swap);
    on any exception, including KeyboardInterrupt, the temporary folder is
    deleted and ``final`` is untouched. A process killed outright leaves only
    the hidden ``.tmp-*`` folder, never a ``final`` that looks complete.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f".tmp-{final.name}-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        yield tmp
        old = None
        if final.exists():
            old = final.with_name(f".old-{final.name}-{os.getpid()}")
            final.rename(old)
        tmp.rename(final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
