"""Validated loading of the vendored long-format data.

:func:`load_long` reads one CSV and checks it against :mod:`model.data.schema`:
columns, types, known region codes, year range, declared units of known
variables, no duplicate keys, no negative levels. Any failure raises
:class:`~model.errors.CztInputError` naming file, row (1-based line number in
the file, header = line 1) and column.
"""
from __future__ import annotations

from pathlib import Path

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
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise CztInputError(path, "file not found") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise CztInputError(path, f"not a readable CSV ({str(exc).splitlines()[0]})") from None
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
    out = {}
    for name, rel in SOURCE_FILES.items():
        # The official energy file stores several vintages of the same national
        # series; the unit text tells them apart.
        key = schema.KEY + ["unit", "source_id"] if name == "energy" else None
        out[name] = load_long(data_dir / rel, key=key)
    return out
