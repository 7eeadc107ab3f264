"""The one result currency: IAMC long format.

Columns ``model, scenario, region, variable, unit, year, value`` plus
``quantile`` (0.05 … 0.95 or ``"mean"``; ``"history"`` for observed/derived
history rows — pyam rejects empty cells in extra columns) and
``basis`` (observed / derived / assumption / forecast) recording what a number
rests on. Files written with :func:`write_iamc` load with
``pyam.IamDataFrame(path)`` (extra columns become extra index levels).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

MODEL_NAME = "czt-model"
IAMC_COLUMNS = ["model", "scenario", "region", "variable", "unit", "year", "value"]
EXTRA_COLUMNS = ["quantile", "basis"]
QUANTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
HISTORY = "history"  # quantile label of history rows
REGION_NAMES = {"430100": "Changsha", "430200": "Zhuzhou", "430300": "Xiangtan",
                "CZT": "CZT", "430000": "Hunan"}


def to_iamc(df: pd.DataFrame, scenario: str, model: str = MODEL_NAME) -> pd.DataFrame:
    """Return ``df`` with the IAMC columns first, ``model``/``scenario`` filled.

    ``df`` needs at least ``region, variable, unit, year, value``; ``quantile``
    and ``basis`` are kept when present.
    """
    missing = {"region", "variable", "unit", "year", "value"} - set(df.columns)
    if missing:
        raise ValueError(f"to_iamc: missing columns {sorted(missing)}")
    out = df.copy()
    out["model"] = model
    out["scenario"] = scenario
    out["year"] = out["year"].astype(int)
    cols = IAMC_COLUMNS + [c for c in EXTRA_COLUMNS if c in out.columns]
    return out[cols].reset_index(drop=True)


def write_iamc(df: pd.DataFrame, path: Path) -> None:
    """Write an IAMC long frame as CSV (no index)."""
    df.to_csv(path, index=False, float_format="%.6g")


def check_iamc(df: pd.DataFrame) -> pd.DataFrame:
    """Return the offending rows of an IAMC frame (empty frame if valid).

    Offending rows: missing IAMC columns' values, non-numeric values, or
    duplicate keys (all columns except ``value``).
    """
    cols = [c for c in IAMC_COLUMNS if c in df.columns]
    if len(cols) < len(IAMC_COLUMNS):
        raise ValueError(f"check_iamc: missing columns {sorted(set(IAMC_COLUMNS) - set(cols))}")
    key = [c for c in df.columns if c not in ("value", "basis")]
    bad = df[cols].isna().any(axis=1) | pd.to_numeric(df["value"], errors="coerce").isna()
    dup = df.duplicated(subset=key, keep=False)
    return df[bad | dup]
