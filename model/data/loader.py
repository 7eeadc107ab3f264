"""Validated loading of the vendored long-format data.

:func:`load_long` reads one CSV and checks it against :mod:`model.data.schema`:
columns, types, known region codes, year range, declared units of known
variables, no duplicate keys, no negative levels. Any failure raises
:class:`~model.errors.CztInputError` naming file, row (1-based line number in
the file, header = line 1) and column.
"""
from __future__ import annotations

import csv
import hashlib
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CztInputError
from ..paths import DATA
from . import schema

SOURCE_FILES = {
    "panel": "macro/czt_best_panel_long.csv",
    "energy": "energy/energy_intensity_official.csv",
    "hightech": "hightech/hightech_rd_hunan_czt.csv",
    "census": "macro/czt_census_2010_2020_leiii.csv",
}


def _line(i: int) -> int:
    return int(i) + 2  # 0-based data row -> file line (header is line 1)


def load_long(path: Path | str, *, key: list[str] | None = None) -> pd.DataFrame:
    """Read and validate one long-format file.

    Parameters
    ----------
    path : path-like
        CSV file with columns ``region_code, region, year, variable, unit, value, source_id``.
    key : list of str, optional
        Columns that must identify a row uniquely (default ``region_code, year,
        variable`` plus ``sector`` when present and ``unit`` for multi-vintage files).

    Returns
    -------
    pandas.DataFrame
        With ``year`` as int, ``value`` as float, ``region_code`` as str.
    """
    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise CztInputError(path, "file not found") from None
    except IsADirectoryError:
        raise CztInputError(path, "is a folder, not a CSV file") from None
    except pd.errors.EmptyDataError:
        raise CztInputError(path, "empty file (no header, no rows)") from None
    except UnicodeDecodeError:
        raise CztInputError(path, "not UTF-8 text (save the CSV as UTF-8)") from None
    except pd.errors.ParserError as exc:
        raise CztInputError(path, f"not a readable CSV ({str(exc).splitlines()[0]})") from None
    if raw.empty:
        raise CztInputError(path, "no data rows (header only)")
    missing = [c for c in schema.LONG_COLUMNS if c not in raw.columns]
    if missing:
        raise CztInputError(path, f"missing column(s) {', '.join(missing)}")
    for col in schema.LONG_COLUMNS:
        blank = raw[col].str.strip() == ""
        if blank.any():
            raise CztInputError(f"{path}:{_line(blank.idxmax())}", f"column '{col}' is empty")
    bad_region = ~raw["region_code"].isin(schema.REGIONS)
    if bad_region.any():
        i = bad_region.idxmax()
        raise CztInputError(f"{path}:{_line(i)}", f"column 'region_code': unknown region {raw.at[i, 'region_code']!r}")
    out = raw.copy()
    for col, conv in (("year", "integer"), ("value", "float")):
        num = pd.to_numeric(raw[col], errors="coerce")
        bad = num.isna() | ((num % 1 != 0) if conv == "integer" else False)
        if bad.any():
            i = bad.idxmax()
            raise CztInputError(f"{path}:{_line(i)}", f"column '{col}': {raw.at[i, col]!r} is not a {conv}")
        out[col] = num.astype(int if conv == "integer" else float)
    inf = ~np.isfinite(out["value"].to_numpy())
    if inf.any():
        i = out.index[inf.argmax()]
        raise CztInputError(f"{path}:{_line(i)}", f"column 'value': {raw.at[i, 'value']!r} is not a finite number")
    lo, hi = schema.YEAR_RANGE
    bad = ~out["year"].between(lo, hi)
    if bad.any():
        i = bad.idxmax()
        raise CztInputError(f"{path}:{_line(i)}", f"column 'year': {out.at[i, 'year']} outside {lo}-{hi}")
    for i, var, unit in zip(out.index, out["variable"], out["unit"]):
        want = schema.UNITS.get(var)
        if want is not None and unit != want and not unit.startswith(want.split(" (")[0] + " ") and unit != want.split(" (")[0]:
            raise CztInputError(f"{path}:{_line(i)}", f"column 'unit': {var} must be in '{want}', got '{unit}'")
    neg = (out["value"] < 0) & ~pd.Series([schema.is_signed(u, v) for u, v in zip(out["unit"], out["variable"])], index=out.index)
    if neg.any():
        i = neg.idxmax()
        raise CztInputError(f"{path}:{_line(i)}", f"column 'value': negative level {out.at[i, 'value']} for {out.at[i, 'variable']}")
    nonpos = out["variable"].isin(schema.POSITIVE) & (out["value"] <= 0)
    if nonpos.any():
        i = nonpos.idxmax()
        raise CztInputError(f"{path}:{_line(i)}", f"column 'value': {out.at[i, 'value']:g} for "
                                                  f"{out.at[i, 'variable']} (must be > 0)")
    if key is None:
        key = schema.KEY + (["sector"] if "sector" in out.columns else [])
    dup = out.duplicated(subset=key, keep="first")
    if dup.any():
        i = dup.idxmax()
        what = ", ".join(f"{k}={out.at[i, k]}" for k in key)
        raise CztInputError(f"{path}:{_line(i)}", f"duplicate key ({what})")
    return out


