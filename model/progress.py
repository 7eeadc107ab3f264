"""Progress bars for long steps (tqdm on stderr).

Shown only on an interactive terminal (``disable=None`` lets tqdm decide) and
never when ``CZT_PROGRESS=0``; so logs, CI and tests stay clean.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def progress_bar(items: Iterable[T], *, desc: str, total: int | None = None, disable: bool = False) -> Iterator[T]:
    """Iterate ``items`` with a tqdm bar (stderr, TTY only, off with ``CZT_PROGRESS=0``)."""
    if disable or os.environ.get("CZT_PROGRESS", "").strip() == "0":
        yield from items
        return
    from tqdm.auto import tqdm

    yield from tqdm(items, desc=desc, total=total, disable=None, leave=False, unit="step")
