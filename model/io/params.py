"""Read the IO parameter files in ``calibration/io/``."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from model.errors import CztInputError
from model.fileio import read_toml
from model.paths import CALIBRATION

IO_CALIBRATION = CALIBRATION / "io"


def load_parameters(path: Path | None = None) -> dict:
    """Return the parsed ``calibration/io/parameters.toml`` as a dict."""
    path = Path(path) if path else IO_CALIBRATION / "parameters.toml"
    return read_toml(path)


def read_code_csv(name: str, required: list[str], path: Path | None = None) -> pd.DataFrame:
    """Read a CSV keyed by a two-digit sector ``code`` column from calibration/io."""
    path = Path(path) if path else IO_CALIBRATION / name
    if not path.exists():
        raise CztInputError(str(path), "file not found")
    df = pd.read_csv(path, dtype={"code": str})
    missing = [c for c in ["code", *required] if c not in df.columns]
    if missing:
        raise CztInputError(str(path), f"missing columns {missing}")
    dup = df["code"][df["code"].duplicated()]
    if len(dup):
        raise CztInputError(str(path), f"row for code {dup.iloc[0]} appears twice")
    return df.set_index("code")


@lru_cache(maxsize=32)
def _read_long_csv(path: str) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"region_code": str})


def read_long_csv(path) -> pd.DataFrame:
    """Read a tidy long data file (region_code as text), cached per process.

    Returns a copy, so callers may modify it.
    """
    p = Path(path)
    if not p.exists():
        raise CztInputError(str(p), "file not found")
    return _read_long_csv(str(p)).copy()