def load_sources(data_dir: Path | None = None) -> dict[str, pd.DataFrame]:
    """Load and validate every file the panel needs.

    Returns
    -------
    dict
        ``panel`` (best panel), ``energy``, ``hightech``, ``census`` frames.
    """
    data_dir = Path(data_dir or DATA)
    verify_vendored(data_dir, list(SOURCE_FILES.values()))
    out = {}
    for name, rel in SOURCE_FILES.items():
        # The official energy file stores several vintages of the same national
        # series; the unit text tells them apart.
        key = schema.KEY + ["unit", "source_id"] if name == "energy" else None
        out[name] = load_long(data_dir / rel, key=key)
    return out


PLAN_FIGURES = "plan/plan_figures.csv"
#: Set to 1 to run on vendored files that differ from ``VENDORED.csv`` (a warning instead of a refusal).
ALLOW_MODIFIED_ENV = "CZT_ALLOW_MODIFIED_DATA"
_WARNED: set[str] = set()


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def verify_vendored(data_dir: Path, rels: list[str]) -> None:
    """Check files against the SHA-256 recorded in ``<data_dir>/VENDORED.csv`` by ``calibration/vendor.py``.

    A vendored file is a byte-for-byte copy of a sourced file; a changed one
    would silently change every forecast. A file that differs (or is not
    recorded) is refused with one line naming it; with the environment variable
    ``CZT_ALLOW_MODIFIED_DATA=1`` it is only warned about on stderr (the run's
    manifest records the actual hashes either way). A data folder without
    ``VENDORED.csv`` (a user's own copy) is not checked; the shipped one must have it.
    """
    data_dir = Path(data_dir)
    manifest = data_dir / "VENDORED.csv"
    if not manifest.is_file():
        if data_dir.resolve() == DATA.resolve():
            raise CztInputError(manifest, "missing (restore it, or re-vendor with python calibration/vendor.py)")
        return
    try:
        with open(manifest, newline="", encoding="utf-8") as fh:
            recorded = {r["path"]: r["sha256"] for r in csv.DictReader(fh)}
    except (KeyError, UnicodeDecodeError, csv.Error) as exc:
        raise CztInputError(manifest, f"not a readable manifest ({exc})") from None
    allow = os.environ.get(ALLOW_MODIFIED_ENV, "").strip() not in ("", "0")
    for rel in rels:
        path = data_dir / rel
        if not path.is_file():
            raise CztInputError(path, "file not found")
        if recorded.get(rel) == _sha256(path):
            continue
        what = ("differs from the SHA-256 recorded in VENDORED.csv" if rel in recorded
                else "is not recorded in VENDORED.csv")
        msg = f"{what}; restore the vendored file or re-vendor with python calibration/vendor.py"
        if not allow:
            raise CztInputError(path, msg + f" (or set {ALLOW_MODIFIED_ENV}=1 to run anyway)")
        if str(path) not in _WARNED:  # once per file and process
            _WARNED.add(str(path))
            print(f"warning: {path}: {what} ({ALLOW_MODIFIED_ENV}=1: running on it anyway)", file=sys.stderr)


