"""Load and validate the vendored input-output tables.

Tables live under ``calibration/data/io/<name>/`` (see its ``SOURCES.md``):
``Z.csv`` (n×n flows), ``final_demand.csv``, ``value_added.csv`` and
``sectors.csv``; all in 10k yuan (万元) at current producers' prices.
The Hunan 2017 table is competitive-import (``IM``/``IF`` columns, positive,
subtracted); the national tables also carry the domestic block
``Z_domestic.csv`` / ``final_demand_domestic.csv``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from model.errors import CztInputError
from model.paths import DATA

IO_DATA = DATA / "io"
VA_COMPONENTS = ["VA001", "VA002", "VA003", "VA004"]
BALANCE_RTOL = 1e-6


@dataclass
class IOTable:
    """A validated product × product table (10k yuan).

    Attributes
    ----------
    name : str
        Folder name, e.g. ``"hunan_2017_42"``.
    Z : DataFrame (n × n)
        Intermediate flows, index and columns = sector codes.
    fd : DataFrame (n × k)
        Final-demand, import and total columns as published.
    va : DataFrame (n × m)
        Value-added components per sector (transposed published rows).
    x : Series (n,)
        Gross output.
    sectors : DataFrame
        ``code`` index with ``name_zh``, ``name_en``.
    Z_domestic, fd_domestic : DataFrame or None
        Domestic blocks of non-competitive (national) tables.
    """

    name: str
    Z: pd.DataFrame
    fd: pd.DataFrame
    va: pd.DataFrame
    x: pd.Series
    sectors: pd.DataFrame
    Z_domestic: pd.DataFrame | None = None
    fd_domestic: pd.DataFrame | None = None
    notes: list = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        """Sector codes in table order."""
        return list(self.Z.index)

    @property
    def n(self) -> int:
        """Number of sectors."""
        return len(self.Z)

    @property
    def competitive(self) -> bool:
        """True when imports/inflows are inside Z (Hunan layout)."""
        return self.Z_domestic is None


def _read(path: Path, index: bool = True) -> pd.DataFrame:
    if not path.exists():
        raise CztInputError(str(path), "file not found")
    df = pd.read_csv(path, dtype={"code": str})
    if "code" not in df.columns:
        raise CztInputError(str(path), "missing column 'code'")
    df["code"] = df["code"].str.strip()
    return df.set_index("code") if index else df


def _numeric_block(df: pd.DataFrame, where: str) -> pd.DataFrame:
    out = df.drop(columns=[c for c in ("name_zh", "name_en") if c in df.columns])
    try:
        out = out.astype(float)
    except (ValueError, TypeError) as exc:
        raise CztInputError(where, f"non-numeric value ({exc})") from exc
    out.columns = [str(c).strip() for c in out.columns]
    return out.fillna(0.0)


def validate(Z: pd.DataFrame, fd: pd.DataFrame, va: pd.DataFrame, where: str = "io table",
             rtol: float = BALANCE_RTOL) -> pd.Series:
    """Validate a table and return gross output ``x``.

    Checks: Z square with identical row/column codes; the same codes, in the
    same order, in ``fd`` and ``va``; no negative or non-finite flow; a
    ``GO`` column; row balance ``Σ_j z_ij + Σ final use − IM − IF + ERR = GO``
    and column balance ``Σ_i z_ij + Σ VA = GO`` to ``rtol``.

    Parameters
    ----------
    Z, fd, va : DataFrame
        Indexed by sector code.
    where : str
        File or table name for error messages.
    rtol : float
        Relative tolerance of the balance checks.

    Returns
    -------
    Series
        Gross output ``GO`` by sector.

    Raises
    ------
    CztInputError
        On the first failed check, naming the table, row and column.
    """
    if Z.shape[0] != Z.shape[1]:
        raise CztInputError(f"{where}/Z.csv", f"Z is not square: {Z.shape[0]} rows x {Z.shape[1]} columns")
    rows, cols = list(map(str, Z.index)), list(map(str, Z.columns))
    if rows != cols:
        bad = next(i for i, (r, c) in enumerate(zip(rows, cols)) if r != c)
        raise CztInputError(f"{where}/Z.csv", f"sector-code mismatch: row {bad} is '{rows[bad]}' but column {bad} is '{cols[bad]}'")
    for name, df in (("final_demand.csv", fd), ("value_added.csv", va)):
        codes = list(map(str, df.index))
        if codes != rows:
            diff = sorted(set(codes) ^ set(rows))
            detail = f"codes differ: {diff[:5]}" if diff else "same codes in a different order"
            raise CztInputError(f"{where}/{name}", f"sector-code mismatch with Z.csv ({detail})")
    vals = Z.to_numpy(float)
    if not np.all(np.isfinite(vals)):
        i, j = np.argwhere(~np.isfinite(vals))[0]
        raise CztInputError(f"{where}/Z.csv", f"row {rows[i]}, column {cols[j]}: non-finite flow")
    if (vals < 0).any():
        i, j = np.argwhere(vals < 0)[0]
        raise CztInputError(f"{where}/Z.csv", f"row {rows[i]}, column {cols[j]}: negative flow {vals[i, j]:.6g}")
    if "GO" not in fd.columns:
        raise CztInputError(f"{where}/final_demand.csv", "missing column 'GO'")
    x = fd["GO"].astype(float)
    if (x < 0).any():
        raise CztInputError(f"{where}/final_demand.csv", f"row {x.index[x < 0][0]}: negative gross output")
    scale = max(float(x.abs().max()), 1.0)
    # row balance
    final_cols = [c for c in ("TC", "GCF", "FU201", "FU202", "EX", "OF") if c in fd.columns]
    if "GCF" in final_cols:
        final_cols = [c for c in final_cols if c not in ("FU201", "FU202")]
    supply = Z.sum(axis=1) + fd[final_cols].sum(axis=1)
    for c in ("IM", "IF"):
        if c in fd.columns:
            supply = supply - fd[c]
    if "ERR" in fd.columns:
        supply = supply + fd["ERR"]
    gap = (supply - x).abs()
    if (gap > rtol * scale).any():
        r = gap.idxmax()
        raise CztInputError(f"{where}/final_demand.csv", f"row {r}: row balance fails (use - imports = {supply[r]:.6g}, GO = {x[r]:.6g})")
    comps = [c for c in VA_COMPONENTS if c in va.columns]
    if not comps:
        raise CztInputError(f"{where}/value_added.csv", f"missing value-added columns {VA_COMPONENTS}")
    cost = Z.sum(axis=0) + va[comps].sum(axis=1)
    gap = (cost - x).abs()
    if (gap > rtol * scale).any():
        c = gap.idxmax()
        raise CztInputError(f"{where}/value_added.csv", f"column {c}: column balance fails (inputs + VA = {cost[c]:.6g}, GO = {x[c]:.6g})")
    return x.rename("x")


def from_frames(name: str, Z: pd.DataFrame, fd: pd.DataFrame, va: pd.DataFrame,
                sectors: pd.DataFrame | None = None, **extra) -> IOTable:
    """Build a validated :class:`IOTable` from data frames (used by tests and loaders)."""
    x = validate(Z, fd, va, where=name)
    if sectors is None:
        sectors = pd.DataFrame({"name_zh": list(Z.index), "name_en": list(Z.index)}, index=Z.index)
    return IOTable(name=name, Z=Z, fd=fd, va=va, x=x, sectors=sectors, **extra)


_CACHE: dict = {}


def load_table(name: str = "hunan_2017_42", root: Path | None = None, cache: bool = True) -> IOTable:
    """Read and validate a vendored table folder.

    Parameters
    ----------
    name : str
        ``hunan_2017_42``, ``china_2017_42`` or ``china_2020_42``.
    root : Path, optional
        Folder holding the table folders (default ``calibration/data/io``).

    cache : bool
        Reuse a table already read in this process (tables are treated as
        read-only by the module).

    Returns
    -------
    IOTable
    """
    folder = (root or IO_DATA) / name
    if cache and str(folder) in _CACHE:
        return _CACHE[str(folder)]
    if not folder.is_dir():
        raise CztInputError(str(folder), "input-output table folder not found")
    sectors = _read(folder / "sectors.csv")
    Z = _numeric_block(_read(folder / "Z.csv"), f"{name}/Z.csv")
    fd = _numeric_block(_read(folder / "final_demand.csv"), f"{name}/final_demand.csv")
    va = _numeric_block(_read(folder / "value_added.csv"), f"{name}/value_added.csv")
    if list(sectors.index) != list(Z.index):
        raise CztInputError(f"{name}/sectors.csv", "sector-code mismatch with Z.csv")
    extra = {}
    if (folder / "Z_domestic.csv").exists():
        Zd = _numeric_block(_read(folder / "Z_domestic.csv"), f"{name}/Z_domestic.csv")
        fdd = _numeric_block(_read(folder / "final_demand_domestic.csv"), f"{name}/final_demand_domestic.csv")
        if list(Zd.index) != list(Z.index) or list(Zd.columns) != list(Z.columns):
            raise CztInputError(f"{name}/Z_domestic.csv", "sector-code mismatch with Z.csv")
        extra = {"Z_domestic": Zd, "fd_domestic": fdd}
    table = from_frames(name, Z, fd, va, sectors=sectors[["name_zh", "name_en"]], **extra)
    if cache:
        _CACHE[str(folder)] = table
    return table
