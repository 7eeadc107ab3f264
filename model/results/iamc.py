"""The one result currency: IAMC long format.

Columns ``model, scenario, region, variable, unit, year, value`` plus
``quantile`` (0.05 … 0.95 or ``"mean"``; ``"history"`` for observed/derived
history rows — pyam rejects empty cells in extra columns) and
``basis`` (observed / derived / assumption / forecast) recording what a number
rests on. Files written with :func:`write_iamc` load with
``pyam.IamDataFrame(path)`` (extra columns become extra index levels).
"""
from __future__ import annotations

import re
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


CSV_ENCODING = "utf-8-sig"
"""Encoding of every CSV a run writes: UTF-8 with a byte-order mark, so Excel on a
Chinese-locale Windows opens ``地区生产总值`` as text rather than mojibake.
``pd.read_csv`` (default ``encoding="utf-8"``) and ``pyam.IamDataFrame`` skip the
mark; other readers can pass ``encoding="utf-8-sig"``."""


def write_csv(df: pd.DataFrame, path: Path, **kw) -> None:
    """Write a table as CSV (no index) in :data:`CSV_ENCODING`."""
    kw.setdefault("index", False)
    df.to_csv(path, encoding=CSV_ENCODING, **kw)


def write_iamc(df: pd.DataFrame, path: Path) -> None:
    """Write an IAMC long frame as CSV (no index, UTF-8 with BOM)."""
    write_csv(df, path, float_format="%.6g")


# --------------------------------------------------------------------------- units
# One mapping from the internal unit spellings to (a) IAMC units that iam-units
# parses and converts and (b) the Chinese display units of the workbook and the
# Chinese report. iam-units has no Chinese yuan: :func:`unit_registry` adds CNY
# (and CNY_<year> for constant prices) as currencies of their own — no exchange
# rate or deflator is invented, so converting yuan to dollars or across price
# bases fails instead of returning a made-up number.
_MONEY = re.compile(r"^100m (?:CNY|yuan)(?: \((?:nominal|(?P<year>\d{4}) prices)\))?$")
# an index with base 100 is the value as a percentage of its base-year value (as-of runs
# before 2019 price in their origin year, e.g. "index (2010 = 100)")
_INDEX = re.compile(r"^index \((?P<year>\d{4}) = 100\)$")
_FIXED = {  # internal -> (IAMC unit, factor, Chinese unit, factor)
    "10k persons": ("million", 0.01, "万人", 1.0),
    "10k tce": ("Mtce", 0.01, "万吨标准煤", 1.0),
    "%": ("%", 1.0, "%", 1.0),
    "percent": ("%", 1.0, "%", 1.0),
    "percent of GDP": ("%", 1.0, "%（占GDP）", 1.0),
    "pp": ("%", 1.0, "百分点", 1.0),
    "CNY": ("CNY/yr", 1.0, "元", 1.0),  # GDP per capita: yuan per person per year
    "1 (base year = 1)": ("dimensionless", 1.0, "基年 = 1", 1.0),
}


def iamc_unit(unit: str) -> tuple[str, float] | None:
    """IAMC unit and scaling factor for an internal unit (None if unmapped).

    ``value_iamc = factor * value``; e.g. ``100m CNY`` -> ``billion CNY/yr``, 0.1;
    ``10k persons`` -> ``million``, 0.01.
    """
    m = _MONEY.match(str(unit).strip())
    if m:
        return (f"billion CNY_{m['year']}/yr" if m["year"] else "billion CNY/yr"), 0.1
    if _INDEX.match(str(unit).strip()):
        return "%", 1.0
    f = _FIXED.get(str(unit).strip())
    return (f[0], f[1]) if f else None


def zh_unit(unit: str) -> str:
    """Chinese display unit (亿元, 万人, %, 2019 = 100, …); the unit itself if unmapped."""
    m = _MONEY.match(str(unit).strip())
    if m:
        return f"亿元（{m['year']}年价格）" if m["year"] else "亿元"
    m = _INDEX.match(str(unit).strip())
    if m:
        return f"{m['year']} = 100"
    f = _FIXED.get(str(unit).strip())
    return f[2] if f else str(unit)


def unit_registry():
    """iam-units' registry with the Chinese yuan added (``CNY``, ``CNY_2017`` … ``CNY_2035``).

    Each price basis is its own currency dimension: conversions within one basis
    (``billion CNY/yr`` -> ``million CNY/yr``) work; across bases or currencies
    they raise, since the project has no sourced exchange rate or deflator for them.
    Pass it to ``pyam.IamDataFrame.convert_unit(..., registry=unit_registry())``.
    """
    from iam_units import registry

    if "CNY" not in registry:
        registry.define("CNY = [currency_CNY]")
        for y in range(2000, 2041):
            registry.define(f"CNY_{y} = [currency_CNY_{y}]")
    return registry


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