CONTEXT_GDP = "hightech/context_gdp_denominators.csv"


def load_context_gdp(data_dir: Path | None = None) -> pd.DataFrame:
    """GDP denominators of the high-tech releases (``hightech/context_gdp_denominators.csv``), validated."""
    data_dir = Path(data_dir or DATA)
    verify_vendored(data_dir, [CONTEXT_GDP])
    return load_long(data_dir / CONTEXT_GDP)


def load_plan_figures(data_dir: Path | None = None) -> pd.DataFrame:
    """The plan outline's base-year figures (``plan/plan_figures.csv``), validated like every long file."""
    data_dir = Path(data_dir or DATA)
    verify_vendored(data_dir, [PLAN_FIGURES])
    return load_long(data_dir / PLAN_FIGURES)


#: Columns of a stored backtest table (``calibration/backtests/*.csv``) and their allowed ranges.
BACKTEST_REQUIRED = ("region", "method", "mae")  # what the weights read; others checked when present
_BACKTEST_RANGES = {"horizon": (1, None), "n": (0, None), "n_fallback": (0, None), "mae": (0, None),
                    "mase": (0, None), "rel_mae_vs_drift": (0, None), "smape": (0, 200),
                    "coverage_80": (0, 1), "coverage_90": (0, 1)}
_BACKTEST_NAN_OK = {"rel_mae_vs_drift", "mase"}  # undefined when the drift/naive error is zero


def check_backtest_table(df: pd.DataFrame, path: Path | str, variable: str | None = None) -> pd.DataFrame:
    """Validate the contents of a stored backtest table (not only its key line).

    Its errors set the method weights, so a tampered or corrupted table must
    not be used: required columns, at least one row, the expected variable,
    known regions, integer horizons >= 1, no duplicate (region, variable,
    method, horizon), and every error measure finite and in range (MAE, MASE,
    sMAPE >= 0; coverages in [0, 1]; NaN only where a ratio is undefined).
    Raises a one-line :class:`CztInputError` naming the file, line and column.
    """
    missing = [c for c in BACKTEST_REQUIRED if c not in df.columns]
    if missing:
        raise CztInputError(path, f"stored backtest table lacks column(s) {', '.join(missing)}")
    if df.empty:
        raise CztInputError(path, "stored backtest table has no rows")
    line = lambda i: f"{path}:{int(i) + 3}"  # key line, header, then data
    if variable is not None and "variable" in df.columns and (df["variable"] != variable).any():
        i = (df["variable"] != variable).idxmax()
        raise CztInputError(line(i), f"column 'variable': {df.at[i, 'variable']!r} in the table of {variable}")
    bad = ~df["region"].astype(str).isin(schema.REGIONS)
    if bad.any():
        i = bad.idxmax()
        raise CztInputError(line(i), f"column 'region': unknown region {df.at[i, 'region']!r}")
    for col, (lo, hi) in _BACKTEST_RANGES.items():
        if col not in df.columns:
            continue
        v = pd.to_numeric(df[col], errors="coerce")
        raw_na = df[col].isna()
        bad = (v.isna() & ~raw_na) | np.isinf(v.fillna(0))  # text, or +-inf
        if col not in _BACKTEST_NAN_OK:
            bad |= raw_na
        if lo is not None:
            bad |= v < lo
        if hi is not None:
            bad |= v > hi
        if col in ("horizon", "n", "n_fallback"):
            bad |= v.notna() & (v % 1 != 0)
        if bad.any():
            i = bad.idxmax()
            rng = f">= {lo}" if hi is None else f"in [{lo}, {hi}]"
            raise CztInputError(line(i), f"column '{col}': {df.at[i, col]!r} is not a finite number {rng}; "
                                         f"refresh the tables with czt backtest --store")
    dup = df.duplicated(subset=[c for c in ("region", "variable", "method", "horizon") if c in df.columns])
    if dup.any():
        i = dup.idxmax()
        raise CztInputError(line(i), "duplicate (region, variable, method, horizon) row")
    return df
